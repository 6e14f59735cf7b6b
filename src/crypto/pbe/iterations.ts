import type { DerNode } from '../../asn1/der_reader.js';
import { KeystoreFormatError } from '../../errors.js';

/**
 * The largest iteration count hapki accepts from a file. Real writers use 2,048 to a few
 * hundred thousand; a hostile file could ask for 2^31, and the PKCS#12 KDF runs in JavaScript,
 * so anything past this bound is treated as a corrupt file instead of a reason to hang.
 */
export const MAX_ITERATIONS = 10_000_000;

/** Reads an iteration count INTEGER, rejecting zero and counts above MAX_ITERATIONS. */
export function readIterations(node: DerNode, what = 'iteration count'): number {
  const value = BigInt(node.integer(what));
  if (value < 1n || value > BigInt(MAX_ITERATIONS)) {
    throw new KeystoreFormatError(`${what} ${value} is outside 1..${MAX_ITERATIONS}`, node.offset);
  }
  return Number(value);
}

/** Validates a caller-chosen iteration count (a programming error, hence TypeError). */
export function checkIterations(iterations: number): number {
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) {
    throw new TypeError(`iteration count must be an integer from 1 to ${MAX_ITERATIONS}, not ${iterations}`);
  }
  return iterations;
}
