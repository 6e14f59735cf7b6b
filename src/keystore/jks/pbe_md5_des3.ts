import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { iteratedMd5 } from './iterated_md5.js';
import { readDer } from '../../asn1/der_reader.js';
import { integer, octetString, sequence } from '../../asn1/der_writer.js';
import { causeWithoutOffset, KeystoreFormatError } from '../../errors.js';
import { concatBytes } from '../../lib/bytes.js';
import { checkDerivationIterations, spendIterations } from '../../crypto/pbe/work_budget.js';

/**
 * SunJCE's PBEWithMD5AndTripleDES (OID 1.3.6.1.4.1.42.2.19.1), the cipher JCEKS protects keys
 * with. It is not PKCS#5 PBES1: each 4-byte half of the 8-byte salt is hashed separately,
 * `iterations` times, as MD5(previous || password), giving 2 x 16 bytes: a 24-byte 3DES key and
 * an 8-byte CBC IV. When the two halves are equal the JDK first reverses the byte order of the
 * first half (so the two chains differ); the test vectors in the unit tests were produced by
 * JDK 17's own Cipher with such a salt. The password is one byte per char, which is why
 * SunJCE refuses passwords outside printable ASCII.
 */
export const PBE_SALT_LENGTH = 8;

/** JDK 17's default (security property jdk.jceks.iterationCount). */
export const JDK_DEFAULT_ITERATIONS = 200_000;

/**
 * The JDK refuses counts above 5,000,000 when it reads a JCEKS; a count read from a file must be
 * bounded before any hashing, or a 100-byte file could make us spin for hours.
 */
export const MAX_ITERATIONS = 5_000_000;

export interface PbeParameters {
  salt: Uint8Array;
  iterations: number;
}

/** True when SunJCE would accept the password for PBE (printable ASCII only). */
export function isPbePassword(password: string): boolean {
  return /^[\x20-\x7e]*$/.test(password);
}

function passwordBytes(password: string): Uint8Array {
  const out = new Uint8Array(password.length);
  for (let i = 0; i < password.length; i++) out[i] = password.charCodeAt(i) & 0x7f;
  return out;
}

export function deriveKeyAndIv(password: string, params: PbeParameters): { key: Uint8Array; iv: Uint8Array } {
  const { salt, iterations } = params;
  if (salt.length !== PBE_SALT_LENGTH) throw new TypeError(`PBEWithMD5AndTripleDES needs an ${PBE_SALT_LENGTH}-byte salt`);
  if (!Number.isSafeInteger(iterations) || iterations < 1) throw new TypeError(`PBEWithMD5AndTripleDES iteration count ${iterations} out of range`);
  checkDerivationIterations(iterations, 'PBE iteration count');
  spendIterations(2 * iterations);
  const halves = [salt.slice(0, 4), salt.slice(4, 8)] as [Uint8Array, Uint8Array];
  if (halves[0].every((b, i) => b === halves[1][i])) halves[0].reverse();
  const pw = passwordBytes(password);
  const out: Uint8Array[] = [];
  for (const half of halves) out.push(iteratedMd5(half, pw, iterations));
  const derived = concatBytes(out);
  return { key: derived.subarray(0, 24), iv: derived.subarray(24, 32) };
}

export function pbeEncrypt(plain: Uint8Array, password: string, params: PbeParameters): Uint8Array {
  const { key, iv } = deriveKeyAndIv(password, params);
  const cipher = createCipheriv('des-ede3-cbc', key, iv);
  return new Uint8Array(Buffer.concat([cipher.update(plain), cipher.final()]));
}

/** The plaintext, or undefined when the padding is wrong (a wrong password, almost always). */
export function pbeDecrypt(encrypted: Uint8Array, password: string, params: PbeParameters): Uint8Array | undefined {
  if (encrypted.length === 0 || encrypted.length % 8 !== 0) return undefined;
  const { key, iv } = deriveKeyAndIv(password, params);
  try {
    const decipher = createDecipheriv('des-ede3-cbc', key, iv);
    return new Uint8Array(Buffer.concat([decipher.update(encrypted), decipher.final()]));
  } catch {
    return undefined;
  }
}

/** A fresh salt whose halves differ, so our output never depends on the JDK's equal-halves quirk. */
export function newPbeParameters(iterations: number = JDK_DEFAULT_ITERATIONS): PbeParameters {
  for (;;) {
    const salt = new Uint8Array(randomBytes(PBE_SALT_LENGTH));
    if (!salt.subarray(0, 4).every((b, i) => b === salt[i + 4])) return { salt, iterations };
  }
}

/** PBEParameter ::= SEQUENCE { salt OCTET STRING (SIZE(8)), iterationCount INTEGER } */
export function encodePbeParameters(params: PbeParameters): Uint8Array {
  return sequence(octetString(params.salt), integer(params.iterations));
}

/** Decodes and bounds-checks parameters read from a file (`offset`: where they start, for errors). */
export function decodePbeParameters(der: Uint8Array, offset = 0): PbeParameters {
  let node;
  try {
    node = readDer(der, 'PBE parameters');
  } catch (cause) {
    throw new KeystoreFormatError('malformed PBEWithMD5AndTripleDES parameters', offset, { cause });
  }
  return pbeParametersFromNode(node, offset);
}

export function pbeParametersFromNode(node: ReturnType<typeof readDer>, offset = 0): PbeParameters {
  let salt: Uint8Array;
  let iterations: number;
  try {
    const [saltNode, countNode] = node.sequence('PBEParameter');
    if (!saltNode || !countNode) throw new Error('incomplete PBEParameter');
    salt = saltNode.octets('salt').slice();
    iterations = countNode.integer('iteration count');
  } catch (cause) {
    // The DER reader's offsets are relative to the parameters; the file offset is what helps.
    throw new KeystoreFormatError(`malformed PBEWithMD5AndTripleDES parameters: ${causeWithoutOffset(cause)}`, offset, { cause });
  }
  if (salt.length !== PBE_SALT_LENGTH) throw new KeystoreFormatError(`PBE salt of ${salt.length} bytes, expected ${PBE_SALT_LENGTH}`, offset);
  if (iterations < 1) throw new KeystoreFormatError(`PBE iteration count ${iterations} outside 1..${MAX_ITERATIONS}`, offset);
  return { salt, iterations: checkDerivationIterations(iterations, 'PBE iteration count', offset) };
}
