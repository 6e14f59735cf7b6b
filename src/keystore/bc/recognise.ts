import { Tag, TagClass, type DerNode } from '../../asn1/der_reader.js';
import { OID } from '../../asn1/oids.js';
import { SCRYPT_OID } from '../../crypto/pbe/scrypt.js';
import { UnsupportedKeystoreError } from '../../errors.js';
import { MAX_BKS_CHAIN, MAX_BKS_COUNT_FIELD, MAX_BKS_SALT } from './bks_format.js';

/**
 * BouncyCastle's own keystore formats: BKS and UBER (a big-endian version, a salt and an
 * iteration count, then the entries, in the clear for BKS and encrypted with Twofish for UBER)
 * and BCFKS (DER: an encrypted object store and a PBKDF2 or scrypt MAC). hapki reads BKS
 * (bks_read.ts) and recognises the other two, answering with the keytool command that converts
 * them. BouncyCastle's PKCS12 types are plain PKCS#12 and read as such.
 */
export type BouncyCastleFormat = 'BKS' | 'UBER' | 'BCFKS';

/** The one-line answer for a store of that format: what it is and the keytool command that makes a PKCS#12 of it. */
export function unsupportedBouncyCastleStore(format: BouncyCastleFormat, detail?: string): UnsupportedKeystoreError {
  return new UnsupportedKeystoreError(
    format,
    `a BouncyCastle ${format} keystore${detail ? ` (${detail})` : ''}, which hapki does not read; convert it to PKCS#12 with ` +
      `keytool -importkeystore -srckeystore FILE -srcstoretype ${format} -srcprovidername BC ` +
      '-providerpath /usr/share/java/bcprov.jar -providerclass org.bouncycastle.jce.provider.BouncyCastleProvider ' +
      '-destkeystore FILE.p12 -deststoretype PKCS12 (bcprov.jar is in Debian\'s libbcprov-java)',
  );
}

/** BKS or UBER by their header, or undefined. Never throws. */
export function recogniseBksOrUber(bytes: Uint8Array): BouncyCastleFormat | undefined {
  if (bytes.length < 12 + 20) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(0);
  // BKS is at version 2 (1 and 0 are older BouncyCastle releases); UBER is at 1
  if (version > 2) return undefined;
  const saltLength = view.getUint32(4);
  // the reader's limits (bks_format.ts): a header recognised here is one it reads
  if (saltLength === 0 || saltLength > MAX_BKS_SALT || 12 + saltLength > bytes.length) return undefined;
  const iterations = view.getUint32(8 + saltLength);
  // BouncyCastle picks 1024 to 2047 rounds; accept a wide margin, not any 32-bit number
  if (iterations === 0 || iterations > MAX_BKS_COUNT_FIELD) return undefined;
  const entriesAt = 12 + saltLength;
  if (plainEntriesFollow(bytes, view, entriesAt)) return 'BKS';
  return version === 1 ? 'UBER' : undefined;
}

/** The first BKS entry (type, alias, date, chain length), or the end marker and the 20-byte HMAC, fit the bytes. */
function plainEntriesFollow(bytes: Uint8Array, view: DataView, at: number): boolean {
  const type = bytes[at];
  if (type === undefined || type > 4) return false;
  if (type === 0) return bytes.length - at - 1 === 20;
  if (at + 3 > bytes.length) return false;
  const aliasLength = view.getUint16(at + 1);
  const chainAt = at + 3 + aliasLength + 8;
  if (chainAt + 4 > bytes.length) return false;
  return view.getUint32(chainAt) <= MAX_BKS_CHAIN;
}

/**
 * BCFKS by its shape: ObjectStore ::= SEQUENCE { storeData SEQUENCE, integrityCheck }, where the
 * integrity check is a SEQUENCE { macAlgorithm, pbkdAlgorithm (PBKDF2 or scrypt), mac OCTET STRING }
 * or a [0] signature check.
 */
export function isBcfks(node: DerNode): boolean {
  try {
    if (!node.is(Tag.sequence)) return false;
    const [store, check, extra] = node.children;
    if (!store || !check || extra || !store.is(Tag.sequence)) return false;
    if (check.is(0, TagClass.context) && check.constructed) return store.children.length === 2;
    if (!check.is(Tag.sequence)) return false;
    const [mac, kdf, value, more] = check.children;
    if (!mac || !kdf || !value || more || !value.is(Tag.octetString)) return false;
    if (!mac.is(Tag.sequence) || !kdf.is(Tag.sequence)) return false;
    const kdfOid = kdf.children[0];
    if (!kdfOid?.is(Tag.oid)) return false;
    const oid = kdfOid.oid();
    return (oid === OID.pbkdf2 || oid === SCRYPT_OID) && (mac.children[0]?.is(Tag.oid) ?? false);
  } catch {
    return false;
  }
}
