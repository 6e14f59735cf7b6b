import { posix } from 'node:path';
import { FileExistsError, UnsafePathError } from '../errors.js';
import type { FileTransport } from '../transport/file_transport.js';
import { crashPoint, writePathSettings } from './config.js';
import { guardBytes, holderIsDead, type FileRef, type LockHolder } from './holder.js';
import { MAX_FILE_BYTES, reach, readJournalFile, settleJournal, type RecoveryOutcome } from './journal.js';
import { lockHolderOf, removeStaleLock, settledGuardIsStale, settledLockHolder, sleep, staleGuard, TAKEOVER_GUARD_MAX_AGE_MS } from './locks.js';
import { backupPathOf, backupTempPathOf, debrisOf, guardKindOf, journalPathOf, journalTempPathOf, lockTargetOf, recoveryGuardPathOf, tempPathOf } from './names.js';

/** A change set whose process died: its id, its files, where its journal would be. */
export interface DeadChangeSet {
  txn: string;
  files: FileRef[];
  journal?: FileRef;
  /** Who it was, for the warning. */
  holder?: string;
}

export interface RecoveredChangeSet {
  txn: string;
  outcome: RecoveryOutcome | 'cleaned';
  files: string[];
}

/**
 * Settles a dead change set: with a journal, every file goes all old or all new (see
 * settleJournal); without one nothing was renamed yet, so its staged files are simply removed.
 * Then its temp files, its journal and its stale locks go. One process at a time recovers a
 * given change set (a guard file beside its first file, created with O_EXCL).
 */
export async function recoverChangeSet(dead: DeadChangeSet): Promise<RecoveredChangeSet> {
  const first = dead.files[0];
  if (!first) return { txn: dead.txn, outcome: 'cleaned', files: [] };
  const firstTransport = reach(first);
  const guard = recoveryGuardPathOf(first.path, dead.txn);
  if (!(await takeGuard(firstTransport, guard))) return { txn: dead.txn, outcome: 'cleaned', files: [] };
  try {
    crashPoint('recovering');
    let outcome: RecoveredChangeSet['outcome'] = 'cleaned';
    let files: string[] = [];
    const journalRef = dead.journal;
    const journalTransport = journalRef ? reach(journalRef) : undefined;
    // another user's file where our journal would be: ours was never written (renaming it over theirs fails)
    const found = journalRef && journalTransport ? await readJournalFile(journalTransport, journalRef.path) : undefined;
    const ours = found !== undefined && 'journal' in found;
    if (found && 'journal' in found) {
      const { journal } = found;
      outcome = await settleJournal(journal);
      files = journal.files.map((f) => f.path);
      for (const f of journal.files) {
        const t = reach(f);
        if (f.temp) await t.unlink(f.temp);
        if (f.backupTemp) await t.unlink(f.backupTemp);
      }
    }
    for (const f of dead.files) {
      const t = reach(f);
      // no journal (a change of one file): killed between its two renames, the new content is in
      // place (its staged file, made before the old content's, is gone) and the old content,
      // staged whole and synced, becomes the .bak as the change would have made it
      const backupTemp = backupTempPathOf(f.path, dead.txn);
      if (!found && (await t.lstat(backupTemp))?.type === 'file' && !(await t.lstat(tempPathOf(f.path, dead.txn))) && (await replacedSince(t, f.path, backupTemp))) {
        await t.rename(backupTemp, backupPathOf(f.path));
        outcome = 'already-done';
        files = dead.files.map((d) => d.path);
      }
      await t.unlink(tempPathOf(f.path, dead.txn));
      await t.unlink(backupTemp);
      await t.unlink(journalTempPathOf(f.path, dead.txn));
    }
    if (journalRef && journalTransport && (ours || !found)) {
      await journalTransport.unlink(journalRef.path);
      await journalTransport.syncDirectory(posix.dirname(journalRef.path));
    }
    for (const f of dead.files) await removeStaleLock(reach(f), f.path, dead.txn);
    const what = outcome === 'rolled-forward' ? 'finished it' : outcome === 'rolled-back' ? 'undid it' : outcome === 'already-done' ? 'it was already made; removed what it left' : 'nothing had been replaced yet; removed what it staged';
    writePathSettings().warn(`an interrupted change of ${dead.files.map(shownPath).join(', ')}${dead.holder ? ` (by ${dead.holder})` : ''} was recovered: ${what}`, { done: true });
    return { txn: dead.txn, outcome, files };
  } finally {
    await firstTransport.unlink(guard);
  }
}

