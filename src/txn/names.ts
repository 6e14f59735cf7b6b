import { posix } from 'node:path';

/**
 * The names the write protocol gives the files it makes beside a target, all hidden and all
 * carrying "hapki", so that recovery (and an operator) can tell them from anything else:
 *   .<name>.hapki-lock                 the lock (host, pid, start time, change set)
 *   .<name>.hapki-lock.takeover        held for a moment while a stale lock is taken over
 *   .<name>.hapki-<txn>.tmp            the new content, staged
 *   .<name>.hapki-<txn>.bak.tmp        the old content, staged as the next <name>.bak
 *   .<name>.hapki-<txn>.journal        the journal of a change set of more than one file
 *   .<name>.hapki-<txn>.journal.tmp    the journal being written (renamed into place whole)
 *   .<name>.hapki-<txn>.recovering     held while a process recovers change set <txn>
 */
/** How many bytes the longest of these names adds to the target's: `.` and `.hapki-<16 hex>.journal.tmp`. */
export const BESIDE_NAME_EXTRA_BYTES = 1 + '.hapki-'.length + 16 + '.journal.tmp'.length;

/** The longest file name (bytes) Linux and most file systems take (NAME_MAX). */
export const NAME_MAX_BYTES = 255;

/**
 * Why a target's name leaves no room for the files the protocol makes beside it, or undefined:
 * found before anything is written, and said about the user's file, not a temp file's name.
 */
export function nameRoomProblem(target: string): string | undefined {
  const bytes = Buffer.byteLength(posix.basename(target));
  if (bytes + BESIDE_NAME_EXTRA_BYTES <= NAME_MAX_BYTES) return undefined;
  return `the name is ${bytes} bytes long: hapki stages the new content beside it under a name ${BESIDE_NAME_EXTRA_BYTES} bytes longer, over the ${NAME_MAX_BYTES} a file name may have; give a name of at most ${NAME_MAX_BYTES - BESIDE_NAME_EXTRA_BYTES} bytes`;
}

export function lockPathOf(target: string): string {
  return beside(target, 'hapki-lock');
}

export function takeoverPathOf(target: string): string {
  return beside(target, 'hapki-lock.takeover');
}

/** Held by the process recovering change set <txn>, beside the change set's first file. */
export function recoveryGuardPathOf(target: string, txn: string): string {
  return beside(target, `hapki-${txn}.recovering`);
}

export function tempPathOf(target: string, txn: string): string {
  return beside(target, `hapki-${txn}.tmp`);
}

export function backupTempPathOf(target: string, txn: string): string {
  return beside(target, `hapki-${txn}.bak.tmp`);
}

export function journalPathOf(target: string, txn: string): string {
  return beside(target, `hapki-${txn}.journal`);
}

export function journalTempPathOf(target: string, txn: string): string {
  return beside(target, `hapki-${txn}.journal.tmp`);
}

export function backupPathOf(target: string): string {
  return `${target}.bak`;
}

export type DebrisKind = 'temp' | 'journal' | 'legacy-temp';

export interface Debris {
  /** The file name the debris belongs to (without the directory). */
  target: string;
  txn?: string;
  kind: DebrisKind;
}

/**
 * What a name in a directory is, if it is something hapki left: a staged file or a journal of
 * change set <txn>, or a temp file of the write path hapki had before the protocol.
 */
export function debrisOf(name: string): Debris | undefined {
  const ours = /^\.(.+)\.hapki-([0-9a-f]{16})\.(tmp|bak\.tmp|journal\.tmp|journal)$/s.exec(name);
  if (ours) return { target: ours[1]!, txn: ours[2]!, kind: ours[3] === 'journal' ? 'journal' : 'temp' };
  const legacy = /^\.(.+)\.[0-9a-f]{12}\.(tmp|probe)$/s.exec(name);
  if (legacy) return { target: legacy[1]!, kind: 'legacy-temp' };
  return undefined;
}

/** A guard file (a lock takeover or a recovery under way), if the name is one. */
export function guardKindOf(name: string): 'takeover' | 'recovering' | undefined {
  if (/^\..+\.hapki-lock\.takeover$/s.test(name)) return 'takeover';
  if (/^\..+\.hapki-[0-9a-f]{16}\.recovering$/s.test(name)) return 'recovering';
  return undefined;
}

/** The target a lock file guards, if the name is one. */
export function lockTargetOf(name: string): string | undefined {
  return /^\.(.+)\.hapki-lock$/s.exec(name)?.[1];
}

function beside(target: string, suffix: string): string {
  return posix.join(posix.dirname(target), `.${posix.basename(target)}.${suffix}`);
}
