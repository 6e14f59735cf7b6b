import { randomBytes } from 'node:crypto';
import { posix, resolve } from 'node:path';
import { sha256Hex } from '../crypto/digest.js';
import { ConcurrentChangeError, FileExistsError, FileNotFoundError, HapkiError, InvalidArgumentError, IoError, LockedError, UnsafePathError } from '../errors.js';
import { localTransport } from '../transport/local_transport.js';
import { remoteFile } from '../transport/remote_file.js';
import { forEachHost, hostOfLocation, mapByHost } from '../transport/fan_out.js';
import type { FileInfo, FileTransport } from '../transport/file_transport.js';
import { crashPoint, writePathSettings } from './config.js';
import { selfHolder, type FileRef, type LockHolder } from './holder.js';
import { MAX_FILE_BYTES, readJournalFile, settleJournal, writeJournal, type Journal, type JournalFile } from './journal.js';
import { acquireLock, releaseLock, type HeldLock } from './locks.js';
import { backupPathOf, backupTempPathOf, debrisOf, journalPathOf, journalTempPathOf, nameRoomProblem, tempPathOf } from './names.js';
import { deadFromHolder, recoverChangeSet, removeDebris } from './recover.js';
import { resolveSafeTarget } from './safe_path.js';

/** New content, or a function of the current content read under the lock (undefined: leave the file as it is). */
export type NewContent = Uint8Array | string | ((current: Uint8Array | undefined) => Uint8Array | string | undefined | Promise<Uint8Array | string | undefined>);

/**
 * One file of a change set.
 * - `update`: rewrite a keystore in place (import, token distribute, apply). An existing file
 *   keeps its owner, group and mode (less access for others when it holds private material);
 *   a missing one is created like an output.
 * - `write`: an output (convert, export, sign --out...). A new file belongs to the caller, mode
 *   0600 for private material, else what the umask allows; an existing file is refused with
 *   ERR_FILE_EXISTS unless `force`, and then replaced by such a new file, whatever its owner.
 * - `delete`: removes the file (with `backup`, its content is kept as `<file>.bak`).
 */
export interface FileChange {
  path: string;
  action: 'update' | 'write' | 'delete';
  content?: NewContent;
  /** Where the file lives (default: the local disk). */
  transport?: FileTransport;
  /** The content holds private keys or secrets. */
  private?: boolean;
  /** `write`: replace an existing file. */
  force?: boolean;
  /** Keep the replaced content as `<file>.bak` (written like any file: staged, synced, renamed; an update's keeps the file's owner and group, its mode less others'; otherwise 0600 at most). */
  backup?: boolean;
  /**
   * SHA-256 (hex) of the content the change was computed from, read earlier without the lock:
   * if the file is different by commit time, nothing is written (ERR_CONCURRENT_CHANGE).
   * null: the file must not exist.
   */
  expectedSha256?: string | null;
  /** `write`/`update`: the most a new file's mode may be (it is further limited by the umask). */
  mode?: number;
  /** Create missing parent directories (mode 0700 for private material, else 0755, less the umask). */
  createParents?: boolean;
}

export interface CommitOptions {
  /** Wait this long for another process's lock (default: configureWritePath, 30 s). */
  lockTimeoutMs?: number;
}

export interface CommitResult {
  /** Files replaced, created or deleted, as given. */
  written: string[];
  /** Files whose new content was already there. */
  unchanged: string[];
  /** The change set's id (it names temp files and the journal). */
  txn: string;
}

interface Prepared {
  change: FileChange;
  transport: FileTransport;
  /** As given, for messages and the result. */
  given: string;
  target: string;
  key: string;
  existing?: FileInfo;
  current?: Uint8Array;
  next?: Uint8Array;
  temp?: string;
  backupTemp?: string;
  mode?: number;
}