/** A file as the operator names it: a remote one with its ssh://user@host:port prefix. */
function shownPath(ref: FileRef): string {
  return ref.location === 'local' ? ref.path : `${ref.location}${ref.path}`;
}

export function deadFromHolder(holder: LockHolder): DeadChangeSet {
  return { txn: holder.txn, files: holder.files, ...(holder.journal ? { journal: holder.journal } : {}), holder: `pid ${holder.pid} on ${holder.host}, since ${holder.since}` };
}

/** A recovery guard older than this is stale whoever holds it (a recovery takes seconds). */
const RECOVERY_GUARD_MAX_AGE_MS = 10 * 60_000;

/**
 * True when the guard is ours: we recover the change set. False when another process recovered
 * it meanwhile (its guard came and went). A guard whose owner died while recovering (killed in
 * its turn) is taken over, so that a second kill never leaves the files blocked for good.
 */
async function takeGuard(transport: FileTransport, guard: string): Promise<boolean> {
  for (;;) {
    try {
      await transport.createExclusive(guard, await guardBytes(), 0o600);
      return true;
    } catch (error) {
      if (!(error instanceof FileExistsError)) throw error;
    }
    if (await staleGuard(transport, guard, RECOVERY_GUARD_MAX_AGE_MS)) {
      await transport.unlink(guard);
      continue;
    }
    // a live process recovers it: wait for it to finish, or to die
    let stale = false;
    while ((await transport.lstat(guard)) && !(stale = await staleGuard(transport, guard, RECOVERY_GUARD_MAX_AGE_MS))) await sleep(100);
    if (!stale) return false;
  }
}

export interface DirectoryRecovery {
  recovered: RecoveredChangeSet[];
  /** Hapki temp files removed (staged content of change sets that never committed). */
  removed: string[];
  /** Change sets still running (their lock holder lives): left alone. */
  busy: string[];
  /** Locks and journals of another user: never acted on (they could name any file), left to that user. */
  foreign: string[];
}

/**
 * Recovers everything hapki left in the given directories: journals and locks of dead change
 * sets are settled, and temp files nobody holds a lock for are removed.
 */
