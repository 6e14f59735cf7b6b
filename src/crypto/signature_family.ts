import { verify, type KeyObject } from 'node:crypto';
import { readDer, Tag, TagClass, type DerNode } from '../asn1/der_reader.js';
import { OID, SHA_DIGESTS } from '../asn1/oids.js';
import { LIMITS } from '../limits.js';
import { pssVerify } from './pss_verify.js';

/**
 * What a signature AlgorithmIdentifier (certificate, CRL, OCSP response) means to hapki: the key
 * family, the hash, and whether the hash is too weak to trust. The validator and the audit's
 * weak-signature rule, the CA's check of a request and the reply check all classify algorithms
 * here, so they cannot disagree.
 */
export interface SignatureAlgorithm {
  /** A readable name: "sha256WithRSAEncryption", "ecdsa-with-SHA1", "RSASSA-PSS with SHA-256". */
  name: string;
  family: 'rsa' | 'pss' | 'ecdsa' | 'ed25519' | 'ed448' | 'dsa' | 'unknown';
  /** The node:crypto digest name ('sha256'), absent for Ed25519/Ed448 and unknown algorithms. */
  hash?: string;
  /** 'sha1' may be allowed on request; 'md5' (and MD2/MD4) never. */
  weakness?: 'sha1' | 'md5';
  /** RSASSA-PSS salt length in bytes. */
  saltLength?: number;
  /** RSASSA-PSS: MGF1's hash, where it is not the message hash. */
  mgfHash?: string;
}

const RSA: Readonly<Record<string, [string, string]>> = {
  '1.2.840.113549.1.1.2': ['md2WithRSAEncryption', 'md2'],
  '1.2.840.113549.1.1.3': ['md4WithRSAEncryption', 'md4'],
  '1.2.840.113549.1.1.4': ['md5WithRSAEncryption', 'md5'],
  '1.2.840.113549.1.1.5': ['sha1WithRSAEncryption', 'sha1'],
  '1.3.14.3.2.29': ['sha1WithRSASignature', 'sha1'],
  '1.2.840.113549.1.1.14': ['sha224WithRSAEncryption', 'sha224'],
  '1.2.840.113549.1.1.11': ['sha256WithRSAEncryption', 'sha256'],
  '1.2.840.113549.1.1.12': ['sha384WithRSAEncryption', 'sha384'],
  '1.2.840.113549.1.1.13': ['sha512WithRSAEncryption', 'sha512'],
};
const ECDSA: Readonly<Record<string, [string, string]>> = {
  '1.2.840.10045.4.1': ['ecdsa-with-SHA1', 'sha1'],
  '1.2.840.10045.4.3.1': ['ecdsa-with-SHA224', 'sha224'],
  '1.2.840.10045.4.3.2': ['ecdsa-with-SHA256', 'sha256'],
  '1.2.840.10045.4.3.3': ['ecdsa-with-SHA384', 'sha384'],
  '1.2.840.10045.4.3.4': ['ecdsa-with-SHA512', 'sha512'],
};
const DSA: Readonly<Record<string, [string, string]>> = {
  '1.2.840.10040.4.3': ['dsa-with-sha1', 'sha1'],
  '2.16.840.1.101.3.4.3.1': ['dsa-with-sha224', 'sha224'],
  '2.16.840.1.101.3.4.3.2': ['dsa-with-sha256', 'sha256'],
};
const HASHES: Readonly<Record<string, string>> = { ...SHA_DIGESTS, [OID.md5]: 'md5' };
const PSS = OID.rsassaPss;
const MGF1 = OID.mgf1;

function weaknessOf(hash: string | undefined): SignatureAlgorithm['weakness'] {
  if (hash === 'sha1') return 'sha1';
  if (hash === 'md5' || hash === 'md4' || hash === 'md2') return 'md5';
  return undefined;
}

/** Classifies an encoded AlgorithmIdentifier; never throws (an unreadable one is 'unknown'). */
export function signatureAlgorithmOf(encoded: Uint8Array): SignatureAlgorithm {
  try {
    return classify(readDer(encoded, 'signatureAlgorithm').sequence('AlgorithmIdentifier'));
  } catch {
    return { name: 'an unreadable signature algorithm', family: 'unknown' };
  }
}