/**
 * Commits a change set: every file replaced, created or deleted, or none.
 *
 * 1. Every path is resolved under the symlink rule (ERR_UNSAFE_PATH) and the files are locked
 *    in one global order (location, then real path), so two change sets never deadlock. A lock
 *    held by a live process is waited for (--lock-timeout), then ERR_LOCKED names it; the lock of
 *    a dead process is taken over, after its change set is recovered.
 * 2. Under the locks, the current content is read: a change computed from an earlier read is
 *    checked against it (ERR_CONCURRENT_CHANGE); a content function runs on it.
 * 3. Each new content is staged beside its target (mode 0600 until its final owner and mode are
 *    set), synced and read back, and so is each backup.
 * 4. With more than one file, a journal (old and new hashes, staged files) is written and synced
 *    before the first rename: a crash from then on is finished by recovery.
 * 5. Renames, then the journal and the locks go.
 * A failure before step 4 removes what was staged: every file stays old.
 * Steps 1 to 3 and the clean-up run on every host at once (mapByHost, --parallel), each host's
 * files in order: one unreachable host stops the change before anything is renamed anywhere.
 * The renames (step 5) go one after another, in the lock order.
 */
export async function commitChangeSet(changes: readonly FileChange[], options: CommitOptions = {}): Promise<CommitResult> {
  if (changes.length === 0) return { written: [], unchanged: [], txn: '' };
  const txn = randomBytes(8).toString('hex');
  const timeout = options.lockTimeoutMs ?? writePathSettings().lockTimeoutMs;
  const prepared = await prepare(changes);
  const refs: FileRef[] = prepared.map((p) => ({ location: p.transport.location, path: p.target }));
  const journalRef: FileRef = { location: refs[0]!.location, path: journalPathOf(refs[0]!.path, txn) };
  const holder = await selfHolder(txn, refs, journalRef);
  const locks = await lockAll(prepared, holder, Date.now() + timeout);
  let journaled = false;
  // a change set that could be neither finished nor undone here stays as a crash would leave it
  let leftForRecovery = false;
  try {
    crashPoint('locked');
    await readUnderLock(prepared);
    const changed = prepared.filter((p) => p.next !== undefined || (p.change.action === 'delete' && p.existing));
    if (changed.length === 0) return { written: [], unchanged: prepared.map((p) => p.given), txn };
    await forEachHost(changed, byHost, (p) => stage(p, txn));
    crashPoint('staged');
    const journal: Journal = { version: 1, txn, created: new Date().toISOString(), files: changed.map(journalEntry) };
    const journalTransport = prepared[0]!.transport;
    if (changed.length > 1) {
      await writeJournal(journalTransport, journalRef.path, journalTempPathOf(refs[0]!.path, txn), journal);
      journaled = true;
      crashPoint('journaled');
    }
    // keytool, an editor or a deploy script takes no lock: what it wrote since the read under the
    // lock would be replaced by content computed without it. Looked at again on every host just
    // before the first rename, it stops the change with every file old (ERR_CONCURRENT_CHANGE)
    await forEachHost(changed, byHost, unchangedSinceRead);
    crashPoint('rechecked');
    let renamed = 0;
    try {
      for (const p of changed) {
        if (p.change.action === 'delete') {
          if (p.backupTemp) await p.transport.rename(p.backupTemp, backupPathOf(p.target));
          await p.transport.unlink(p.target);
        } else {
          // the new content first, then the old as the .bak: a rename refused for the file itself
          // (immutable, a directory put there) had already replaced the previous .bak, and the
          // failed command lost it; a kill between the two leaves the old content staged beside
          // the new file, which recovery makes the .bak
          await p.transport.rename(p.temp!, p.target);
          crashPoint(`replaced-${renamed + 1}`);
          if (p.backupTemp) await p.transport.rename(p.backupTemp, backupPathOf(p.target));
        }
        await p.transport.syncDirectory(posix.dirname(p.target));
        crashPoint(`renamed-${++renamed}`);
      }
    } catch (error) {
      if (!journaled) throw error;
      // part renamed: finish (or undo) now, as recovery would
      let outcome;
      try {
        outcome = await settleJournal(journal);
      } catch {
        leftForRecovery = true;
        throw new IoError(`${describe(error)}; the change is part made: run hapki recover ${shownDir(journalRef)}`, { cause: error });
      }
      if (outcome === 'rolled-back') throw error;
    }
    crashPoint('committed');
    if (journaled) {
      try {
        await journalTransport.unlink(journalRef.path);
        await journalTransport.syncDirectory(posix.dirname(journalRef.path));
      } catch (error) {
        // every file is new: the change is made, and says so. The journal and the locks are left
        // as a crash at this point leaves them (the journal's host gone, its directory made
        // read-only): the next command on these files, or hapki recover, finds every file new
        // and removes them. Releasing some locks now would let another change in before that.
        leftForRecovery = true;
        const locked = [...new Set(locks.map((l) => l.transport.location))].filter((l) => l !== 'local').join(', ');
        writePathSettings().warn(`every file was written, but the change set's journal could not be removed (${describe(error)}): the next hapki command on these files, or hapki recover ${shownDir(journalRef)}, removes it and the locks it left${locked ? ` (on ${locked})` : ''}`, { done: true });
      }
      journaled = false;
    }
    const written = new Set(changed.map((p) => p.given));
    return { written: prepared.filter((p) => written.has(p.given)).map((p) => p.given), unchanged: prepared.filter((p) => !written.has(p.given)).map((p) => p.given), txn };
  } finally {
    if (!leftForRecovery) await cleanUp(prepared, journaled ? journalRef.path : undefined, locks);
  }
}

