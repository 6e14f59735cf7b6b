import { PasswordSourceError, UsageError } from '../errors.js';
import { parsePasswordSource, PASSWORD_SOURCE_FORMS, readEnvSource, readFirstLine } from '../secrets/password_source.js';
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

  constructor(private readonly io: CliIo) {}

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
    if (spec === undefined && this.io.prompt) {
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
        warn(this.io, `${what} given with pass: is visible to other users in the process list; prefer env:, file:, fd: or stdin`);
        return source.value;
      case 'env':
        return readEnvSource(this.io.env, source.name, what);
      case 'file':
        return readFirstLine(source.path, what);
      case 'fd':
        return readFirstLine(source.fd, what);
      case 'stdin': {
        if (this.stdinIsInput) throw new UsageError(`${what}: standard input is the input (-): give the password with env:, file: or fd:`);
        this.stdinLines ??= (await this.io.readStdin()).split(/\r?\n/);
        const line = this.stdinLines.shift();
        if (line === undefined) throw new PasswordSourceError(`${what}: standard input has no more lines`);
        return line;
      }
    }
  }
}
