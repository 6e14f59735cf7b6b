import { hostname } from 'node:os';
import { localTransport } from '../transport/local_transport.js';

/** A file of a change set, as locks and journals name it. */
export interface FileRef {
  location: string;
  path: string;
}

/** What a lock file holds: who has the lock, and the change set it is for. */
export interface LockHolder {
  host: string;
  pid: number;
  /** The process's start time (Linux: clock ticks since boot), so that a reused pid is not taken for the holder. */
  start: string;
  /** When the lock was taken (ISO 8601). */
  since: string;
  /** The change set's id. */
  txn: string;
  /** Every file the change set locks, and where its journal goes: a dead holder's change set is recovered from these. */
  files: FileRef[];
  journal?: FileRef;
}

let ownStart: string | undefined;

export async function selfHolder(txn: string, files: FileRef[], journal?: FileRef): Promise<LockHolder> {
  ownStart ??= await processStart(process.pid);
  return { host: hostname(), pid: process.pid, start: ownStart ?? '', since: new Date().toISOString(), txn, files, ...(journal ? { journal } : {}) };
}

export function describeHolder(holder: LockHolder | undefined): string {
  if (!holder) return 'a hapki process (its lock file is unreadable)';
  return `hapki pid ${holder.pid} on ${holder.host} since ${holder.since}`;
}

/**
 * A holder is known dead only on this host: its pid is gone, or now belongs to a process that
 * started at another time. A holder on another host is never presumed dead.
 */
export async function holderIsDead(holder: LockHolder): Promise<boolean> {
  if (holder.host !== hostname()) return false;
  if (!pidAlive(holder.pid)) return true;
  const start = await processStart(holder.pid);
  return start !== undefined && holder.start !== '' && start !== holder.start;
}

/**
 * A lock or guard file nobody can parse is one whose writer died between creating it and writing
 * who it is (a kill in that moment): its owner cannot be asked, so its age decides. A live writer
 * fills it in the request after the create (locally microseconds, over SFTP one round trip), so
 * an unreadable one older than this is debris; it is under the lock wait (30 s by default), so
 * the command run again after the kill takes it over instead of failing with ERR_LOCKED.
 */
export const UNREADABLE_STALE_MS = 10_000;

/** What a guard file holds (a recovery or a lock takeover under way): who is doing it. */
export async function guardBytes(): Promise<Uint8Array> {
  ownStart ??= await processStart(process.pid);
  return new Uint8Array(Buffer.from(JSON.stringify({ host: hostname(), pid: process.pid, start: ownStart ?? '' })));
}

/**
 * A guard is in the way of nobody once its owner died on this host (a SIGKILL while it held it),
 * or, whoever wrote it, once it is older than `maxAgeMs`: guards are held for the moment a
 * recovery or a takeover takes, and an owner on another host cannot be seen to die.
 */
export async function guardIsStale(bytes: Uint8Array | undefined, ageMs: number, maxAgeMs: number): Promise<boolean> {
  if (ageMs > maxAgeMs) return true;
  // not read (gone meanwhile): the caller looks again
  if (!bytes) return false;
  const owner = parseGuardOwner(bytes);
  // nobody can be asked about a guard its writer never filled in (killed in that moment)
  if (!owner) return ageMs > UNREADABLE_STALE_MS;
  return holderIsDead({ ...owner, since: '', txn: '', files: [] });
}

/** Who a guard file says holds it, or undefined when it says nothing readable. */
export function parseGuardOwner(bytes: Uint8Array): { host: string; pid: number; start: string } | undefined {
  try {
    const owner = JSON.parse(Buffer.from(bytes).toString('utf8')) as { host?: unknown; pid?: unknown; start?: unknown };
    if (typeof owner.host !== 'string' || typeof owner.pid !== 'number') return undefined;
    return { host: owner.host, pid: owner.pid, start: String(owner.start ?? '') };
  } catch {
    return undefined;
  }
}

export function parseHolder(bytes: Uint8Array): LockHolder | undefined {
  try {
    const value = JSON.parse(Buffer.from(bytes).toString('utf8')) as Partial<LockHolder>;
    if (typeof value.host !== 'string' || typeof value.pid !== 'number' || typeof value.txn !== 'string' || !Array.isArray(value.files)) return undefined;
    const files = value.files.filter((f): f is FileRef => typeof f?.location === 'string' && typeof f?.path === 'string');
    return { host: value.host, pid: value.pid, start: String(value.start ?? ''), since: String(value.since ?? ''), txn: value.txn, files, ...(value.journal ? { journal: value.journal } : {}) };
  } catch {
    return undefined;
  }
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function processStart(pid: number): Promise<string | undefined> {
  try {
    const stat = Buffer.from(await localTransport().readFile(`/proc/${pid}/stat`, 64 * 1024)).toString('utf8');
    // the command name may hold spaces and parentheses: fields are counted after the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}
