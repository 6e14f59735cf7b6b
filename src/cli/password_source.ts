import { readFileSync } from 'node:fs';
import { PasswordSourceError } from '../errors.js';
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
    throw new PasswordSourceError(`${what}: a password source is pass:TEXT, env:NAME, file:PATH, fd:N or stdin`);
  }
}

function readSource(source: string | number, what: string): string {
  try {
    return readFileSync(source, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new PasswordSourceError(`${what}: cannot read ${typeof source === 'number' ? `fd ${source}` : source} (${code})`, { cause });
  }
}

function firstLine(text: string): string {
  return text.split(/\r?\n/)[0] ?? '';
}
