import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { isatty } from 'node:tty';
import { PasswordSourceError } from '../errors.js';
import { errnoWords } from '../lib/errno_words.js';

/**
 * Where a password comes from. One grammar for the command line, cluster files and audit
 * configurations: `pass:TEXT` (works, but the secret is then in argv or the file), `env:NAME`,
 * `file:PATH` and `fd:N` (first line), `stdin` (a line).
 */
export type PasswordSource =
  | { kind: 'pass'; value: string }
  | { kind: 'env'; name: string }
  | { kind: 'file'; path: string }
  | { kind: 'fd'; fd: number }
  | { kind: 'stdin' };

export const PASSWORD_SOURCE_FORMS = 'pass:TEXT, env:NAME, file:PATH, fd:N or stdin';

/**
 * The source a spec names, or a sentence saying what is wrong with it, never repeating the
 * spec (a mistyped source is often the password itself). A relative `file:` path is taken
 * against `baseDir` when one is given (a cluster file's directory).
 */
export function parsePasswordSource(spec: string, baseDir?: string): PasswordSource | string {
  if (spec.startsWith('pass:')) return { kind: 'pass', value: spec.slice('pass:'.length) };
  if (spec.startsWith('env:')) {
    const name = spec.slice('env:'.length);
    return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? { kind: 'env', name } : 'env: needs a variable name';
  }
  if (spec.startsWith('file:')) {
    const path = spec.slice('file:'.length);
    if (path === '') return 'file: needs a path';
    return { kind: 'file', path: baseDir === undefined || isAbsolute(path) ? path : resolve(baseDir, path) };
  }
  if (spec.startsWith('fd:')) {
    const fd = Number(spec.slice('fd:'.length));
    return /^fd:\d+$/.test(spec) && Number.isSafeInteger(fd) ? { kind: 'fd', fd } : 'fd: needs a file descriptor number';
  }
  if (spec === 'stdin') return { kind: 'stdin' };
  return `a password source is ${PASSWORD_SOURCE_FORMS}`;
}

/** How a source is shown to the user: never the secret itself. */
export function describePasswordSource(source: PasswordSource): string {
  switch (source.kind) {
    case 'pass':
      return 'pass:…';
    case 'env':
      return `env:${source.name}`;
    case 'file':
      return `file:${source.path}`;
    case 'fd':
      return `fd:${source.fd}`;
    case 'stdin':
      return 'stdin';
  }
}

/** The variable's value, or ERR_PASSWORD_SOURCE naming it (not its value). */
export function readEnvSource(env: Readonly<Record<string, string | undefined>>, name: string, what: string): string {
  const value = env[name];
  if (value === undefined) throw new PasswordSourceError(`${what}: environment variable ${name} is not set`);
  return value;
}

/**
 * What is wrong with a password file as ssh judges a private key file: readable or writable by
 * group or others, or owned by a user other than the one running hapki (or root). Only a
 * regular file: a pipe (`file:<(pass show x)`) or a device has no such owner to trust. The
 * caller warns, it does not refuse: deployments with such files keep working.
 */
export function passwordFileProblem(stats: Stats, uid: number | undefined = process.getuid?.()): string | undefined {
  if (!stats.isFile()) return undefined;
  if (uid !== undefined && stats.uid !== uid && stats.uid !== 0) return `belongs to another user (uid ${stats.uid}), who can change the password hapki reads: chown it or move it`;
  const mode = stats.mode & 0o777;
  if ((mode & 0o077) !== 0) return `is open to ${(mode & 0o070) !== 0 && (mode & 0o007) !== 0 ? 'group and others' : (mode & 0o070) !== 0 ? 'its group' : 'others'} (mode ${mode.toString(8).padStart(4, '0')}): chmod 600 it`;
  return undefined;
}

/**
 * The warning for a file that holds passwords itself (a cluster file's or audit configuration's
 * `pass:` sources) and is open to others or owned by another user, as a password file is judged:
 * the `pass:` warning alone told of the process list, while the secret sat in a file every user
 * could read. Undefined when the file is private or holds no `pass:` source.
 */
export function passwordsInFileProblem(path: string, specs: readonly (string | undefined)[]): string | undefined {
  if (!specs.some((spec) => spec?.startsWith('pass:'))) return undefined;
  const problem = secretFileProblemAt(path);
  return problem === undefined ? undefined : `${path} holds passwords itself (pass:) and ${problem}`;
}

/** passwordFileProblem for a secret file named by path (an SSH identity); undefined when it cannot be looked at (its reader says why). */
export function secretFileProblemAt(path: string): string | undefined {
  try {
    return passwordFileProblem(statSync(path));
  } catch {
    return undefined;
  }
}

