import { posix } from 'node:path';
import { FileExistsError, IoError, LockedError, UnsafePathError } from '../errors.js';
import type { FileTransport } from '../transport/file_transport.js';
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
    // another user's file that cannot be a hapki lock is never removed, and waiting for it to go
    // only ended at the lock timeout with "locked by a hapki process": it is named at once
    if (current.notLock) throw new UnsafePathError(path, `is in the way of the lock: ${current.notLock}`);
    if (current.holder && current.holder.txn !== holder.txn && (await holderIsDead(current.holder))) {
      // A holder removes its lock before it exits: one that finished between our read and the
      // look at its pid is gone, not dead holding the lock. Only a lock still there, still its,
      // once it is seen dead, is a killed change set's (else a writer that merely waited its turn
      // "recovered" the change set before it, which had finished, and said so on stderr).
      const again = await readLock(transport, path);
      if (again.holder?.txn !== current.holder.txn) continue;
      if (again.owner !== undefined) throw new LockedError(target, foreignLock(again.owner));
      return { stale: current.holder };
    }
    if (isDebrisLock(current)) {
      await removeUnreadableLock(transport, target);
      continue;
    }
    if (Date.now() >= deadline) throw new LockedError(target, current.holder || current.owner === undefined ? describeHolder(current.holder) : unreadForeignLock(current.owner, path));
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
  await removeLockIf(transport, target, (current) => current.owner === undefined && current.holder?.txn === deadTxn);
}

/**
 * Removes a lock file nobody can parse once it is older than UNREADABLE_STALE_MS, checked
 * again under the takeover guard: two processes that both found it must not remove, the second
 * time, the lock the first one has just taken. True when it removed one.
 */
export async function removeUnreadableLock(transport: FileTransport, target: string): Promise<boolean> {
  return removeLockIf(transport, target, isDebrisLock);
}

/**
 * A lock nobody can parse, unreadable for long enough: by its age, or, whatever its time stamp
 * says (a remote clock ahead of ours), by how long this process has seen it so. One this process
 * may not read (another user's) is somebody's, never debris.
 */
function isDebrisLock(current: LockState): boolean {
  return !current.holder && !current.denied && current.owner === undefined && current.unreadableMs !== undefined && current.unreadableMs > UNREADABLE_STALE_MS;
}

async function removeLockIf(transport: FileTransport, target: string, stale: (current: LockState) => boolean): Promise<boolean> {
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
      await refuseForeignGuard(transport, guard);
      // its owner died holding it (killed), or it is older than a takeover ever takes
      if (await staleGuard(transport, guard, TAKEOVER_GUARD_MAX_AGE_MS)) await transport.unlink(guard);
      await sleep(20);
      continue;
    }
    try {
      const current = await readLock(transport, path);
      if (!stale(current)) return false;
      await transport.unlink(path);
      return true;
    } finally {
      await transport.unlink(guard);
    }
  }
  return false;
}

/**
 * The takeover guard of one of our own locks is only ever made by a hapki of ours: a directory,
 * FIFO or symbolic link there, or another user's file (planted in a shared directory such as
 * /tmp), is named at once. It was waited for as a guard (10 s), then removed, root removing
 * another user's file, or failed to be removed with ERR_IO ("is a directory").
 */
async function refuseForeignGuard(transport: FileTransport, guard: string): Promise<void> {
  const info = await transport.lstat(guard);
  if (!info) return;
  if (info.type !== 'file') throw new UnsafePathError(guard, `is in the way of taking over a lock: a ${info.type === 'directory' ? 'directory' : info.type === 'symlink' ? 'symbolic link' : 'FIFO or device'}, not a hapki guard (hapki makes its guards as regular files; remove it)`);
  const { uid } = await transport.identity(posix.dirname(guard));
  if (info.uid !== uid) throw new UnsafePathError(guard, `is in the way of taking over a lock: a file of uid ${info.uid}, not a guard of this user's hapki (hapki removes no other user's file: uid ${info.uid} or root must remove it)`);
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
    if (!current?.waiting) return current?.stale ?? false;
    await sleep(250);
  }
}

/** A guard's state: stale, or `waiting` (read, but not yet filled in by its writer, and not old enough to be debris). */
async function readGuard(transport: FileTransport, guard: string, maxAgeMs: number): Promise<{ stale: boolean; waiting: boolean } | undefined> {
  const info = await transport.lstat(guard);
  if (!info) return undefined;
  const bytes = await transport.readFile(guard, 4096).catch(() => undefined);
  const stale = await guardIsStale(bytes, ageOf(transport, guard, info.mtimeMs), maxAgeMs);
  return { stale, waiting: !stale && bytes !== undefined && parseGuardOwner(bytes) === undefined };
}

/** When this process first saw each lock or guard file (by location, path and time stamp). */
const firstSeen = new Map<string, number>();

/**
 * A lock or guard file's age by its time stamp, or by how long this process has seen this very
 * file (one made again has another time stamp), whichever is longer: a time stamp from a clock
 * ahead of ours never ages otherwise.
 */
