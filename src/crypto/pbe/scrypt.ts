import { scrypt } from 'node:crypto';
import { Tag, type DerNode } from '../../asn1/der_reader.js';
import { KeystoreFormatError, LimitExceededError } from '../../errors.js';
import { spendIterations } from './work_budget.js';

/** id-scrypt (RFC 7914 section 7), a PBES2 key derivation function: `openssl pkcs8 -scrypt`. */
export const SCRYPT_OID = '1.3.6.1.4.1.11591.4.11';

export interface ScryptParams {
  salt: Uint8Array;
  cost: number;
  blockSize: number;
  parallelization: number;
  keyLength?: number;
}

/**
 * Memory one derivation may take (128 * N * r bytes): 256 MiB, 16 times what OpenSSL's default
 * (N = 16384, r = 8) needs, so a hostile file cannot make hapki allocate gigabytes.
 */
const MAX_SCRYPT_MEMORY = 256 * 1024 * 1024;

/** scrypt-params ::= SEQUENCE { salt OCTET STRING, costParameter, blockSize, parallelizationParameter, keyLength INTEGER OPTIONAL } */
export function readScryptParams(params: DerNode): ScryptParams {
  const fields = params.sequence('scrypt-params');
  const salt = params.child(0, 'scrypt salt').octets('scrypt salt');
  const cost = params.child(1, 'scrypt cost').integer('scrypt cost');
  const blockSize = params.child(2, 'scrypt block size').integer('scrypt block size');
  const parallelization = params.child(3, 'scrypt parallelization').integer('scrypt parallelization');
  if (cost < 2 || (cost & (cost - 1)) !== 0) throw new KeystoreFormatError(`scrypt cost ${cost} is not a power of two above 1`, params.offset);
  if (blockSize < 1 || parallelization < 1) throw new KeystoreFormatError('scrypt block size and parallelization must be positive', params.offset);
  let keyLength: number | undefined;
  const last = fields[4];
  if (last) {
    if (!last.is(Tag.integer)) throw new KeystoreFormatError('unexpected field in scrypt-params', last.offset);
    keyLength = last.integer('scrypt key length', 1024);
  }
  if (fields.length > 5) throw new KeystoreFormatError('unexpected field in scrypt-params', fields[5]!.offset);
  return keyLength === undefined ? { salt, cost, blockSize, parallelization } : { salt, cost, blockSize, parallelization, keyLength };
}

export async function deriveScrypt(password: Uint8Array, params: ScryptParams, length: number): Promise<Uint8Array> {
  if (params.keyLength !== undefined && params.keyLength !== length) {
    throw new KeystoreFormatError(`scrypt key length ${params.keyLength} does not fit the ${length}-byte key the scheme needs`);
  }
  const memory = 128 * params.cost * params.blockSize;
  if (memory > MAX_SCRYPT_MEMORY || params.parallelization > 16) {
    throw new LimitExceededError(`the file asks scrypt for N=${params.cost}, r=${params.blockSize}, p=${params.parallelization}, more than hapki spends on one key`);
  }
  // charged as N * r * p rounds of the file's key-derivation budget
  spendIterations(params.cost * params.blockSize * params.parallelization);
  return new Promise((resolve, reject) => {
    scrypt(password, params.salt, length, { N: params.cost, r: params.blockSize, p: params.parallelization, maxmem: 2 * MAX_SCRYPT_MEMORY }, (error, key) => {
      // (parameters Node refuses are the file's fault, never a wrong password)
      if (error) reject(new KeystoreFormatError(`scrypt parameters N=${params.cost}, r=${params.blockSize}, p=${params.parallelization} refused`, undefined, { cause: error }));
      else resolve(new Uint8Array(key));
    });
  });
}