/** Longest password source hapki reads: a password is a line, not a file's worth of bytes. */
const MAX_PASSWORD_SOURCE_BYTES = 64 * 1024;

/** How long a named FIFO may stay without a writer before hapki stops waiting for one. */
const FIFO_WRITER_WAIT_MS = 3000;

/**
 * How long a writer holding a pipe open may take to write its line: HAPKI_PASSWORD_TIMEOUT
 * seconds, default 60. `file:<(pass show x)` may wait on a GPG passphrase; a pipe whose writer
 * never writes (or never ends its line) held hapki, and a cron job, for ever.
 */
export function passwordWaitMs(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const given = Number(env['HAPKI_PASSWORD_TIMEOUT']);
  // a timer holds at most 2^31-1 ms (24.8 days): Node sets a longer one to 1 ms, with a warning,
  // and a wait meant as "no limit" (99999999) gave up at once
  return Number.isFinite(given) && given > 0 ? Math.min(Math.ceil(given * 1000), MAX_TIMER_MS) : 60_000;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/** A terminal echoes what is typed: a password read from one (fd:3 3</dev/tty, file:/dev/tty) was shown on the screen, and waited for without end. */
function terminalRefused(what: string, name: string): PasswordSourceError {
  return new PasswordSourceError(`${what}: ${name} is a terminal, where a password shows as it is typed: leave the option out (hapki asks without echo at a terminal) or give stdin`);
}

const pause = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

/**
 * The first line of a file or descriptor, read in small pieces up to the first newline, so that
 * `file:/dev/zero` or a huge file fails at once instead of filling memory. Pipes are allowed:
 * `file:<(pass show store)` hands the secret over one, and a writer may take its time. A file is
 * opened without blocking, so a named FIFO no process writes to fails after a few seconds
 * instead of hanging hapki (and a cron job) in open().
 */
export function readFirstLine(source: string | number, what: string, onWarning?: (message: string, file: string) => void): string {
  let fd: number | undefined;
  try {
    fd = typeof source === 'number' ? source : openSync(source, constants.O_RDONLY | constants.O_NONBLOCK);
    const stats = typeof source === 'string' ? fstatSync(fd) : undefined;
    if (isatty(fd)) throw terminalRefused(what, typeof source === 'number' ? `fd ${source}` : source);
    if (stats && onWarning) {
      const problem = passwordFileProblem(stats);
      if (problem) onWarning(`${what}: the password file ${source} ${problem}`, source as string);
    }
    const fifo = stats?.isFIFO() === true;
    const giveUpAt = Date.now() + FIFO_WRITER_WAIT_MS;
    const writerGiveUpAt = Date.now() + passwordWaitMs();
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(4096);
      let n: number;
      try {
        n = readSync(fd, chunk, 0, chunk.length, null);
      } catch (cause) {
        // a writer is there but has not written yet (opened without blocking)
        if (stats && (cause as NodeJS.ErrnoException).code === 'EAGAIN') {
          if (Date.now() >= writerGiveUpAt) throw new PasswordSourceError(`${what}: no line came through ${source} within ${passwordWaitMs() / 1000} s (HAPKI_PASSWORD_TIMEOUT)`);
          pause(20);
          continue;
        }
        throw cause;
      }
      if (n === 0) {
        // end of file on a FIFO before any byte: no writer has opened it yet
        if (fifo && total === 0) {
          if (Date.now() >= giveUpAt) throw new PasswordSourceError(`${what}: no process wrote to the FIFO ${source} within ${FIFO_WRITER_WAIT_MS / 1000} s`);
          pause(20);
          continue;
        }
        break;
      }
      const piece = chunk.subarray(0, n);
      chunks.push(piece);
      total += n;
      if (piece.includes(0x0a)) break;
      if (total > MAX_PASSWORD_SOURCE_BYTES) throw new PasswordSourceError(`${what}: the source holds no line shorter than ${MAX_PASSWORD_SOURCE_BYTES} bytes`);
    }
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  } catch (cause) {
    if (cause instanceof PasswordSourceError) throw cause;
    const code = errnoWords((cause as NodeJS.ErrnoException).code) ?? 'unreadable';
    throw new PasswordSourceError(`${what}: cannot read ${typeof source === 'number' ? `fd ${source}` : source} (${code})`, { cause });
  } finally {
    if (fd !== undefined && typeof source !== 'number') closeSync(fd);
  }
}