export async function recoverDirectories(transport: FileTransport, dirs: readonly string[]): Promise<DirectoryRecovery> {
  const result: DirectoryRecovery = { recovered: [], removed: [], busy: [], foreign: [] };
  const seen = new Set<string>();
  for (const dir of dirs) {
    const names = await transport.readdir(dir);
    for (const name of names) {
      const target = lockTargetOf(name);
      if (target === undefined) continue;
      // a lock its writer never filled in (killed in that moment) goes once it is old enough to be sure
      let settled: Awaited<ReturnType<typeof settledLockHolder>>;
      try {
        settled = await settledLockHolder(transport, posix.join(dir, target));
      } catch (error) {
        // a directory or FIFO at a lock's name: no change set to settle, and not ours to remove;
        // left alone as somebody's (a command on that file says what is in its way)
        if (error instanceof UnsafePathError) {
          result.busy.push(posix.join(dir, target));
          continue;
        }
        throw error;
      }
      const { holder, removed, busy, foreign } = settled;
      if (removed) result.removed.push(posix.join(dir, name));
      if (busy) result.busy.push(posix.join(dir, target));
      if (foreign) result.foreign.push(posix.join(dir, name));
      if (!holder || seen.has(holder.txn)) continue;
      if (!(await holderIsDead(holder))) {
        result.busy.push(posix.join(dir, target));
        continue;
      }
      // a holder removes its lock before it exits: gone now, it finished (see acquireLock)
      if ((await lockHolderOf(transport, posix.join(dir, target)))?.txn !== holder.txn) continue;
      seen.add(holder.txn);
      result.recovered.push(await recoverChangeSet(deadFromHolder(holder)));
    }
    for (const name of names) {
      const debris = debrisOf(name);
      if (debris?.kind !== 'journal' || seen.has(debris.txn!)) continue;
      const path = posix.join(dir, name);
      const found = await readJournalFile(transport, path);
      if (!found) continue;
      if (!('journal' in found)) {
        result.foreign.push(path);
        continue;
      }
      const { journal } = found;
      const holders = await Promise.all(journal.files.map((f) => lockHolderOf(reach(f), f.path)));
      const live = holders.find((h) => h?.txn === journal.txn);
      if (live && !(await holderIsDead(live))) continue;
      seen.add(journal.txn);
      result.recovered.push(await recoverChangeSet({ txn: journal.txn, files: journal.files.map((f) => ({ location: f.location, path: f.path })), journal: { location: transport.location, path } }));
    }
    // guards whose owner was killed holding them (a takeover, a recovery): nothing else removes them
    for (const name of names) {
      const kind = guardKindOf(name);
      const path = posix.join(dir, name);
      if (kind && (await ownedByOther(transport, path))) {
        result.foreign.push(path);
        continue;
      }
      if (kind && (await settledGuardIsStale(transport, path, kind === 'takeover' ? TAKEOVER_GUARD_MAX_AGE_MS : RECOVERY_GUARD_MAX_AGE_MS))) {
        await transport.unlink(path);
        result.removed.push(path);
      }
    }
    result.removed.push(...(await removeDebris(transport, dir, undefined)));
  }
  return result;
}

/**
 * Removes hapki temp files in a directory whose target nobody holds a lock on (or, with
 * `lockedTargets`, whose target we hold the lock on), sparing the change set `keepTxn`.
 */
export async function removeDebris(transport: FileTransport, dir: string, keepTxn: string | undefined, lockedTargets?: ReadonlySet<string>): Promise<string[]> {
  const removed: string[] = [];
  let names: string[];
  try {
    names = await transport.readdir(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const debris = debrisOf(name);
    if (!debris || debris.kind === 'journal' || (keepTxn !== undefined && debris.txn === keepTxn)) continue;
    const target = posix.join(dir, debris.target);
    if (lockedTargets) {
      if (!lockedTargets.has(target)) continue;
    } else {
      const holder = await lockHolderOf(transport, target);
      if (holder && !(await holderIsDead(holder))) continue;
      if (debris.txn && (await transport.lstat(journalPathOf(target, debris.txn)))) continue;
    }
    const path = posix.join(dir, name);
    if (await ownedByOther(transport, path)) continue;
    await transport.unlink(path);
    removed.push(path);
  }
  return removed;
}

/**
 * A file under one of the write path's names that another user made: never ours to wait for or
 * remove. In a shared directory (/tmp) anybody can make one; removing it fails there (the sticky
 * bit), and that failure, or waiting for an empty guard to age, made recover, and every command
 * settling the directory first, fail or wait for ever on a file of somebody else's.
 */
async function ownedByOther(transport: FileTransport, path: string): Promise<boolean> {
  const info = await transport.lstat(path);
  return info !== undefined && info.uid !== (await transport.identity(posix.dirname(path))).uid;
}

/**
 * Whether the file no longer holds the old content staged as its backup: then its new content was
 * renamed into place (the staged old content becomes the .bak). Still the old content, nothing was
 * replaced: a delete (which stages no new content) killed before its rename, or a failed change
 * killed while removing what it staged.
 */
async function replacedSince(t: FileTransport, path: string, backupTemp: string): Promise<boolean> {
  const info = await t.lstat(path);
  if (info?.type !== 'file') return false;
  try {
    return (await t.sha256(path, MAX_FILE_BYTES)) !== (await t.sha256(backupTemp, MAX_FILE_BYTES));
  } catch {
    // one that cannot be read whole (grown past the bound meanwhile): left as it is
    return false;
  }
}
