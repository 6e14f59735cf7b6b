import { Tag } from '../../asn1/der_reader.js';
import { algorithmIdentifier, bmpString, compactTree, DerTree, encodeDer, explicitTree, integer, nullValue, octetString, oid, primitiveTree, sequence, sequenceTree, setOf, type DerPart } from '../../asn1/der_writer.js';
import { OID } from '../../asn1/oids.js';
import { encryptPrivateKeyInfo } from '../../crypto/pbe/encrypted_private_key_info.js';
import { checkIterations } from '../../crypto/pbe/iterations.js';
import { encryptPbes2Streamed, encryptPkcs12Pbe } from '../../crypto/pbe/pbe.js';
import { KeyLockedError, UnsupportedAlgorithmError } from '../../errors.js';
import { utf8 } from '../../lib/bytes.js';
import { contentKey } from '../../crypto/digest.js';
import type { WriteOptions } from '../codec.js';
import type { Keystore, PrivateKeyEntry, SecretKeyEntry } from '../model.js';
import { createMacData } from './mac.js';
import { secretKeyOid } from './secret_key_algorithms.js';

const MODERN_ITERATIONS = 10_000;
const LEGACY_ITERATIONS = 2048;

/**
 * Writes a PKCS#12 file that keytool (JDK 8u301+) and OpenSSL 3 read.
 *
 * Modern (default, what JDK 17 and OpenSSL 3 write): keys and certificates under PBES2 with
 * PBKDF2-HMAC-SHA-256 and AES-256-CBC, MAC HMAC-SHA-256. Legacy: keys under
 * pbeWithSHAAnd3-KeyTripleDES-CBC, certificates under pbeWithSHAAnd40BitRC2-CBC, MAC
 * HMAC-SHA-1, for older Java and Windows.
 *
 * Every key is encrypted with the store password, never an entry's own: keys with their own
 * password (`openssl pkcs12 -twopass`) are a trap most PKCS#12 readers fall into.
 * No password means the empty one, encoded for the MAC as OpenSSL does (BMPString "" plus its
 * two-byte terminator); keytool given `-storepass ""` tries that form as well as the absent one.
 */
export async function writePkcs12(store: Keystore, options: WriteOptions = {}): Promise<Uint8Array> {
  const password = options.password ?? '';
  const legacy = options.legacy ?? store.protection?.legacy ?? false;
  const iterations = checkIterations(options.iterations ?? (legacy ? LEGACY_ITERATIONS : MODERN_ITERATIONS));
  const keyIds = new LocalKeyIds();
  // keytool ignores certificate bags without Oracle's trusted-key-usage attribute (one encoding, shared by every bag).
  const trust = sequence(oid(OID.javaTrustedKeyUsage), setOf(oid(OID.anyExtendedKeyUsage)));

  // bags are trees holding the certificates and keys by reference: each is copied once, into
  // the SafeContents that get encrypted, not once per nesting level
  const keyBags: DerPart[] = [];
  const certBags: DerPart[] = [];
  const chainCertsWritten = new Set<string>();
  for (const entry of store.entries) {
    if (entry.type === 'private-key') {
      const id = keyIds.next(entry.created);
      const attributes = [friendlyName(entry.alias), localKeyId(id)];
      keyBags.push(safeBag(OID.pkcs8ShroudedKeyBag, await shroudedKey(entry, password, legacy, iterations), attributes));
      entry.chain.forEach((cert, i) => {
        if (i === 0) {
          certBags.push(certBag(cert, attributes));
        } else if (!chainCertsWritten.has(contentKey(cert))) {
          // CA certificates shared by several chains once; both readers rebuild chains by name.
          chainCertsWritten.add(contentKey(cert));
          certBags.push(certBag(cert, []));
        }
      });
    } else if (entry.type === 'trusted-cert') {
      certBags.push(certBag(entry.certificate, [friendlyName(entry.alias), trust]));
    } else {
      const id = keyIds.next(entry.created);
      keyBags.push(await secretBag(entry, password, legacy, iterations, [friendlyName(entry.alias), localKeyId(id)]));
    }
  }

  if (store.protection?.unprotected && keyBags.length === 0 && options.legacy === undefined) {
    // as it was read: certificates in the clear, no MAC or one under the empty password (a password-less trust store stays one)
    const clear = sequenceTree(dataContentInfo(sequenceTree(...certBags)));
    const macPassword = store.protection.macPassword;
    if (macPassword === undefined) return encodeDer(sequenceTree(integer(3), dataContentInfo(clear)));
    return encodeDer(sequenceTree(integer(3), dataContentInfo(clear), await createMacData(clear, macPassword, { hash: 'sha256', iterations })));
  }
  const contentInfos: DerPart[] = [];
  if (certBags.length > 0) {
    // the SafeContents are encrypted as their tree is walked: no plaintext copy of the store, and
    // (modern) no ciphertext either: encrypted again for the MAC and again into the file
    const certificates = sequenceTree(...certBags);
    const { algorithmIdentifier: scheme, ciphertext } = legacy
      ? await encryptPkcs12Pbe(certificates, password, { algorithm: OID.pbeWithSHAAnd40BitRC2CBC, iterations })
      : await encryptPbes2Streamed(certificates, password, { iterations });
    // [0] IMPLICIT OCTET STRING: primitive, context class
    const encryptedContentInfo = sequenceTree(oid(OID.data), scheme, primitiveTree(0x80, ciphertext));
    contentInfos.push(sequenceTree(oid(OID.encryptedData), explicitTree(0, sequenceTree(integer(0), encryptedContentInfo))));
  }
  if (keyBags.length > 0 || certBags.length === 0) contentInfos.push(dataContentInfo(sequenceTree(...keyBags)));
  // serialised once: the MAC reads the tree's chunks, and the file is written in one buffer
  const authSafe = sequenceTree(...contentInfos);
  const macData = await createMacData(authSafe, password, { hash: legacy ? 'sha1' : 'sha256', iterations });
  return encodeDer(sequenceTree(integer(3), dataContentInfo(authSafe), macData));
}