async function cleanUp(prepared: Prepared[], journal: string | undefined, locks: HeldLock[]): Promise<void> {
  // a journal still here belongs to a failure settled above: no longer needed
  if (journal) await prepared[0]!.transport.unlink(journal).catch(() => undefined);
  await forEachHost(prepared, byHost, async (p) => {
    if (p.temp) await p.transport.unlink(p.temp).catch(() => undefined);
    if (p.backupTemp) await p.transport.unlink(p.backupTemp).catch(() => undefined);
  });
  await releaseAll(locks);
}

const byHost = (p: { transport: FileTransport }): string => p.transport.location;

/** Releases locks, every host at once, each host's in reverse order of taking. */
async function releaseAll(locks: readonly HeldLock[]): Promise<void> {
  await forEachHost([...locks].reverse(), (l) => l.transport.location, (lock) => releaseLock(lock).catch(() => undefined));
}

async function prepare(changes: readonly FileChange[]): Promise<Prepared[]> {
  for (const change of changes) {
    if (change.action !== 'delete' && change.content === undefined) throw new TypeError(`${change.path}: a ${change.action} needs content`);
  }
  const identities = new Map<FileTransport, Promise<number>>();
  const hostOf = (change: FileChange): string => change.transport?.location ?? hostOfLocation(change.path);
  // every host at once: connecting, resolving and checking paths cost a round trip each
  const prepared = await mapByHost(changes, hostOf, async (change): Promise<Prepared> => {
    // an ssh:// (or host:/path) location goes over that host's transport, anything else is local
    const remote = change.transport ? undefined : remoteFile(change.path);
    const transport = change.transport ?? remote?.transport ?? localTransport();
    // `--out certs/` means a directory to a Unix user (cp says "Not a directory"); resolve() would drop the slash and write a file "certs"
    if (change.path === '') throw new UnsafePathError('""', 'is an empty file name');
    if (/(^|\/)(\.{0,2})$/.test(change.path)) throw new UnsafePathError(change.path, 'names a directory (it ends in /, . or ..): give a file name');
    const path = remote ? remote.path : transport === localTransport() ? resolve(change.path) : change.path;
    // a host that cannot replace a file atomically is refused before anything is locked or staged anywhere
    if (!identities.has(transport)) identities.set(transport, checkTransport(transport).then(() => transport.identity(posix.dirname(path))).then((i) => i.uid));
    const uid = await identities.get(transport)!;
    // the part of the path that exists is checked before any directory is made in it: a link
    // there (another user's) would have the directories made wherever it points
    if (change.createParents) await createParents(transport, posix.dirname((await resolveSafeTarget(transport, path, uid)).target), change.private === true);
    const { target } = await resolveSafeTarget(transport, path, uid);
    if (debrisOf(posix.basename(target)) || posix.basename(target).includes('.hapki-')) throw new UnsafePathError(change.path, 'is a name the write path keeps for its own files');
    const noRoom = nameRoomProblem(target);
    if (noRoom) throw new IoError(`cannot write ${change.path}: ${noRoom}`);
    return { change, transport, given: change.path, target, key: `${transport.location}\u0000${target}` };
  });
  prepared.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const twice = prepared.find((p, i) => i > 0 && prepared[i - 1]!.key === p.key);
  if (twice) throw new InvalidArgumentError(`${twice.given} is named twice in one change`);
  return prepared;
}

