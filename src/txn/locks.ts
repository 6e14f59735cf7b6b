import { posix } from 'node:path';
import { FileExistsError, IoError, LockedError } from '../errors.js';
import type { FileTransport } from '../fs/transport.js';
import { describeHolder, guardBytes, guardIsStale, holderIsDead, parseGuardOwner, parseHolder, UNREADABLE_STALE_MS, type LockHolder } from './holder.js';
import { lockPathOf, takeoverPathOf } from './names.js';

export interface HeldLock {
  transport: FileTransport;
  target: string;
  txn: string;
}

/** Acquired, or the lock of a dead holder is in the way: the caller recovers its change set and tries again. */
export type LockAttempt = { held: HeldLock } | { stale: LockHolder };

const LOCK_BYTES_LIMIT = 1024 * 1024;
/** A takeover guard older than this is stale whoever holds it (a takeover takes milliseconds). */
export const TAKEOVER_GUARD_MAX_AGE_MS = 10_000;

/** An unreadable lock file older than this is debris (see UNREADABLE_STALE_MS). */
export const UNREADABLE_LOCK_STALE_MS = UNREADABLE_STALE_MS;

/**
 * Takes the advisory lock of one file: a lock file beside it, created with O_EXCL, holding who
 * we are. Waits for a live holder until the deadline, then ERR_LOCKED naming it.
 */
export async function acquireLock(transport: FileTransport, target: string, holder: LockHolder, deadline: number): Promise<LockAttempt> {
  const path = lockPathOf(target);
  const bytes = new Uint8Array(Buffer.from(JSON.stringify(holder)));
  for (let attempt = 0; ; attempt++) {
    try {
      await transport.createExclusive(path, bytes, 0o600);
      return { held: { transport, target, txn: holder.txn } };
    } catch (error) {
      if (!(error instanceof FileExistsError)) throw lockFailure(error, target);
    }
    const current = await readLock(transport, path);
    if (current.holder && current.holder.txn !== holder.txn && (await holderIsDead(current.holder))) return { stale: current.holder };
    if (!current.holder && current.ageMs !== undefined && current.ageMs > UNREADABLE_LOCK_STALE_MS) {
      await removeUnreadableLock(transport, target);
      continue;
    }
    if (Date.now() >= deadline) throw new LockedError(target, describeHolder(current.holder));
    await sleep(Math.min(50 + attempt * 25, 250) + Math.floor(Math.random() * 50));
  }
}

/**
 * The lock is the first file a write creates beside its target: a failure to create it is said
 * about the file the user named and its directory, not about hapki's lock file.
 */
function lockFailure(error: unknown, target: string): unknown {
  if (!(error instanceof IoError)) return error;
  const errno = ((error as { cause?: { code?: unknown } }).cause?.code ?? '') as string;
  const dir = posix.dirname(target);
  const why: Readonly<Record<string, string>> = {
    ENOENT: `the directory ${dir} does not exist (or takes no new files)`,
    ENOTDIR: `${dir} is not a directory`,
    EACCES: `no permission to create files in ${dir} (hapki writes its lock, the new content and the .bak beside the file, then renames)`,
    EPERM: `no permission to create files in ${dir} (hapki writes its lock, the new content and the .bak beside the file, then renames)`,
    EROFS: `${dir} is on a read-only file system`,
  };
  return why[errno] ? new IoError(`cannot write ${target}: ${why[errno]}`, { cause: error }) : error;
}

/** Removes our lock file, if it still is ours. */
export async function releaseLock(lock: HeldLock): Promise<void> {
  const path = lockPathOf(lock.target);
  const current = await readLock(lock.transport, path);
  if (current.holder?.txn === lock.txn) await lock.transport.unlink(path);
}

/**
 * Removes the lock of a dead change set. Two processes may find the same stale lock: a
 * takeover file, itself created with O_EXCL, lets one of them at a time re-check and remove it.
 */
export async function removeStaleLock(transport: FileTransport, target: string, deadTxn: string): Promise<void> {
  await removeLockIf(transport, target, (current) => current.holder?.txn === deadTxn);
}

/**
 * Removes a lock file nobody can parse once it is older than UNREADABLE_LOCK_STALE_MS, checked
 * again under the takeover guard: two processes that both found it must not remove, the second
 * time, the lock the first one has just taken. True when it removed one.
 */
export async function removeUnreadableLock(transport: FileTransport, target: string): Promise<boolean> {
  return removeLockIf(transport, target, (current) => !current.holder && current.ageMs !== undefined && current.ageMs > UNREADABLE_LOCK_STALE_MS);
}

