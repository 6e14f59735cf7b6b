import { AsyncLocalStorage } from 'node:async_hooks';
import { LimitExceededError } from '../../errors.js';
import { LIMITS, fileIterationLimit } from '../../limits.js';

/**
 * Key-derivation rounds one keystore file may make hapki spend: each derivation is bounded
 * (LIMITS.iterationsPerDerivation, as the JDK bounds it), and so is their sum over every MAC,
 * bag and key of the file; without a total, a small hostile file of a hundred bags at a million
 * rounds each would keep hapki busy for an hour. Both are checked on the counts the file shows
 * before any derivation starts (see reserveIterations), and charged again as derivations run.
 */
export const FILE_WORK_BUDGET = fileIterationLimit(LIMITS.iterationsPerDerivation);

interface Budget {
  left: number;
  limit: number;
  perDerivation: number;
}

const current = new AsyncLocalStorage<Budget>();
const configured = new AsyncLocalStorage<number>();

/**
 * Runs `run` with another per-derivation limit for every file read inside it (the CLI's
 * --max-iterations), without passing it through every command that opens a keystore.
 */
export function withIterationLimit<T>(maxIterations: number, run: () => Promise<T>): Promise<T> {
  if (!Number.isSafeInteger(maxIterations) || maxIterations < 1) throw new TypeError(`maxIterations must be a positive integer, not ${maxIterations}`);
  return configured.run(maxIterations, run);
}

const HINT = '(--max-iterations raises the limit for a store you trust)';

/**
 * Runs one file's read under a budget. The budget travels with the async context rather than
 * through every codec's parameters, so the derivations deep inside can charge it. Inside a
 * budget already running (a caller's own, tighter one) no new one starts. `maxIterations` is
 * the per-derivation limit (default: --max-iterations, else LIMITS); the file may spend `budget`
 * rounds in all (default: LIMITS.fileIterationsFactor times the per-derivation limit).
 */
export function withWorkBudget<T>(run: () => Promise<T>, budget?: number, maxIterations: number = configured.getStore() ?? LIMITS.iterationsPerDerivation): Promise<T> {
  if (current.getStore()) return run();
  if (!Number.isSafeInteger(maxIterations) || maxIterations < 1) throw new TypeError(`maxIterations must be a positive integer, not ${maxIterations}`);
  const limit = budget ?? fileIterationLimit(maxIterations);
  return current.run({ left: limit, limit, perDerivation: maxIterations }, run);
}

/**
 * The budget in force, for work a reader hands out to be done later, outside its async context
 * (entries opened one at a time as a stream is read): runs `fn` under that same budget.
 */
export function budgetScope(): <T>(fn: () => T) => T {
  const budget = current.getStore();
  return <T>(fn: () => T): T => (budget ? current.run(budget, fn) : fn());
}

/** The per-derivation limit in force. */
export function iterationLimit(): number {
  return current.getStore()?.perDerivation ?? configured.getStore() ?? LIMITS.iterationsPerDerivation;
}

/** Refuses one derivation's count above the limit in force; `offset` locates it in the file. */
export function checkDerivationIterations(iterations: number, what: string, offset?: number): number {
  const limit = iterationLimit();
  if (iterations > limit) {
    throw new LimitExceededError(`${what} ${iterations} exceeds the limit of ${limit} key-derivation rounds${offset === undefined ? '' : ` (at byte ${offset})`} ${HINT}`);
  }
  return iterations;
}

/**
 * Checks, before any derivation, that the counts a file shows fit its budget (`derivations`:
 * how many derivations run at that count). Counts hidden in encrypted parts are charged when
 * they are reached.
 */
export function reserveIterations(counts: readonly { iterations: number; what: string; offset?: number; derivations?: number }[]): void {
  let total = 0;
  for (const c of counts) total += checkDerivationIterations(c.iterations, c.what, c.offset) * (c.derivations ?? 1);
  const limit = current.getStore()?.limit ?? fileIterationLimit(iterationLimit());
  if (total > limit) throw tooMuch(limit);
}

/** Charges a derivation's rounds to the running file's budget (no budget: nothing to charge). */
export function spendIterations(iterations: number): void {
  const budget = current.getStore();
  if (!budget) return;
  budget.left -= iterations;
  if (budget.left < 0) throw tooMuch(budget.limit);
}

function tooMuch(limit: number): LimitExceededError {
  return new LimitExceededError(`the file asks for more than ${limit} key-derivation rounds in all ${HINT}`);
}
