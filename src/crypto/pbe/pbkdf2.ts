import { pbkdf2 } from 'node:crypto';
import { memoizedDerivation } from './derivation_memo.js';
import { promisify } from 'node:util';
import { Tag, type DerNode } from '../../asn1/der_reader.js';
import { algorithmIdentifier, integer, nullValue, octetString, sequence } from '../../asn1/der_writer.js';
import { OID } from '../../asn1/oids.js';
import { KeystoreFormatError, UnsupportedAlgorithmError } from '../../errors.js';
import { readIterations } from './iterations.js';
import { spendIterations } from './work_budget.js';

/** PBKDF2 (RFC 8018 section 5.2) parameters, as PBES2 and PBMAC1 carry them. */
export type HmacHash = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512' | 'sha512-224' | 'sha512-256';

export interface Pbkdf2Params {
  salt: Uint8Array;
  iterations: number;
  /** The keyLength field, when the writer included it. */
  keyLength?: number;
  prf: HmacHash;
}

const PRF_BY_OID: Readonly<Record<string, HmacHash>> = {
  [OID.hmacWithSHA1]: 'sha1',
  [OID.hmacWithSHA224]: 'sha224',
  [OID.hmacWithSHA256]: 'sha256',
  [OID.hmacWithSHA384]: 'sha384',
  [OID.hmacWithSHA512]: 'sha512',
  [OID.hmacWithSHA512_224]: 'sha512-224',
  [OID.hmacWithSHA512_256]: 'sha512-256',
};

const PRF_OID: Readonly<Record<HmacHash, string>> = {
  sha1: OID.hmacWithSHA1,
  sha224: OID.hmacWithSHA224,
  sha256: OID.hmacWithSHA256,
  sha384: OID.hmacWithSHA384,
  sha512: OID.hmacWithSHA512,
  'sha512-224': OID.hmacWithSHA512_224,
  'sha512-256': OID.hmacWithSHA512_256,
};

/** The HMAC hash named by an hmacWithSHA* OID, or UnsupportedAlgorithmError. */
export function hmacHashOf(oid: string, context: string): HmacHash {
  const hash = PRF_BY_OID[oid];
  if (!hash) throw new UnsupportedAlgorithmError(oid, context);
  return hash;
}

/** Parses a PBKDF2 AlgorithmIdentifier (OID and PBKDF2-params). */
export function readPbkdf2Algorithm(algorithm: DerNode): Pbkdf2Params {
  const [oidNode, params] = algorithm.sequence('key derivation AlgorithmIdentifier');
  if (!oidNode) throw new KeystoreFormatError('empty key derivation AlgorithmIdentifier', algorithm.offset);
  const oid = oidNode.oid('key derivation algorithm');
  if (oid !== OID.pbkdf2) throw new UnsupportedAlgorithmError(oid, 'key derivation function');
  if (!params) throw new KeystoreFormatError('PBKDF2 without parameters', algorithm.offset);
  const fields = params.sequence('PBKDF2-params');
  const saltNode = fields[0];
  if (!saltNode) throw new KeystoreFormatError('PBKDF2-params without a salt', params.offset);
  if (!saltNode.is(Tag.octetString)) throw new UnsupportedAlgorithmError('PBKDF2 otherSource salt', 'key derivation function');
  const salt = saltNode.octets('PBKDF2 salt');
  const iterations = readIterations(params.child(1, 'PBKDF2 iteration count'), 'PBKDF2 iteration count');
  let index = 2;
  let keyLength: number | undefined;
  const maybeLength = fields[index];
  if (maybeLength?.is(Tag.integer)) {
    keyLength = maybeLength.integer('PBKDF2 key length', 1024);
    index++;
  }
  let prf: HmacHash = 'sha1';
  const prfNode = fields[index];
  if (prfNode) {
    const prfOid = prfNode.sequence('PBKDF2 prf').at(0)?.oid('PBKDF2 prf algorithm');
    if (!prfOid) throw new KeystoreFormatError('empty PBKDF2 prf AlgorithmIdentifier', prfNode.offset);
    prf = hmacHashOf(prfOid, 'PBKDF2 pseudo-random function');
    index++;
  }
  if (fields.length > index) throw new KeystoreFormatError('unexpected field in PBKDF2-params', fields[index]!.offset);
  return keyLength === undefined ? { salt, iterations, prf } : { salt, iterations, keyLength, prf };
}

export function pbkdf2Algorithm(params: Pbkdf2Params): Uint8Array {
  const fields = [octetString(params.salt), integer(params.iterations)];
  if (params.keyLength !== undefined) fields.push(integer(params.keyLength));
  // hmacWithSHA1 is the DEFAULT, which DER omits.
  if (params.prf !== 'sha1') fields.push(algorithmIdentifier(PRF_OID[params.prf], nullValue()));
  return algorithmIdentifier(OID.pbkdf2, sequence(...fields));
}

const pbkdf2Async = promisify(pbkdf2);

export async function derivePbkdf2(password: Uint8Array, params: Pbkdf2Params, length: number): Promise<Uint8Array> {
  if (params.keyLength !== undefined && params.keyLength !== length) {
    throw new KeystoreFormatError(`PBKDF2 key length ${params.keyLength} does not fit the ${length}-byte key the scheme needs`);
  }
  spendIterations(params.iterations);
  return memoizedDerivation(['pbkdf2', params.prf, password, params.salt, params.iterations, length], async () => new Uint8Array(await pbkdf2Async(password, params.salt, params.iterations, length, params.prf)));
}

