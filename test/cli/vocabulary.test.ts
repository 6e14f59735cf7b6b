import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { main } from '../../src/cli/main.js';
import { deprecatedOptions } from '../../src/cli/options.js';
import { PasswordResolver } from '../../src/cli/password_source.js';
import { buildProgram } from '../../src/cli/program.js';
import { FIXTURES, REPO_ROOT } from '../helpers/fixtures.js';

/** Every command of the program, all loaded (no command asked: the top-level help loads them all). */
async function everyCommand(): Promise<{ path: string; command: Command }[]> {
  const io = { stdout: () => {}, stderr: () => {}, readStdin: async () => '', prompt: undefined, env: {} };
  const program = await buildProgram({ io, passwords: new PasswordResolver(io) } as CliContext, ['node', 'hapki'], { allCommands: true });
  const out: { path: string; command: Command }[] = [];
  const walk = (command: Command, path: string): void => {
    for (const sub of command.commands) {
      const name = path ? `${path} ${sub.name()}` : sub.name();
      if (sub.commands.length === 0) out.push({ path: name, command: sub });
      walk(sub, name);
    }
  };
  walk(program, '');
  return out;
}

const visible = (command: Command): Option[] => command.options.filter((o) => !o.hidden);
const PASSWORD = /pass(-for)?$/;
const ALLOWED_PASSWORD = /^--(?:(?:(ca|from|to)-)?(?:storepass|keypass)|outpass|trustpass|(?:storepass|keypass)-for)$/;

describe('the flag vocabulary, over every command', async () => {
  const commands = await everyCommand();

  it('finds the commands', () => {
    expect(commands.map((c) => c.path)).toEqual(expect.arrayContaining(['list', 'sign', 'ca init', 'audit', 'token issue', 'trust mesh']));
  });

  it.each(commands.map((c) => [c.path, c.command] as const))('%s speaks the vocabulary', (path, command) => {
    const longs = new Set(visible(command).map((o) => o.long));
    for (const option of visible(command)) {
      const flag = option.long!;
      expect(flag, `${path}: long options only, lower-case words`).toMatch(/^--[a-z0-9]+(-[a-z0-9]+)*$/);
      if (PASSWORD.test(flag)) {
        expect(flag, `${path} ${flag}: a password is --storepass, --keypass, --outpass, --trustpass or --<role>-storepass`).toMatch(ALLOWED_PASSWORD);
        const role = /^--(ca|from|to)-/.exec(flag)?.[1];
        if (role) expect(longs.has(`--${role}`), `${path} ${flag} without --${role}`).toBe(true);
        expect(option.flags, `${path} ${flag} takes a password source`).toMatch(/<src>|<keystore=src>/);
      }
      if (flag === '--ca-alias') expect(longs.has('--ca'), `${path}: --ca-alias without --ca`).toBe(true);
      if (/<format>/.test(option.flags)) {
        const allowed = path === 'audit' ? ['--format'] : ['--out-format', '--store-format'];
        expect(allowed, `${path} ${flag}: a keystore format is --out-format (what is written)`).toContain(flag);
      }
      expect(flag, `${path}: the CA is --ca, not --issuer`).not.toMatch(/^--issuer/);
      expect(flag, `${path}: the output is --out`).not.toMatch(/^--output/);
      if (flag === '--out') expect(option.flags).toMatch(/<file>/);
    }
    // completion prints a shell script, not a result
    if (path !== 'completion') expect(longs.has('--json'), `${path} prints a result: it takes --json`).toBe(true);
  });

  it.each(commands.map((c) => [c.path, c.command] as const))('%s: every hidden option is an old spelling of a visible one', (path, command) => {
    const deprecated = deprecatedOptions(command);
    for (const option of command.options.filter((o) => o.hidden)) {
      const replacement = deprecated.get(option.long!);
      expect(replacement, `${path} ${option.long} is hidden but not a deprecated spelling`).toBeDefined();
      expect(visible(command).map((o) => o.long), `${path}: ${option.long} -> ${replacement}`).toContain(replacement);
    }
  });

  it('every command that reaches many hosts takes --parallel <n>, and no other does', () => {
    const takes = commands.filter(({ command }) => visible(command).some((o) => o.long === '--parallel')).map((c) => c.path).sort();
    expect(takes).toEqual(['apply', 'audit', 'plan', 'token distribute', 'trust check', 'trust mesh']);
    for (const { command } of commands) for (const o of visible(command).filter((x) => x.long === '--parallel')) expect(o.flags).toBe('--parallel <n>');
  });

  it('the README table lists every flag of every command', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const table = /<!-- flag-vocabulary:begin -->([\s\S]*?)<!-- flag-vocabulary:end -->/.exec(readme)?.[1] ?? '';
    const missing = commands.flatMap(({ path, command }) => visible(command).filter((o) => !table.includes(`\`${o.long}\``)).map((o) => `${path} ${o.long}`));
    expect(missing).toEqual([]);
  });
});

describe('old spellings keep working for one release, with a warning', async () => {
  const commands = await everyCommand();
  const cases = commands.flatMap(({ path, command }) => [...deprecatedOptions(command)].map(([old, now]) => [path, old, now] as const));

  it('there are old spellings to check', () => expect(cases.length).toBeGreaterThan(5));

  it.each(cases)('%s %s means %s', async (path, old, now) => {
    let stderr = '';
    const io = { stdout: () => {}, stderr: (t: string) => void (stderr += t), readStdin: async () => '', prompt: undefined, env: {} };
    const program = await buildProgram({ io, passwords: new PasswordResolver(io) } as CliContext, ['node', 'hapki', ...path.split(' ')]);
    let command: Command = program;
    for (const word of path.split(' ')) command = command.commands.find((c) => c.name() === word)!;
    let seen: Record<string, unknown> | undefined;
    command.action(() => void (seen = command.opts()));
    const oldOption = command.options.find((o) => o.long === old)!;
    const argv = [...path.split(' '), old, ...(oldOption.required ? ['value-1'] : [])];
    // a placeholder value each mandatory option accepts (values are checked before the action)
    for (const o of command.options.filter((o) => o.mandatory && !o.hidden)) argv.push(o.long!, o.long === '--subject' ? 'CN=x' : 'x');
    for (const _ of command.registeredArguments.filter((a) => a.required)) argv.push('arg');
    await program.exitOverride().parseAsync(argv, { from: 'user' });
    const key = command.options.find((o) => o.long === now)!.attributeName();
    expect(seen?.[key]).toBe(oldOption.required ? 'value-1' : true);
    expect(stderr).toContain(`${old} is deprecated`);
    expect(stderr).toContain(now);
  });
});

describe('messages name the option that is needed', () => {
  it('verify asks for --trustpass when the trust store needs a password', async () => {
    let stderr = '';
    const io = { stdout: () => {}, stderr: (t: string) => void (stderr += t), readStdin: async () => '', prompt: undefined, env: {} };
    const code = await main(['node', 'hapki', 'verify', join(FIXTURES, 'ca.pem'), '--trust', join(FIXTURES, 'gateway.p12')], io);
    expect(code).toBe(1);
    expect(stderr).toMatch(/give --trustpass \(ERR_PASSWORD_REQUIRED\)\n$/);
  });
});
