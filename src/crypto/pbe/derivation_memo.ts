import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';

/**
 * Password-based key derivations remembered for the length of one job (withDerivationMemo): a
 * job that writes a keystore and then reads it back (apply's convergence check) derives the
 * same keys from the same password, salt and count as the write did, 10,000 rounds each. Outside
 * such a job nothing is remembered. Entries are keyed by a digest of the inputs (the password is
 * never a key), and wiped when the job ends. Iteration budgets are charged by the callers as
 * before, hit or miss.
 */
const memo = new AsyncLocalStorage<{ keys: Map<string, Uint8Array>; open: boolean }>();

/**
 * Runs `job` with derivations remembered; they are zeroed and dropped when it settles, and a
 * derivation still running then (work the job left behind) is not remembered.
 */
export async function withDerivationMemo<T>(job: () => Promise<T>): Promise<T> {
  if (memo.getStore()) return job();
  const remembered = { keys: new Map<string, Uint8Array>(), open: true };
  try {
    return await memo.run(remembered, job);
  } finally {
    remembered.open = false;
    for (const key of remembered.keys.values()) key.fill(0);
    remembered.keys.clear();
  }
}

/** `derive()`, or its result for the same inputs earlier in the job (a copy each time). */
export async function memoizedDerivation(inputs: readonly (string | number | Uint8Array)[], derive: () => Promise<Uint8Array>): Promise<Uint8Array> {
  const remembered = memo.getStore();
  if (!remembered?.open) return derive();
  const h = createHash('sha256');
  for (const input of inputs) {
    const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : typeof input === 'number' ? Buffer.from(String(input)) : input;
    // each input length-prefixed, so that no two input lists digest alike
    h.update(Buffer.from(String(bytes.length) + ':')).update(bytes);
  }
  const key = h.digest('hex');
  const known = remembered.keys.get(key);
  if (known) return known.slice();
  const derived = await derive();
  if (remembered.open) remembered.keys.set(key, derived.slice());
  return derived;
}