function classify(items: DerNode[]): SignatureAlgorithm {
  const oid = items[0]!.oid('signature algorithm');
  const params = items[1];
  const table = (family: 'rsa' | 'ecdsa' | 'dsa', entry: [string, string]): SignatureAlgorithm => {
    const out: SignatureAlgorithm = { name: entry[0], family, hash: entry[1] };
    const weakness = weaknessOf(entry[1]);
    if (weakness) out.weakness = weakness;
    return out;
  };
  if (RSA[oid]) return table('rsa', RSA[oid]);
  if (ECDSA[oid]) return table('ecdsa', ECDSA[oid]);
  if (DSA[oid]) return table('dsa', DSA[oid]);
  if (oid === '1.3.101.112') return { name: 'Ed25519', family: 'ed25519' };
  if (oid === '1.3.101.113') return { name: 'Ed448', family: 'ed448' };
  if (oid === PSS) return pss(params);
  return { name: `signature algorithm ${oid}`, family: 'unknown' };
}

/** RSASSA-PSS-params (RFC 4055): absent fields mean SHA-1, MGF1 with SHA-1, salt 20. */
function pss(params: DerNode | undefined): SignatureAlgorithm {
  let hash = 'sha1';
  let mgfHash: string = 'sha1';
  let saltLength = 20;
  if (params && params.is(Tag.sequence)) {
    for (const field of params.children) {
      if (field.is(0, TagClass.context)) hash = HASHES[field.child(0, 'hashAlgorithm').sequence('hashAlgorithm')[0]!.oid('hash')] ?? 'unknown';
      else if (field.is(1, TagClass.context)) {
        const mgf = field.child(0, 'maskGenAlgorithm').sequence('maskGenAlgorithm');
        // MGF1's hash only masks; a SHA of any size does, and OpenSSL and the JDK sign with SHA-1 there
        mgfHash = mgf[0]!.oid('mgf') === MGF1 && mgf[1] ? (SHA_DIGESTS[mgf[1].sequence('mgf hash')[0]!.oid('hash')] ?? 'unknown') : 'unknown';
      } else if (field.is(2, TagClass.context)) saltLength = field.child(0, 'saltLength').integer('saltLength', MAX_SALT_LENGTH);
      else if (field.is(3, TagClass.context) && field.child(0, 'trailerField').integer('trailerField', 2) !== 1) hash = 'unknown';
    }
  } else if (params && !params.is(Tag.null)) hash = 'unknown';
  if (hash === 'unknown' || mgfHash === 'unknown') return { name: 'RSASSA-PSS with parameters hapki does not support', family: 'unknown' };
  const out: SignatureAlgorithm = { name: `RSASSA-PSS with ${hashName(hash)}`, family: 'pss', hash, saltLength };
  if (mgfHash !== hash) {
    out.mgfHash = mgfHash;
    out.name += ` and MGF1 with ${hashName(mgfHash)}`;
  }
  const weakness = weaknessOf(hash);
  if (weakness) out.weakness = weakness;
  return out;
}

// the salt fits in the encoded message, which is no longer than the largest modulus hapki reads
const MAX_SALT_LENGTH = LIMITS.rsaModulusBits / 8;

function hashName(hash: string): string {
  return hash.toUpperCase().replace('SHA', 'SHA-');
}

/**
 * Whether `key` made `signature` over `data` under `algorithm`. The key type must be the one the
 * algorithm names (an RSA key never checks an "ECDSA" signature, an RSASSA-PSS key never a
 * PKCS#1 v1.5 one); unknown and DSA algorithms, and anything node:crypto refuses, are a false.
 * The hash's weakness is the caller's to judge.
 */
export function signatureMatches(algorithm: SignatureAlgorithm, key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  if (!keyFits(algorithm, key)) return false;
  try {
    // node:crypto's PSS has one hash for the message and MGF1; another MGF1 hash is checked here
    if (algorithm.family === 'pss' && algorithm.mgfHash) return pssVerify(key, { hash: algorithm.hash!, mgfHash: algorithm.mgfHash, saltLength: algorithm.saltLength! }, data, signature);
    const hash = algorithm.family === 'ed25519' || algorithm.family === 'ed448' ? null : algorithm.hash!;
    const options =
      algorithm.family === 'pss'
        ? { key, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: algorithm.saltLength! }
        : algorithm.family === 'ecdsa'
          ? { key, dsaEncoding: 'der' as const }
          : { key };
    return verify(hash, data, options, signature);
  } catch {
    return false;
  }
}

/** The key type must be the one the algorithm names. */
function keyFits(algorithm: SignatureAlgorithm, key: KeyObject): boolean {
  const type = key.asymmetricKeyType;
  switch (algorithm.family) {
    case 'rsa':
      return type === 'rsa';
    case 'pss':
      return type === 'rsa' || type === 'rsa-pss';
    case 'ecdsa':
      return type === 'ec';
    case 'ed25519':
      return type === 'ed25519';
    case 'ed448':
      return type === 'ed448';
    default:
      return false;
  }
}