/** Hosts already warned about in this process (one warning each, not one per change set). */
const warnedHosts = new Set<string>();

/** Refuses a transport that cannot replace files atomically; warns once about one that cannot sync them. */
async function checkTransport(transport: FileTransport): Promise<void> {
  await transport.checkAtomicReplace?.();
  const problem = await transport.durabilityProblem?.();
  if (problem && !warnedHosts.has(transport.location)) {
    warnedHosts.add(transport.location);
    writePathSettings().warn(problem);
  }
}

/**
 * Locks every file. First every host at once, waiting for nobody: a lock someone holds makes
 * that attempt let go of everything and lock one file after another in the global order,
 * waiting for each (so two change sets never deadlock). A stale lock (its holder died) means an
 * unfinished change set: every lock taken so far is released, that change set is recovered, and
 * locking starts over.
 */
async function lockAll(prepared: Prepared[], holder: LockHolder, deadline: number): Promise<HeldLock[]> {
  for (let round = 0; ; round++) {
    const held: HeldLock[] = [];
    let stale: LockHolder | undefined;
    let busy = false;
    try {
      const waitNow = round === 0 && new Set(prepared.map(byHost)).size > 1;
      if (waitNow) {
        const attempts = await mapByHost(prepared, byHost, async (p) => {
          try {
            return await acquireLock(p.transport, p.target, holder, 0);
          } catch (error) {
            if (error instanceof LockedError) return { busy: true as const };
            throw error;
          }
        }).catch(async (error: unknown) => {
          // a host failed: the locks others took are found by their owner's txn and let go
          await releaseAll(prepared.map((p) => ({ transport: p.transport, target: p.target, txn: holder.txn })));
          throw error;
        });
        for (const attempt of attempts) {
          if ('held' in attempt) held.push(attempt.held);
          else if ('stale' in attempt) stale ??= attempt.stale;
          else busy = true;
        }
      } else {
        for (const p of prepared) {
          const attempt = await acquireLock(p.transport, p.target, holder, deadline);
          if ('stale' in attempt) {
            stale = attempt.stale;
            break;
          }
          held.push(attempt.held);
        }
      }
      if (!stale && !busy) stale = await orphanJournal(prepared, holder.txn);
    } catch (error) {
      await releaseAll(held);
      throw error;
    }
    if (!stale && !busy) return held;
    await releaseAll(held);
    if (busy && !stale) continue;
    if (round > 20) throw new IoError(`cannot settle the interrupted changes beside ${prepared[0]!.given}: run hapki recover`);
    await recoverChangeSet(deadFromHolder(stale!));
  }
}

/** A journal beside one of our files whose change set holds no lock any more: recovered like a dead holder's. */
async function orphanJournal(prepared: Prepared[], ownTxn: string): Promise<LockHolder | undefined> {
  const dirs = new Map<string, Prepared>();
  for (const p of prepared) dirs.set(`${p.transport.location}\u0000${posix.dirname(p.target)}`, p);
  const found = await mapByHost([...dirs.values()], byHost, async (p): Promise<LockHolder | undefined> => {
    const names = await p.transport.readdir(posix.dirname(p.target));
    for (const name of names) {
      const debris = debrisOf(name);
      if (debris?.kind !== 'journal' || debris.txn === ownTxn) continue;
      if (!prepared.some((q) => q.transport === p.transport && posix.dirname(q.target) === posix.dirname(p.target) && posix.basename(q.target) === debris.target)) continue;
      const path = posix.join(posix.dirname(p.target), name);
      const found = await readJournalFile(p.transport, path);
      // another user's journal is never settled by us (it could name any file): it holds the file like a lock
      if (found && !('journal' in found)) throw new LockedError(p.given, `a journal of uid ${found.owner} (${path}): run hapki recover as that user`);
      if (!found) continue;
      const { journal } = found;
      return { host: '', pid: 0, start: '', since: journal.created, txn: journal.txn, files: journal.files.map((f) => ({ location: f.location, path: f.path })), journal: { location: p.transport.location, path } };
    }
    return undefined;
  });
  return found.find((h) => h !== undefined);
}

