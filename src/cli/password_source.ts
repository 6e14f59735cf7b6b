import { resolve } from 'node:path';
import { PasswordSourceError, UsageError } from '../errors.js';
import { DescriptorLines, parsePasswordSource, PASSWORD_SOURCE_FORMS, readEnvSource, readFirstLine } from '../secrets/password_source.js';
import { warn, type CliIo } from './io.js';

/**
 * Resolves a password option: `pass:LITERAL` (warns: it shows in the process list and shell
 * history), `env:NAME`, `file:PATH` and `fd:N` (first line), `stdin` (one line per option that
 * asks, in order), or, when absent, a prompt on a terminal. Undefined when absent and there is
 * no terminal. Never echoes a password, not even in an error.
 */
export class PasswordResolver {
  private stdinLines: string[] | undefined;
  private stdinIsInput = false;
  private readonly filesWarned = new Set<string>();
  private readonly descriptors = new DescriptorLines();

  /** A password file open to others or owned by another user: warned once per run, whichever option or cluster file names it. */
  readonly fileWarning = (message: string, file: string): void => {
    const key = resolve(file);
    if (this.filesWarned.has(key)) return;
    this.filesWarned.add(key);
    warn(this.io, message);
  };

  /** `argv`: the command line, so that a warning about a password file can name the option that gave it. */
  constructor(private readonly io: CliIo, private readonly argv: readonly string[] = []) {}

  /** The option of the command line whose value is `spec` (`--storepass` for `--storepass file:x` or `--storepass=file:x`). */
  private optionGiving(spec: string): string | undefined {
    for (const [i, arg] of this.argv.entries()) {
      if (arg.startsWith('--') && arg.endsWith(`=${spec}`)) return arg.slice(0, arg.length - spec.length - 1);
      if (arg === spec && this.argv[i - 1]?.startsWith('--')) return this.argv[i - 1];
    }
    return undefined;
  }

  /** Standard input is an input file (`-`): no password may come from it too. */
  claimStdinForInput(): void {
    if (this.stdinLines !== undefined) throw new UsageError('standard input holds passwords (stdin): name the input file instead of -');
    this.stdinIsInput = true;
  }

  /**
   * A password that will protect something new (an output keystore, a key, a new store): as
   * `resolve`, but an empty one is refused (an unset-looking `NEWPASS=` or an empty file would
   * otherwise write a key in the clear or a store anyone opens), and a prompt asks twice, as
   * keytool does, so that a typo does not lock the new file.
   */
  async resolveNew(spec: string | undefined, what: string): Promise<string | undefined> {
    let password: string | undefined;
    // stdin at a terminal is a prompt too (stdinLine), asked twice here like any other
    if ((spec === undefined || ((spec === 'stdin' || spec === 'fd:0') && !this.stdinIsInput)) && this.io.prompt) {
      password = await this.io.prompt(`${what}: `);
      if (password !== '' && (await this.io.prompt(`${what} again: `)) !== password) throw new PasswordSourceError(`${what}: the two entries differ`);
    } else password = await this.resolve(spec, what);
    if (password === '') throw new PasswordSourceError(`${what}: the password is empty; a new keystore or key needs one (a PEM or DER key in the clear: --no-encrypt)`);
    return password;
  }

  async resolve(spec: string | undefined, what: string): Promise<string | undefined> {
    if (spec === undefined) return this.io.prompt ? this.io.prompt(`${what}: `) : undefined;
    const source = parsePasswordSource(spec);
    // a malformed source is a command-line mistake (exit 2); never echo it, it may be the password
    if (typeof source === 'string') throw new UsageError(`${what}: ${source === `a password source is ${PASSWORD_SOURCE_FORMS}` ? source : `${source} (a password source is ${PASSWORD_SOURCE_FORMS})`}`);
    switch (source.kind) {
      case 'pass':
        // from an audit configuration or an instance list, the password is in that file, not argv
        if (this.argv.some((arg) => arg === spec || arg.endsWith(`=${spec}`))) warn(this.io, `${what} given with pass: is visible to other users in the process list; prefer env:, file:, fd: or stdin`);
        else warn(this.io, `${what} is written in the file that names it (pass:); prefer env: or file:`);
        return source.value;
      case 'env':
        return readEnvSource(this.io.env, source.name, what);
      case 'file':
        return readFirstLine(source.path, what, (message, file) => {
          const option = this.optionGiving(spec);
          this.fileWarning(option === undefined ? message : `${option} (${message}`.replace(`${what}:`, `${what}):`), file);
        });
      // fd:0 is standard input: the same lines as stdin, and not also the input file (-)
      case 'fd':
        return source.fd === 0 ? this.stdinLine(what) : this.descriptors.next(source.fd, what);
      case 'stdin':
        return this.stdinLine(what);
    }
  }

  private async stdinLine(what: string): Promise<string> {
    if (this.stdinIsInput) throw new UsageError(`${what}: standard input is the input (-): give the password with env:, file: or fd: (not fd:0)`);
    // standard input is the terminal: ask, without echo, rather than wait silently for lines that
    // show on the screen as they are typed (and stay in its scrollback) until Ctrl-D
    if (this.io.prompt) return this.io.prompt(`${what}: `);
    // the newline that ends the last line starts no line of its own: "pw\n" is one line, and a
    // second option asking gets "no more lines", not an empty password
    this.stdinLines ??= (await this.io.readStdin()).replace(/\r?\n$/, '').split(/\r?\n/);
    const line = this.stdinLines.shift();
    if (line === undefined) throw new PasswordSourceError(`${what}: standard input has no more lines (one line per option that names stdin, in order)`);
    return line;
  }
}
