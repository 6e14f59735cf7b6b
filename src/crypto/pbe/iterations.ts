import type { DerNode } from '../../asn1/der_reader.js';
import { KeystoreFormatError } from '../../errors.js';
import { LIMITS } from '../../limits.js';
import { checkDerivationIterations } from './work_budget.js';

/** The largest iteration count hapki writes (and, unless --max-iterations says more, reads). */
export const MAX_ITERATIONS = LIMITS.iterationsPerDerivation;

/** Reads an iteration count INTEGER, rejecting zero and counts above the limit in force (before any derivation). */
export function readIterations(node: DerNode, what = 'iteration count'): number {
  const value = node.integer(what);
  if (value < 1) throw new KeystoreFormatError(`${what} ${value} is outside 1..${MAX_ITERATIONS}`, node.offset);
  return checkDerivationIterations(value, what, node.offset);
}

/** Validates a caller-chosen iteration count (a programming error, hence TypeError). */
export function checkIterations(iterations: number): number {
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) {
    throw new TypeError(`iteration count must be an integer from 1 to ${MAX_ITERATIONS}, not ${iterations}`);
  }
  return iterations;
}