async function shroudedKey(entry: PrivateKeyEntry, password: string, legacy: boolean, iterations: number): Promise<Uint8Array> {
  if (entry.key) return encryptPrivateKeyInfo(entry.key, password, { legacy, iterations });
  // A key this codec could not open is kept as it was, for the password that sealed it.
  if (entry.sealed?.format === 'PKCS12') return entry.sealed.data;
  throw new KeyLockedError(entry.alias);
}

/**
 * How the JDK stores a SecretKeyEntry: a secretBag of type pkcs8ShroudedKeyBag whose value
 * is an EncryptedPrivateKeyInfo over { version 0, AlgorithmIdentifier of the key's Java
 * algorithm, OCTET STRING key }.
 */
async function secretBag(entry: SecretKeyEntry, password: string, legacy: boolean, iterations: number, attributes: Uint8Array[]): Promise<DerTree> {
  let encrypted: Uint8Array;
  if (entry.key) {
    const algorithm = secretKeyOid(entry.algorithm);
    if (!algorithm) throw new UnsupportedAlgorithmError(entry.algorithm, `secret key "${entry.alias}": PKCS#12 needs an OID for its algorithm`);
    // The JDK's AlgorithmId encodes absent parameters as NULL; keytool reads either.
    const info = sequence(integer(0), algorithmIdentifier(algorithm, nullValue()), octetString(entry.key));
    encrypted = await encryptPrivateKeyInfo(info, password, { legacy, iterations });
  } else if (entry.sealed?.format === 'PKCS12') {
    encrypted = entry.sealed.data;
  } else {
    throw new KeyLockedError(entry.alias);
  }
  const value = sequenceTree(oid(OID.pkcs8ShroudedKeyBag), explicitTree(0, primitiveTree(Tag.octetString, encrypted)));
  return safeBag(OID.secretBag, value, attributes);
}

function safeBag(bagId: string, value: DerPart, attributes: Uint8Array[]): DerTree {
  const fields: DerPart[] = [oid(bagId), explicitTree(0, value)];
  if (attributes.length > 0) fields.push(setOf(...attributes));
  return sequenceTree(...fields);
}

function certBag(der: Uint8Array, attributes: Uint8Array[]): DerTree {
  // one bag per certificate, thousands in a large store: kept compact until the file is written
  return compactTree(safeBag(OID.certBag, sequenceTree(oid(OID.x509Certificate), explicitTree(0, primitiveTree(Tag.octetString, der))), attributes));
}

function dataContentInfo(content: DerPart): DerTree {
  return sequenceTree(oid(OID.data), explicitTree(0, primitiveTree(Tag.octetString, content)));
}

function friendlyName(alias: string): Uint8Array {
  return sequence(oid(OID.friendlyName), setOf(bmpString(alias)));
}

function localKeyId(id: Uint8Array): Uint8Array {
  return sequence(oid(OID.localKeyId), setOf(octetString(id)));
}

/**
 * localKeyId values in the JDK's form, "Time <ms>": keytool shows that time as the entry's
 * creation date. Each id is unique within the file, as pairing keys with certificates needs.
 */
class LocalKeyIds {
  private readonly used = new Set<number>();

  next(created: Date | undefined): Uint8Array {
    const time = created?.getTime();
    let ms = time !== undefined && Number.isFinite(time) ? time : Date.now();
    while (this.used.has(ms)) ms++;
    this.used.add(ms);
    return utf8(`Time ${ms}`);
  }
}
