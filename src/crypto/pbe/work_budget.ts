import { AsyncLocalStorage } from 'node:async_hooks';
import { KeystoreFormatError } from '../../errors.js';

/**
 * Key-derivation rounds one keystore file may make hapki spend, summed over every MAC, bag and
 * key it holds. Each count is bounded on its own already; without a total, a small hostile file
 * of a hundred bags at a million rounds each would keep hapki busy for an hour. Real stores
 * need well under a million (OpenSSL writes 2,048 rounds, the JDK 10,000, JCEKS 200,000 a key).
 */
export const FILE_WORK_BUDGET = 25_000_000;

const current = new AsyncLocalStorage<{ left: number; limit: number }>();

/**
 * Runs one file's read under a budget. The budget travels with the async context rather than
 * through every codec's parameters, so the derivations deep inside can charge it. Inside a
 * budget already running (a caller's own, tighter one) no new one starts.
 */
export function withWorkBudget<T>(run: () => Promise<T>, budget = FILE_WORK_BUDGET): Promise<T> {
  if (current.getStore()) return run();
  return current.run({ left: budget, limit: budget }, run);
}

/** Charges a derivation's rounds to the running file's budget (no budget: nothing to charge). */
export function spendIterations(iterations: number): void {
  const budget = current.getStore();
  if (!budget) return;
  budget.left -= iterations;
  if (budget.left < 0) {
    throw new KeystoreFormatError(`the file asks for more than ${budget.limit} key-derivation rounds in all: refused as hostile or corrupt`);
  }
}