async function readUnderLock(prepared: Prepared[]): Promise<void> {
  const locked = new Map<FileTransport, Set<string>>();
  for (const p of prepared) {
    const set = locked.get(p.transport) ?? new Set<string>();
    set.add(p.target);
    locked.set(p.transport, set);
  }
  await forEachHost(prepared, byHost, async (p) => {
    await removeDebris(p.transport, posix.dirname(p.target), undefined, locked.get(p.transport));
    const info = await p.transport.lstat(p.target);
    if (info && info.type !== 'file') throw new UnsafePathError(p.given, 'is no longer a regular file');
    // replaced by a rename, a file's other names keep what it held: say so rather than let them drift apart
    if (info && p.change.action !== 'delete') {
      const links = info.links ?? (info.type === 'file' && p.transport.linkCount ? await p.transport.linkCount(p.target) : undefined);
      if ((links ?? 1) > 1) writePathSettings().warn(`${p.given} has ${links} hard links: it is replaced by a new file, and its other names keep the old content`);
    }
    p.existing = info;
    p.current = info ? await p.transport.readFile(p.target, MAX_FILE_BYTES) : undefined;
    const { change } = p;
    if (change.expectedSha256 !== undefined) {
      const now = p.current ? sha256Hex(p.current) : null;
      if (now !== change.expectedSha256) throw new ConcurrentChangeError(p.given);
    }
    if (change.action === 'write' && info && !change.force) throw new FileExistsError(p.given);
    if (change.action === 'delete') {
      if (!info) p.existing = undefined;
      return;
    }
    const content = typeof change.content === 'function' ? await change.content(p.current) : change.content;
    if (content === undefined) return;
    const next = typeof content === 'string' ? new Uint8Array(Buffer.from(content, 'utf8')) : content;
    if (p.current && change.action === 'update' && Buffer.compare(Buffer.from(p.current), Buffer.from(next)) === 0) return;
    p.next = next;
  });
}

async function stage(p: Prepared, txn: string): Promise<void> {
  const { change, transport } = p;
  const umask = await transport.umask();
  // in place: the file's owner already holds its keys; the new file keeps owner, group and mode,
  // and so does the backup of the old one (a root-owned 0600 backup, restored with mv, locked the
  // service out of its own keystore). Owner and mode are given on the open file (a name swapped
  // for a link would take them otherwise)
  const inPlace = change.action === 'update' && p.existing !== undefined;
  const create = (path: string, bytes: Uint8Array, mode: number): Promise<void> =>
    transport.createExclusive(path, bytes, mode, inPlace ? { uid: p.existing!.uid, gid: p.existing!.gid } : undefined).catch((error: unknown) => {
      throw inPlace ? ownerNotKept(p, transport, error) : error;
    });
  if (p.next) {
    // hapki reads no file larger (MAX_FILE_BYTES, the input bound): it does not write one either
    if (p.next.length > MAX_FILE_BYTES) throw new IoError(`${p.given}: the output would be ${p.next.length} bytes, more than the ${MAX_FILE_BYTES / 1024 / 1024} MiB hapki reads a keystore file up to`);
    p.temp = tempPathOf(p.target, txn);
    if (inPlace) {
      p.mode = p.existing!.mode & (change.private ? 0o770 : 0o777);
    } else {
      const most = change.mode ?? (change.private ? 0o600 : 0o666);
      // never writable by others, whatever the umask (umask 000): a trust store or certificate
      // anyone can rewrite is a trust anchor anyone can plant
      p.mode = most & (change.private ? 0o600 : 0o777) & ~(umask | 0o002);
    }
    await create(p.temp, p.next, p.mode);
    // hashed as it is read back: the staged file is never held a second time beside p.next
    if ((await transport.sha256(p.temp, MAX_FILE_BYTES)) !== sha256Hex(p.next)) throw new IoError(`${p.given}: the staged file reads back different from what was written`);
    crashPoint('staging');
  }
  if (change.backup && p.current && p.existing) {
    const backup = backupPathOf(p.target);
    const there = await transport.lstat(backup);
    if (there && there.type !== 'file' && there.type !== 'symlink') throw new UnsafePathError(backup, 'is in the way of the backup: not a regular file');
    if (there) {
      // in a sticky directory (/tmp) only its owner may replace it: say so before anything is
      // staged, rather than fail at the rename with "operation not permitted"
      const dir = posix.dirname(p.target);
      const { uid } = await transport.identity(dir);
      const dirInfo = uid !== 0 && there.uid !== uid ? await transport.lstat(dir) : undefined;
      if (dirInfo && dirInfo.mode & 0o1000 && dirInfo.uid !== uid) {
        throw new UnsafePathError(backup, `is in the way of the backup: it belongs to uid ${there.uid} in a sticky directory, where only its owner (or the directory's, or root) may replace it; remove it or have its owner do so`);
      }
    }
    p.backupTemp = backupTempPathOf(p.target, txn);
    // the old file as it was, to be moved back in place: never wider than the keystore, never open to others
    await create(p.backupTemp, p.current, p.existing.mode & (inPlace ? 0o660 : 0o600));
  }
}

