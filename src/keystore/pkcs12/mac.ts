import { createHmac, randomBytes } from 'node:crypto';
import type { DerNode } from '../../asn1/der_reader.js';
import { algorithmIdentifier, derChunks, integer, nullValue, octetString, sequence, type DerPart } from '../../asn1/der_writer.js';
import { OID, SHA_DIGESTS } from '../../asn1/oids.js';
import { KeystoreFormatError, UnsupportedAlgorithmError } from '../../errors.js';
import { constantTimeEqual, utf8 } from '../../lib/bytes.js';
import { readIterations } from '../../crypto/pbe/iterations.js';
import { derivePbkdf2, hmacHashOf, readPbkdf2Algorithm, type Pbkdf2Params } from '../../crypto/pbe/pbkdf2.js';
import {
  derivePkcs12Key,
  hashOutputLength,
  Pkcs12KdfPurpose,
  pkcs12PasswordBytes,
  type Pkcs12KdfHash,
} from '../../crypto/pbe/pkcs12_kdf.js';

/**
 * The PFX MacData: HMAC over the AuthenticatedSafe, keyed by the PKCS#12 KDF (RFC 7292
 * appendix B) or by PBKDF2 under PBMAC1 (RFC 9579).
 */

export type MacHash = Pkcs12KdfHash;

export type ParsedMac =
  | { kind: 'pkcs12'; hash: MacHash; digest: Uint8Array; salt: Uint8Array; iterations: number }
  | { kind: 'pbmac1'; hash: MacHash; digest: Uint8Array; kdf: Pbkdf2Params & { keyLength: number } };

/** Every digest `openssl pkcs12 -export -macalg` takes; the JDK writes SHA-1 and SHA-2 only. */
const DIGESTS: Readonly<Record<string, MacHash>> = {
  ...SHA_DIGESTS,
  [OID.sha512_224]: 'sha512-224',
  [OID.sha512_256]: 'sha512-256',
  '1.2.840.113549.2.5': 'md5',
  '1.2.156.10197.1.401': 'sm3',
  '2.16.840.1.101.3.4.2.7': 'sha3-224',
  '2.16.840.1.101.3.4.2.8': 'sha3-256',
  '2.16.840.1.101.3.4.2.9': 'sha3-384',
  '2.16.840.1.101.3.4.2.10': 'sha3-512',
};

const DIGEST_OIDS: Readonly<Record<MacHash, string>> = {
  sha1: OID.sha1,
  sha224: OID.sha224,
  sha256: OID.sha256,
  sha384: OID.sha384,
  sha512: OID.sha512,
  'sha512-224': OID.sha512_224,
  'sha512-256': OID.sha512_256,
  md5: '1.2.840.113549.2.5',
  sm3: '1.2.156.10197.1.401',
  'sha3-224': '2.16.840.1.101.3.4.2.7',
  'sha3-256': '2.16.840.1.101.3.4.2.8',
  'sha3-384': '2.16.840.1.101.3.4.2.9',
  'sha3-512': '2.16.840.1.101.3.4.2.10',
};

export function parseMacData(macData: DerNode): ParsedMac {
  const fields = macData.sequence('MacData');
  const digestInfo = macData.child(0, 'MAC DigestInfo');
  digestInfo.sequence('MAC DigestInfo');
  const algorithm = digestInfo.child(0, 'MAC digest algorithm');
  const oid = algorithm.child(0, 'MAC digest algorithm').oid('MAC digest algorithm');
  const digest = digestInfo.child(1, 'MAC value').octets('MAC value');
  const salt = macData.child(1, 'MAC salt').octets('MAC salt');
  const iterationsNode = fields[2];
  const iterations = iterationsNode ? readIterations(iterationsNode, 'MAC iteration count') : 1;
  if (oid === OID.pbmac1) {
    // RFC 9579: macSalt and iterations are present but unused; PBKDF2 carries its own.
    const params = algorithm.child(1, 'PBMAC1 parameters');
    params.sequence('PBMAC1-params');
    const kdf = readPbkdf2Algorithm(params.child(0, 'PBMAC1 keyDerivationFunc'));
    if (kdf.keyLength === undefined) throw new KeystoreFormatError('PBMAC1 PBKDF2-params without keyLength', params.offset);
    const schemeOid = params.child(1, 'PBMAC1 messageAuthScheme').child(0, 'PBMAC1 messageAuthScheme').oid('PBMAC1 messageAuthScheme');
    const hash = hmacHashOf(schemeOid, 'PBMAC1 message authentication scheme');
    return { kind: 'pbmac1', hash, digest, kdf: { ...kdf, keyLength: kdf.keyLength } };
  }
  const hash = DIGESTS[oid];
  if (!hash) throw new UnsupportedAlgorithmError(oid, 'PKCS#12 MAC digest');
  return { kind: 'pkcs12', hash, digest, salt, iterations };
}

/** True when the password opens the MAC. */
export async function verifyMac(mac: ParsedMac, content: Uint8Array, password: string | null): Promise<boolean> {
  let key: Uint8Array;
  if (mac.kind === 'pbmac1') {
    key = await derivePbkdf2(password === null ? new Uint8Array(0) : utf8(password), mac.kdf, mac.kdf.keyLength);
  } else {
    const length = hashOutputLength(mac.hash);
    key = await derivePkcs12Key(mac.hash, pkcs12PasswordBytes(password), mac.salt, mac.iterations, Pkcs12KdfPurpose.mac, length);
  }
  const actual = new Uint8Array(createHmac(mac.hash, key).update(content).digest());
  return constantTimeEqual(actual, mac.digest);
}

/** MacData (DER) with the PKCS#12 KDF, a 20-byte random salt (as the JDK writes). */
export async function createMacData(content: DerPart, password: string | null, options: { hash: MacHash; iterations: number }): Promise<Uint8Array> {
  const salt = new Uint8Array(randomBytes(20));
  const length = hashOutputLength(options.hash);
  const key = await derivePkcs12Key(options.hash, pkcs12PasswordBytes(password), salt, options.iterations, Pkcs12KdfPurpose.mac, length);
  // a tree is MACed chunk by chunk, as it will be written, without serialising it first
  const hmac = createHmac(options.hash, key);
  for (const chunk of derChunks(content)) hmac.update(chunk);
  const digest = new Uint8Array(hmac.digest());
  return sequence(
    sequence(algorithmIdentifier(DIGEST_OIDS[options.hash], nullValue()), octetString(digest)),
    octetString(salt),
    integer(options.iterations),
  );
}