/**
 * Password lines read from file descriptors (`fd:N`), one line per call: a descriptor named by
 * two options (`--storepass fd:3 --outpass fd:3`) gives each its own line, in order, as `stdin`
 * does and as openssl's -passin/-passout do. A pipe is read in pieces, and the first call used
 * to keep what came after its line: the second option then read nothing and got an empty
 * password. What a read brings past a line now waits for the next call; past the end, a
 * further call fails coded instead of handing out an empty password.
 */
export class DescriptorLines {
  readonly #read = new Map<number, { rest: Buffer; ended: boolean; lines: number; from: number }>();

  next(fd: number, what: string): string {
    let state = this.#read.get(fd);
    if (!state) {
      state = { rest: Buffer.alloc(0), ended: false, lines: 0, from: readableDescriptor(fd, what) };
      this.#read.set(fd, state);
    }
    const giveUpAt = Date.now() + passwordWaitMs();
    for (;;) {
      const newline = state.rest.indexOf(0x0a);
      if (newline >= 0 || (state.ended && state.rest.length > 0)) {
        const end = newline >= 0 ? newline : state.rest.length;
        const line = state.rest.subarray(0, end).toString('utf8').replace(/\r$/, '');
        // the bytes of a password handed out are not kept: only the lines still to be read stay
        const taken = Math.min(end + 1, state.rest.length);
        state.rest.fill(0, 0, taken);
        state.rest = state.rest.subarray(taken);
        state.lines++;
        return line;
      }
      if (state.ended) {
        if (state.lines > 0) throw new PasswordSourceError(`${what}: fd ${fd} has no more lines (one line per option that names it, in order)`);
        state.lines++;
        return '';
      }
      if (state.rest.length > MAX_PASSWORD_SOURCE_BYTES) throw new PasswordSourceError(`${what}: the source holds no line shorter than ${MAX_PASSWORD_SOURCE_BYTES} bytes`);
      const chunk = Buffer.alloc(4096);
      let n: number;
      try {
        n = readSync(state.from, chunk, 0, chunk.length, null);
      } catch (cause) {
        // a descriptor opened without blocking whose writer has not written yet
        if ((cause as NodeJS.ErrnoException).code === 'EAGAIN') {
          if (Date.now() >= giveUpAt) throw new PasswordSourceError(`${what}: no line came through fd ${fd} within ${passwordWaitMs() / 1000} s (HAPKI_PASSWORD_TIMEOUT)`);
          pause(20);
          continue;
        }
        // fstat found it open: EBADF now means open for writing only (fd:1, or 3>file for 3<file)
        const code = (cause as NodeJS.ErrnoException).code;
        throw new PasswordSourceError(`${what}: cannot read fd ${fd} (${code === 'EBADF' ? `not open for reading: give it as ${fd}<file` : errnoWords(code) ?? 'unreadable'})`, { cause });
      }
      if (n === 0) state.ended = true;
      else {
        const joined = Buffer.concat([state.rest, chunk.subarray(0, n)]);
        state.rest.fill(0);
        chunk.fill(0);
        state.rest = joined;
      }
    }
  }
}

/**
 * A descriptor hapki was given holds a file, a pipe, a socket or a terminal. One that was never
 * given (`fd:3` with no `3<file`) may be one Node opened for itself: an event poll or event
 * counter, whose read failed with a bare EINVAL or took 8 bytes of a counter for a password.
 */
function readableDescriptor(fd: number, what: string): number {
  checkDescriptor(fd, what);
  if (!fstatSync(fd).isFIFO()) return fd;
  // a pipe given as fd:N is blocking: a writer that never writes (or never ends its line) held the
  // read for ever. Read through a non-blocking description of the same pipe of our own, so the
  // wait is bounded (passwordWaitMs); where /proc cannot give one, the descriptor as it is
  try {
    return openSync(`/proc/self/fd/${fd}`, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return fd;
  }
}

function checkDescriptor(fd: number, what: string): void {
  let stats: Stats;
  try {
    stats = fstatSync(fd);
  } catch (cause) {
    throw new PasswordSourceError(`${what}: cannot read fd ${fd} (${errnoWords((cause as NodeJS.ErrnoException).code) ?? 'unreadable'})`, { cause });
  }
  if (stats.isDirectory()) throw new PasswordSourceError(`${what}: cannot read fd ${fd} (${errnoWords('EISDIR')})`);
  if (isatty(fd)) throw terminalRefused(what, `fd ${fd}`);
  if (!(stats.isFile() || stats.isFIFO() || stats.isSocket() || stats.isCharacterDevice() || stats.isBlockDevice())) {
    throw new PasswordSourceError(`${what}: fd ${fd} is not a file, pipe or terminal given to hapki (open it for hapki, as ${fd}<file)`);
  }
}