/**
 * Why a staged replacement could not be given the owner and group of the file it replaces:
 * nothing is written then. The failed chown used to be ignored, and the replaced keystore went to
 * the caller silently (an admin's import into a service user's keystore): the service user that
 * owned it could no longer read it after a restart.
 */
function ownerNotKept(p: Prepared, transport: FileTransport, error: unknown): unknown {
  if (!(error instanceof IoError) || transport.location !== 'local' || !/cannot change the owner/.test(error.message)) return error;
  const { uid, gid } = p.existing!;
  return new IoError(`cannot write ${p.given}: it belongs to uid ${uid}, gid ${gid}, and a keystore hapki replaces keeps its owner and group, which only root (or that user, for a group it is in) can give it: run hapki as that user or as root (nothing was written)`, { cause: error });
}

function journalEntry(p: Prepared): JournalFile {
  return {
    location: p.transport.location,
    path: p.target,
    old: p.current ? sha256Hex(p.current) : null,
    new: p.next ? sha256Hex(p.next) : null,
    ...(p.temp ? { temp: p.temp } : {}),
    ...(p.backupTemp ? { backupTemp: p.backupTemp, backup: backupPathOf(p.target) } : {}),
  };
}

async function createParents(transport: FileTransport, dir: string, secret: boolean): Promise<void> {
  const missing: string[] = [];
  for (let d = dir; d !== '/' && !(await transport.lstat(d)); d = posix.dirname(d)) missing.unshift(d);
  const umask = await transport.umask();
  for (const d of missing) {
    try {
      await transport.mkdir(d, (secret ? 0o700 : 0o755) & ~umask);
    } catch (error) {
      if (!(error instanceof FileExistsError)) throw error;
    }
  }
}

/** The journal's directory as the operator names it for `hapki recover`: a remote one with its ssh://user@host:port. */
function shownDir(ref: FileRef): string {
  const dir = posix.dirname(ref.path);
  return ref.location === 'local' ? dir : `${ref.location}${dir}`;
}

function describe(error: unknown): string {
  if (error instanceof HapkiError) return error.message;
  if (error instanceof FileNotFoundError) return error.message;
  return (error as Error)?.message ?? String(error);
}

/** Throws ERR_CONCURRENT_CHANGE when a file is no longer what was read under the lock (or is there now, where nothing was). */
async function unchangedSinceRead(p: Prepared): Promise<void> {
  const info = await p.transport.lstat(p.target);
  const now = !info ? null : info.type === 'file' ? await p.transport.sha256(p.target, MAX_FILE_BYTES) : `not a file (${info.type})`;
  if (now !== (p.current ? sha256Hex(p.current) : null)) throw new ConcurrentChangeError(p.given);
}

/** SHA-256 of bytes as the change set compares them (for expectedSha256). */
export function contentHash(bytes: Uint8Array): string {
  return sha256Hex(bytes);
}
