import { parseLocation, hostLabel } from './location.js';

/** Hosts worked on at once by default (`--parallel`). */
export const DEFAULT_PARALLEL_HOSTS = 8;

let parallelHosts = DEFAULT_PARALLEL_HOSTS;

/** Sets how many hosts a command reads, stages and cleans up at once (the CLI's --parallel). */
export function configureFanOut(options: { parallel?: number }): void {
  if (options.parallel === undefined) return;
  if (!Number.isInteger(options.parallel) || options.parallel < 1) throw new TypeError('parallel must be a whole number of at least 1');
  parallelHosts = options.parallel;
}

export function fanOutLimit(): number {
  return parallelHosts;
}

/** The host a location lives on, `ssh://user@host:port`, or "local" for a path on this machine. */
export function hostOfLocation(spec: string): string {
  try {
    const location = parseLocation(spec);
    return location.kind === 'ssh' ? hostLabel(location) : 'local';
  } catch {
    // a malformed location fails where it is opened, with its own code
    return spec;
  }
}

/**
 * The one place multi-host work fans out: `fn` runs on every item, the items of one host one
 * after another (one SSH connection carries them in order), up to `limit` hosts at once. Every
 * started call ends before this returns (so what a failed host left is known to its caller's
 * clean-up); a failure stops further hosts from being started, and the first failure (in time)
 * is thrown. Results keep the items' order.
 */
export async function mapByHost<T, R>(items: readonly T[], hostOf: (item: T) => string, fn: (item: T, index: number) => Promise<R>, limit = fanOutLimit()): Promise<R[]> {
  const groups = new Map<string, number[]>();
  items.forEach((item, index) => {
    const key = hostOf(item);
    const list = groups.get(key) ?? [];
    list.push(index);
    groups.set(key, list);
  });
  const out = new Array<R>(items.length);
  const queue = [...groups.values()];
  let failure: { error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    for (let group = queue.shift(); group !== undefined && !failure; group = queue.shift()) {
      for (const index of group) {
        if (failure) return;
        try {
          out[index] = await fn(items[index]!, index);
        } catch (error) {
          failure ??= { error };
          return;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, queue.length)) }, lane));
  if (failure) throw failure.error;
  return out;
}

/** mapByHost for its effects. */
export async function forEachHost<T>(items: readonly T[], hostOf: (item: T) => string, fn: (item: T, index: number) => Promise<void>, limit = fanOutLimit()): Promise<void> {
  await mapByHost(items, hostOf, fn, limit);
}
