import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { sha256Hex } from '../crypto/digest.js';
import { RecoveryFailedError } from '../errors.js';
import type { FileTransport } from '../transport/file_transport.js';
import { crashPoint, transportFor } from './config.js';
import type { FileRef } from './holder.js';
import { backupPathOf, backupTempPathOf, debrisOf, tempPathOf } from './names.js';

/** One file of a journaled change set. Hashes are SHA-256, hex; null means "no file". */
export interface JournalFile extends FileRef {
  old: string | null;
  new: string | null;
  /** The staged new content (absent for a deletion). */
  temp?: string;
  /** The staged copy of the old content, and the backup it becomes. */
  backupTemp?: string;
  backup?: string;
}

export interface Journal {
  version: 1;
  txn: string;
  created: string;
  files: JournalFile[];
}

export const MAX_FILE_BYTES = 64 * 1024 * 1024;

export function encodeJournal(journal: Journal): Uint8Array {
  return new Uint8Array(Buffer.from(`${JSON.stringify(journal, null, 1)}\n`));
}

export function parseJournal(bytes: Uint8Array, where: string): Journal {
  try {
    const value = JSON.parse(Buffer.from(bytes).toString('utf8')) as Journal;
    const hash = (h: unknown): boolean => h === null || (typeof h === 'string' && /^[0-9a-f]{64}$/.test(h));
    const ok = value?.version === 1 && typeof value.txn === 'string' && Array.isArray(value.files) &&
      value.files.every((f) => typeof f?.location === 'string' && typeof f?.path === 'string' && hash(f.old) && hash(f.new));
    if (ok) return value;
  } catch {
    // reported below
  }
  throw new RecoveryFailedError(`the journal ${where} is unreadable: inspect the files it sits beside by hand`);
}

/** A journal file as found: ours to settle, another user's (their uid), or gone. */
export type FoundJournal = { journal: Journal } | { owner: number } | undefined;

/**
 * Reads a journal to settle it. Only one the recovering user wrote is acted on: a journal names
 * the files to replace and the staged files to put there, so one another user planted (a shared
 * directory, a name learnt from a staged file's) would have us rename their file over any file
 * we may write (/etc/passwd, when root recovers). Another user's journal is left to that user.
 * Its staged and backup names must be the ones the write path derives from its files and txn.
 */
export async function readJournalFile(transport: FileTransport, path: string): Promise<FoundJournal> {
  const info = await transport.lstat(path);
  if (!info) return undefined;
  const { uid } = await transport.identity(dirOf(path));
  if (info.type !== 'file' || info.uid !== uid) return { owner: info.uid };
  const journal = parseJournal(await transport.readFile(path, 16 * 1024 * 1024), path);
  const named = debrisOf(posix.basename(path))?.txn;
  const derived = journal.files.every((f) =>
    (f.temp === undefined || f.temp === tempPathOf(f.path, journal.txn)) &&
    (f.backupTemp === undefined || f.backupTemp === backupTempPathOf(f.path, journal.txn)) &&
    (f.backup === undefined || f.backup === backupPathOf(f.path)));
  if (named !== journal.txn || !derived) throw new RecoveryFailedError(`the journal ${path} is unreadable: inspect the files it sits beside by hand`);
  return { journal };
}

/** SHA-256 of what is at a path now, or null when nothing is. */
export async function hashOf(transport: FileTransport, path: string): Promise<string | null> {
  const info = await transport.lstat(path);
  if (!info) return null;
  if (info.type !== 'file') return `not-a-file:${info.type}`;
  return sha256Hex(await transport.readFile(path, MAX_FILE_BYTES));
}

export type RecoveryOutcome = 'rolled-forward' | 'rolled-back' | 'already-done';

/**
 * Brings every file of an interrupted change set to its new version (the staged files are all
 * durable before the journal exists, so this is the normal way), or, when one of them cannot
 * go forward (its staged file is gone), every file back to its old version from the backups.
 * Either way a reader sees all old or all new.
 */