function ageOf(transport: FileTransport, path: string, mtimeMs: number): number {
  const key = `${transport.location}\u0000${path}\u0000${mtimeMs}`;
  const now = Date.now();
  if (!firstSeen.has(key)) {
    if (firstSeen.size >= 10_000) firstSeen.clear();
    firstSeen.set(key, now);
  }
  return Math.max(now - mtimeMs, now - firstSeen.get(key)!);
}

/**
 * Who holds a file's lock, for recovery: a lock file not yet readable is waited for until its
 * writer fills it in or it is old enough to be debris, which is then removed (`removed`). A
 * recovery run right after a kill must not leave such a lock behind, nor take a live one.
 */
export async function settledLockHolder(transport: FileTransport, target: string): Promise<{ holder?: LockHolder; removed: boolean; busy: boolean; foreign?: boolean }> {
  const giveUp = Date.now() + 3 * UNREADABLE_STALE_MS;
  for (;;) {
    const current = await readLock(transport, lockPathOf(target));
    if (current.owner !== undefined) return { removed: false, busy: false, foreign: true };
    if (current.holder || current.unreadableMs === undefined) return { ...(current.holder ? { holder: current.holder } : {}), removed: false, busy: false };
    // another user's lock, or one whose takeover guard stays taken: somebody's, left alone
    if (current.denied || Date.now() > giveUp) return { removed: false, busy: true };
    if (isDebrisLock(current)) {
      if (await removeUnreadableLock(transport, target)) return { removed: true, busy: false };
      continue;
    }
    await sleep(250);
  }
}

/** Who holds a file's lock now, if anyone. */
export async function lockHolderOf(transport: FileTransport, target: string): Promise<LockHolder | undefined> {
  return (await readLock(transport, lockPathOf(target))).holder;
}

/** A lock file as found: its holder; or, when it says none, for how long it has been unreadable and whether we may read it at all. */
interface LockState {
  holder?: LockHolder;
  /** Unreadable (no holder in it): its age, or how long this process has seen it, whichever is longer. */
  unreadableMs?: number;
  /** It could not be read (another user's lock, an I/O error): not debris. */
  denied?: boolean;
  /**
   * The uid of the lock file when it is not ours: another user's lock is never taken over nor
   * recovered from, whatever it says (it names the change set's files and journal, which that
   * user could have chosen: a planted lock of a "dead" process would have us settle their journal).
   */
  owner?: number;
  /** Another user's file at the lock's name that cannot be a hapki lock: why (it is named at once, never waited for). */
  notLock?: string;
}

/** The shortest lock file hapki writes is about 130 bytes (its holder as JSON): anything much shorter is none. */
const LOCK_MIN_BYTES = 64;

async function readLock(transport: FileTransport, path: string): Promise<LockState> {
  const info = await transport.lstat(path);
  if (!info) return {};
  // hapki's locks are regular files: a directory, FIFO or device at the name is no lock anyone
  // holds, and waiting for it to go (or reading a FIFO) would only end at the lock timeout
  if (info.type === 'directory' || info.type === 'other') throw new UnsafePathError(path, 'is in the way of the lock: not a regular file (hapki makes its locks as regular files; remove it)');
  const { uid } = await transport.identity(posix.dirname(path));
  const owner = info.uid !== uid ? { owner: info.uid } : {};
  const notLock = (why: string): string => `a ${why} of uid ${info.uid}, not a hapki lock (hapki removes no other user's file: uid ${info.uid} or root must remove it)`;
  if (info.uid !== uid) {
    if (info.type === 'symlink') return { owner: info.uid, notLock: notLock('symbolic link') };
    if (info.size > LOCK_BYTES_LIMIT || (info.size > 0 && info.size < LOCK_MIN_BYTES)) return { owner: info.uid, notLock: notLock(`file of ${info.size} bytes`) };
  }
  let bytes: Uint8Array;
  try {
    bytes = await transport.readFile(path, LOCK_BYTES_LIMIT);
  } catch {
    // gone since the lstat: nothing there; otherwise not ours to read
    return (await transport.lstat(path)) ? { unreadableMs: 0, denied: true, ...owner } : {};
  }
  const holder = parseHolder(bytes);
  if (holder) return { holder, ...owner };
  const unreadableMs = ageOf(transport, path, info.mtimeMs);
  // a writer fills its lock in the one write after creating it: another user's file that says
  // something else, or says nothing for longer than a writer takes, is not a lock being made
  if (info.uid !== uid && (bytes.length > 0 || unreadableMs > UNREADABLE_STALE_MS)) return { unreadableMs, owner: info.uid, notLock: notLock(bytes.length > 0 ? 'file' : 'empty file') };
  return { unreadableMs, ...owner };
}

/** Another user's lock file we may not read, still there at the lock timeout: whose it is, and what to do. */
function unreadForeignLock(owner: number, path: string): string {
  return `a lock file of uid ${owner} this user cannot read (${path}: a hapki of that user holds it, or it is a file of theirs in the way, which only uid ${owner} or root can remove)`;
}

/** Who holds a lock of another user whose holder is dead, for ERR_LOCKED: nothing the file says is repeated. */
function foreignLock(owner: number): string {
  return `a killed hapki of uid ${owner} (the lock file is that user's: hapki takes over only its own user's locks; run hapki recover as that user)`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
