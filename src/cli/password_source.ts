import { closeSync, openSync, readSync } from 'node:fs';
import { PasswordSourceError, UsageError } from '../errors.js';
import { warn, type CliIo } from './io.js';

/**
 * Resolves a password option: `pass:LITERAL` (warns: it shows in the process list and shell
 * history), `env:NAME`, `file:PATH` and `fd:N` (first line), `stdin` (one line per option that
 * asks, in order), or, when absent, a prompt on a terminal. Undefined when absent and there is
 * no terminal. Never echoes a password, not even in an error.
 */
export class PasswordResolver {
  private stdinLines: string[] | undefined;

  constructor(private readonly io: CliIo) {}

  async resolve(spec: string | undefined, what: string): Promise<string | undefined> {
    if (spec === undefined) return this.io.prompt ? this.io.prompt(`${what}: `) : undefined;
    if (spec.startsWith('pass:')) {
      warn(this.io, `${what} given with pass: is visible to other users in the process list; prefer env:, file:, fd: or stdin`);
      return spec.slice('pass:'.length);
    }
    if (spec.startsWith('env:')) {
      const name = spec.slice('env:'.length);
      const value = this.io.env[name];
      if (value === undefined) throw new PasswordSourceError(`${what}: environment variable ${name} is not set`);
      return value;
    }
    if (spec.startsWith('file:')) return firstLine(readSource(spec.slice('file:'.length), what));
    if (spec.startsWith('fd:')) {
      const fd = Number(spec.slice('fd:'.length));
      if (!Number.isInteger(fd) || fd < 0) throw new PasswordSourceError(`${what}: fd: needs a file descriptor number`);
      return firstLine(readSource(fd, what));
    }
    if (spec === 'stdin') {
      this.stdinLines ??= (await this.io.readStdin()).split(/\r?\n/);
      const line = this.stdinLines.shift();
      if (line === undefined) throw new PasswordSourceError(`${what}: standard input has no more lines`);
      return line;
    }
    // a malformed source is a command-line mistake (exit 2); never echo it, it may be the password
    throw new UsageError(`${what}: a password source is pass:TEXT, env:NAME, file:PATH, fd:N or stdin`);
  }
}

/** Longest password source hapki reads: a password is a line, not a file's worth of bytes. */
const MAX_PASSWORD_SOURCE_BYTES = 64 * 1024;

/**
 * The first line of a file or descriptor, read in small pieces up to the first newline, so that
 * `file:/dev/zero` or a huge file fails at once instead of filling memory. Pipes are allowed:
 * `file:<(pass show store)` hands the secret over one.
 */
function readSource(source: string | number, what: string): string {
  let fd: number | undefined;
  try {
    fd = typeof source === 'number' ? source : openSync(source, 'r');
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(4096);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      const piece = chunk.subarray(0, n);
      chunks.push(piece);
      total += n;
      if (piece.includes(0x0a)) break;
      if (total > MAX_PASSWORD_SOURCE_BYTES) throw new PasswordSourceError(`${what}: the source holds no line shorter than ${MAX_PASSWORD_SOURCE_BYTES} bytes`);
    }
    return Buffer.concat(chunks).toString('utf8');
  } catch (cause) {
    if (cause instanceof PasswordSourceError) throw cause;
    const code = (cause as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new PasswordSourceError(`${what}: cannot read ${typeof source === 'number' ? `fd ${source}` : source} (${code})`, { cause });
  } finally {
    if (fd !== undefined && typeof source !== 'number') closeSync(fd);
  }
}

function firstLine(text: string): string {
  return text.split(/\r?\n/)[0] ?? '';
}