export async function settleJournal(journal: Journal): Promise<RecoveryOutcome> {
  const states = [];
  for (const f of journal.files) {
    const transport = reach(f);
    const current = await hashOf(transport, f.path);
    const tempHash = f.temp ? await hashOf(transport, f.temp) : null;
    const done = current === f.new;
    const forward = done || (current === f.old && (f.new === null || tempHash === f.new));
    states.push({ f, transport, current, done, forward });
  }
  if (states.every((s) => s.forward)) {
    // a file already new whose old content is still staged (killed between its two renames): that becomes its .bak
    for (const s of states) {
      if (s.done && s.f.new !== null && s.f.backupTemp && s.f.backup && (await s.transport.lstat(s.f.backupTemp))) await s.transport.rename(s.f.backupTemp, s.f.backup);
    }
  }
  if (states.every((s) => s.done)) return 'already-done';
  if (states.every((s) => s.forward)) {
    for (const s of states) {
      if (s.done) continue;
      if (s.f.new === null) {
        if (s.f.backupTemp && s.f.backup && (await s.transport.lstat(s.f.backupTemp))) await s.transport.rename(s.f.backupTemp, s.f.backup);
        await s.transport.unlink(s.f.path);
      } else {
        await s.transport.rename(s.f.temp!, s.f.path);
        if (s.f.backupTemp && s.f.backup && (await s.transport.lstat(s.f.backupTemp))) await s.transport.rename(s.f.backupTemp, s.f.backup);
      }
      await s.transport.syncDirectory(dirOf(s.f.path));
    }
    return 'rolled-forward';
  }
  const stuck = states.filter((s) => s.current !== s.f.old && s.current !== s.f.new).map((s) => s.f.path);
  if (stuck.length > 0) throw new RecoveryFailedError(`an interrupted change set (${journal.txn}) cannot be settled: ${stuck.join(', ')} changed outside hapki since; the other files are left as they are`);
  // back: every file already new gets its old content again
  const restores: { s: (typeof states)[number]; bytes?: Uint8Array }[] = [];
  for (const s of states) {
    if (s.current === s.f.old) continue;
    if (s.f.old === null) {
      restores.push({ s });
      continue;
    }
    const bytes = await oldBytes(s.transport, s.f);
    if (!bytes) throw new RecoveryFailedError(`an interrupted change set (${journal.txn}) cannot be settled: neither the new nor the old content of ${s.f.path} is complete; its backup ${s.f.backup ?? '(none)'} may help`);
    restores.push({ s, bytes });
  }
  for (const { s, bytes } of restores) {
    if (!bytes) await s.transport.unlink(s.f.path);
    else await replaceWith(s.transport, s.f.path, bytes, journal.txn);
    await s.transport.syncDirectory(dirOf(s.f.path));
  }
  return 'rolled-back';
}

async function oldBytes(transport: FileTransport, f: JournalFile): Promise<Uint8Array | undefined> {
  for (const candidate of [f.backupTemp, f.backup]) {
    if (!candidate || !(await transport.lstat(candidate))) continue;
    const bytes = await transport.readFile(candidate, MAX_FILE_BYTES);
    if (sha256Hex(bytes) === f.old) return bytes;
  }
  return undefined;
}

/**
 * Writes a change set's journal so that it appears whole or not at all: a kill while it is being
 * written leaves only its temp (debris), never a journal recovery cannot read. Durable before it
 * returns: the renames it announces come after.
 */
export async function writeJournal(transport: FileTransport, path: string, temp: string, journal: Journal): Promise<void> {
  await transport.createExclusive(temp, encodeJournal(journal), 0o600);
  crashPoint('journal-written');
  try {
    await transport.rename(temp, path);
  } catch (error) {
    await transport.unlink(temp).catch(() => undefined);
    throw error;
  }
  await transport.syncDirectory(posix.dirname(path));
}

/** Puts bytes in place of a file through a staged temp, keeping the file's owner and mode. */
async function replaceWith(transport: FileTransport, path: string, bytes: Uint8Array, txn: string): Promise<void> {
  const info = await transport.lstat(path);
  const temp = tempPathOf(path, `${txn.slice(0, 8)}${randomBytes(4).toString('hex')}`);
  // owner and mode set on the open file, as the change set stages (see FileTransport.createExclusive)
  await transport.createExclusive(temp, bytes, info ? info.mode & 0o777 : 0o600, info ? { uid: info.uid, gid: info.gid } : undefined);
  try {
    await transport.rename(temp, path);
  } catch (error) {
    await transport.unlink(temp).catch(() => undefined);
    throw error;
  }
}

export function reach(ref: FileRef): FileTransport {
  const transport = transportFor(ref.location);
  if (!transport) throw new RecoveryFailedError(`an interrupted change set touched ${ref.path} on ${ref.location}, which this process cannot reach: run hapki recover where it can`);
  return transport;
}

function dirOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/')) || '/';
}
