import type { FileTransport } from '../transport/file_transport.js';
import { localTransport } from '../transport/local_transport.js';
import { remoteFile } from '../transport/remote_file.js';

/** How long a change set waits for another hapki process's lock by default. */
export const DEFAULT_LOCK_TIMEOUT_MS = 30_000;

export interface WritePathSettings {
  /** Wait this long for a lock held by another process, then ERR_LOCKED. */
  lockTimeoutMs: number;
  /**
   * Where warnings go: a change set recovered (`done`: files were changed, so it must reach the
   * user even if the command then fails), a file with other hard links, what Java's tools will not
   * open in a keystore about to be written.
   */
  warn: (message: string, options?: { done?: boolean }) => void;
  /** Transports for locations other than the local disk, so recovery can reach every file a journal names. */
  transports: Map<string, FileTransport>;
}

const settings: WritePathSettings = {
  lockTimeoutMs: DEFAULT_LOCK_TIMEOUT_MS,
  warn: (message) => process.emitWarning(message),
  transports: new Map(),
};

/**
 * Process-wide defaults of the write path: the CLI sets them once from --lock-timeout and its
 * stderr; a library user may too, or pass them per commit.
 */
export function configureWritePath(changes: Partial<Omit<WritePathSettings, 'transports'>>): void {
  if (changes.lockTimeoutMs !== undefined) {
    if (!Number.isFinite(changes.lockTimeoutMs) || changes.lockTimeoutMs < 0) throw new TypeError('lockTimeoutMs must be a non-negative number');
    settings.lockTimeoutMs = changes.lockTimeoutMs;
  }
  if (changes.warn) settings.warn = changes.warn;
}

/** Makes a transport known by its location, for recovering change sets that touched it. */
export function registerTransport(transport: FileTransport): void {
  if (transport.location !== 'local') settings.transports.set(transport.location, transport);
}

export function writePathSettings(): Readonly<WritePathSettings> {
  return settings;
}

export function transportFor(location: string): FileTransport | undefined {
  if (location === 'local') return localTransport();
  const known = settings.transports.get(location);
  if (known) return known;
  try {
    // a journal names a remote file by its transport's location, ssh://user@host:port
    return remoteFile(`${location}/`)?.transport;
  } catch {
    return undefined;
  }
}

let stoppedAt: string | undefined;

/**
 * The crash points tests use to prove recovery: with HAPKI_TEST_CRASH_AT=<step> the process
 * kills itself with SIGKILL at that step, exactly as `kill -9` from outside would, so no
 * cleanup code runs. Steps: locked, staging (the first file staged), staged, journal-written
 * (its temp, not yet renamed into place), journaled, renamed-<n> (after the n-th rename of
 * a target), replaced-<n> (between the n-th target's rename and its .bak's), committed (before the journal is removed), recovering (a recovery, once it holds
 * its guard). With HAPKI_TEST_STOP_AT=<step> it stops itself (SIGSTOP) there, the first time,
 * for a test to break something at exactly that moment and let it go on (SIGCONT).
 */
export function crashPoint(step: string): void {
  if (process.env.HAPKI_TEST_CRASH_AT === step) process.kill(process.pid, 'SIGKILL');
  if (process.env.HAPKI_TEST_STOP_AT === step && stoppedAt !== step) {
    stoppedAt = step;
    process.kill(process.pid, 'SIGSTOP');
  }
}