async function removeLockIf(transport: FileTransport, target: string, stale: (current: { holder?: LockHolder; ageMs?: number }) => boolean): Promise<boolean> {
  const path = lockPathOf(target);
  const guard = takeoverPathOf(target);
  // every guard is stale within TAKEOVER_GUARD_MAX_AGE_MS of its making (one its killed writer never
  // filled in, too): a count of attempts shorter than that gave up on such a guard, and a recovery
  // then left the dead change set's lock behind for good
  const deadline = Date.now() + 2 * TAKEOVER_GUARD_MAX_AGE_MS;
  while (Date.now() < deadline) {
    try {
      await transport.createExclusive(guard, await guardBytes(), 0o600);
    } catch (error) {
      if (!(error instanceof FileExistsError)) throw error;
      // its owner died holding it (killed), or it is older than a takeover ever takes
      if (await staleGuard(transport, guard, TAKEOVER_GUARD_MAX_AGE_MS)) await transport.unlink(guard);
      await sleep(20);
      continue;
    }
    try {
      const current = await readLock(transport, path);
      if (current.ageMs === undefined || !stale(current)) return false;
      await transport.unlink(path);
      return true;
    } finally {
      await transport.unlink(guard);
    }
  }
  return false;
}

/**
 * Whether a guard file (a lock takeover or a recovery under way) is in nobody's way any more: its
 * owner died holding it, or it is older than `maxAgeMs` (guardIsStale). False when it is gone.
 */
export async function staleGuard(transport: FileTransport, guard: string, maxAgeMs: number): Promise<boolean> {
  return (await readGuard(transport, guard, maxAgeMs))?.stale ?? false;
}

/**
 * Whether a guard file is debris, for recovery: as staleGuard, but one its writer has not filled
 * in yet is waited for until it is filled in or old enough (see settledLockHolder).
 */
export async function settledGuardIsStale(transport: FileTransport, guard: string, maxAgeMs: number): Promise<boolean> {
  for (;;) {
    const current = await readGuard(transport, guard, maxAgeMs);
    if (!current || current.stale || current.bytes === undefined || parseGuardOwner(current.bytes)) return current?.stale ?? false;
    await sleep(Math.min(250, UNREADABLE_STALE_MS - current.ageMs + 1));
  }
}

async function readGuard(transport: FileTransport, guard: string, maxAgeMs: number): Promise<{ stale: boolean; bytes?: Uint8Array; ageMs: number } | undefined> {
  const info = await transport.lstat(guard);
  if (!info) return undefined;
  const bytes = await transport.readFile(guard, 4096).catch(() => undefined);
  const ageMs = Date.now() - info.mtimeMs;
  return { stale: await guardIsStale(bytes, ageMs, maxAgeMs), ...(bytes ? { bytes } : {}), ageMs };
}

/**
 * Who holds a file's lock, for recovery: a lock file not yet readable is waited for until its
 * writer fills it in or it is old enough to be debris, which is then removed (`removed`). A
 * recovery run right after a kill must not leave such a lock behind, nor take a live one.
 */
export async function settledLockHolder(transport: FileTransport, target: string): Promise<{ holder?: LockHolder; removed: boolean }> {
  for (;;) {
    const current = await readLock(transport, lockPathOf(target));
    if (current.holder || current.ageMs === undefined) return { ...(current.holder ? { holder: current.holder } : {}), removed: false };
    if (current.ageMs > UNREADABLE_LOCK_STALE_MS) {
      if (await removeUnreadableLock(transport, target)) return { removed: true };
      continue;
    }
    await sleep(Math.min(250, UNREADABLE_LOCK_STALE_MS - current.ageMs + 1));
  }
}

/** Who holds a file's lock now, if anyone. */
export async function lockHolderOf(transport: FileTransport, target: string): Promise<LockHolder | undefined> {
  return (await readLock(transport, lockPathOf(target))).holder;
}

async function readLock(transport: FileTransport, path: string): Promise<{ holder?: LockHolder; ageMs?: number }> {
  const info = await transport.lstat(path);
  if (!info) return {};
  let holder: LockHolder | undefined;
  try {
    holder = parseHolder(await transport.readFile(path, LOCK_BYTES_LIMIT));
  } catch {
    holder = undefined;
  }
  return { ...(holder ? { holder } : {}), ageMs: Date.now() - info.mtimeMs };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
