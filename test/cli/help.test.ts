import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { FIXTURES, REPO_ROOT } from '../helpers/fixtures.js';

const run = promisify(execFile);

/** What bash completes after `words` (the last one being completed), with hapki's script sourced. */
async function complete(...words: string[]): Promise<string[]> {
  const script = `source <(${JSON.stringify(process.execPath)} ${JSON.stringify(join(REPO_ROOT, 'bin', 'hapki.js'))} completion bash)
COMP_WORDS=(hapki ${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length}; _hapki; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return (await run('bash', ['-c', script], { cwd: FIXTURES })).stdout.split('\n').filter(Boolean);
}

describe('help that teaches', () => {
  it('hapki completion bash completes commands, subcommands and each command\'s options', async () => {
    expect(await complete('tr')).toEqual(['trust']);
    expect(await complete('trust', '')).toEqual(expect.arrayContaining(['mesh', 'check']));
    expect(await complete('sign', '--ca-')).toEqual(expect.arrayContaining(['--ca-alias', '--ca-storepass', '--ca-keypass']));
    expect(await complete('list', 'gateway.j')).toEqual(expect.arrayContaining(['gateway.jks', 'gateway.jceks']));
  });

  it('hapki completion zsh is the same table for zsh; another shell is a usage error', async () => {
    expect((await hapki(['completion', 'zsh'])).stdout).toMatch(/^#compdef hapki\n[\s\S]*bashcompinit[\s\S]*complete -F _hapki hapki/);
    expect((await hapki(['completion', 'fish'])).code).toBe(2);
  });

  it('usage errors are one coded line like every other failure, exit 2 (3 for audit), with the input escaped', async () => {
    for (const args of [['list', '--bogus'], ['frob'], ['sign'], ['export', join(FIXTURES, 'gateway.p12')], ['list', '--storepass']]) {
      const r = await hapki(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(ONE_LINE_ERROR('ERR_USAGE'));
    }
    expect((await hapki(['frob'])).stderr).toContain('did you mean probe?');
    const audit = await hapki(['audit', '--bogus']);
    expect(audit.code).toBe(3);
    expect(audit.stderr).toMatch(ONE_LINE_ERROR('ERR_USAGE'));
    const hostile = await hapki(['list', '--\x1b[2J\rforged']);
    expect(hostile.stderr).toMatch(ONE_LINE_ERROR('ERR_USAGE'));
    expect(hostile.stderr).not.toContain('\x1b');
    expect(hostile.stderr).not.toContain('\r');
    const help = await hapki(['sign', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: hapki sign/);
  });

  it('a missing command is a usage error (help on stderr, exit 2, a coded last line); asked-for help is exit 0 on stdout', async () => {
    for (const args of [[], ['ca'], ['trust'], ['token']]) {
      const r = await hapki(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout, args.join(' ')).toBe('');
      expect(r.stderr, args.join(' ')).toMatch(/^Usage: hapki/);
      expect(r.stderr, args.join(' ')).toMatch(/\nhapki: missing command[^\n]*\(ERR_USAGE\)\n$/);
    }
    for (const args of [['--help'], ['help'], ['help', 'ca'], ['ca', '--help']]) {
      const r = await hapki(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout, args.join(' ')).toMatch(/^Usage: hapki/);
      expect(r.stderr, args.join(' ')).toBe('');
    }
  });

  it('--quiet leaves out notes and warnings, not the result nor errors; --verbose adds the cause', async () => {
    const args = ['list', join(FIXTURES, 'gateway.p12'), '--storepass', 'pass:changeit'];
    const loud = await hapki(args);
    expect(loud.stderr).toMatch(/warning: .*pass:/);
    const quiet = await hapki([...args, '--quiet']);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toBe(loud.stdout);
    const missing = await hapki(['list', join(FIXTURES, 'absent.p12'), '--quiet', '--verbose']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^hapki: [^\n]+ \(ERR_FILE_NOT_FOUND\)\nhapki: cause: ENOENT/);
  });

  it('takes -q and -v from the parsed options: an option value "-v" or "-q" is neither, "-qv" is both', async () => {
    const absent = ['list', join(FIXTURES, 'absent.p12')];
    const listed = ['list', join(FIXTURES, 'gateway.p12'), '--storepass', 'pass:changeit'];
    // -v as the value of --ssh-identity (a key file named -v): not --verbose, so no cause line
    const identity = await hapki(['--ssh-identity', '-v', ...absent]);
    expect(identity.code).toBe(1);
    expect(identity.stderr).toMatch(ONE_LINE_ERROR('ERR_FILE_NOT_FOUND'));
    // -q as the value of --ssh-user: not --quiet, so the pass: warning shows
    const user = await hapki(['--ssh-user', '-q', ...listed]);
    expect(user.code).toBe(0);
    expect(user.stderr).toMatch(/^hapki: warning: [^\n]*pass:[^\n]*\n$/);
    // -qv is -q and -v together, as commander reads it
    const both = await hapki([...listed, '-qv']);
    expect(both.code).toBe(0);
    expect(both.stderr).toBe('');
    const bothFailing = await hapki([...absent, '-qv']);
    expect(bothFailing.stderr).toMatch(/^hapki: [^\n]+ \(ERR_FILE_NOT_FOUND\)\nhapki: cause: ENOENT/);
  });
});
