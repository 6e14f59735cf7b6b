import { spawnSync } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { PasswordResolver } from '../../src/cli/password_source.js';
import { buildProgram } from '../../src/cli/program.js';
import { REPO_ROOT } from '../helpers/fixtures.js';

// scripts/man_pages.mjs (run by prepack) writes man/ from dist/; `npm test` builds dist first.
const dir = mkdtempSync(join(tmpdir(), 'hapki-man-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every command of the program (groups included) with its page name: hapki-ca-init.1. */
async function everyCommand(): Promise<{ file: string; command: Command; leaf: boolean }[]> {
  const io = { stdout: () => {}, stderr: () => {}, readStdin: async () => '', prompt: undefined, env: {} };
  const program = await buildProgram({ io, passwords: new PasswordResolver(io) } as CliContext, ['node', 'hapki'], { allCommands: true });
  const out = [{ file: 'hapki.1', command: program, leaf: false }];
  const walk = (command: Command, words: string[]): void => {
    for (const sub of command.commands) {
      if (sub.name() === 'help') continue;
      const w = [...words, sub.name()];
      out.push({ file: `hapki-${w.join('-')}.1`, command: sub, leaf: sub.commands.length === 0 });
      walk(sub, w);
    }
  };
  walk(program, []);
  return out;
}

/** What `--help` prints after the options (Examples, Exit codes, ...). */
function afterHelp(command: Command): string {
  let text = '';
  // commander's addHelpText('after') listens for this event (Command is an EventEmitter; its types do not say so)
  (command as unknown as EventEmitter).emit('afterHelp', { error: false, command, write: (s: string) => (text += s) });
  return text;
}

const hasGroff = spawnSync('groff', ['--version']).status === 0;

describe('man pages from the --help definitions', async () => {
  const run = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'man_pages.mjs'), dir], { encoding: 'utf8' });
  const commands = await everyCommand();

  it('writes one page per command, and package.json lists exactly those', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const files = readdirSync(dir).sort();
    expect(files).toEqual(commands.map((c) => c.file).sort());
    expect(files).toEqual(expect.arrayContaining(['hapki.1', 'hapki-ca-init.1', 'hapki-sign.1', 'hapki-trust-mesh.1']));
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { man: string[]; files: string[]; scripts: Record<string, string> };
    // a new command needs its page in package.json "man" (npm installs only the pages listed there)
    expect(pkg.man.map((m) => m.replace(/^\.\/man\//, '')).sort(), 'package.json "man" lists every page in man/').toEqual(files);
    expect(pkg.files).toContain('man');
    expect(pkg.scripts.prepack).toContain('scripts/man_pages.mjs');
  });

  it.each(commands.map((c) => [c.file, c] as const))('%s is valid roff with the options and examples of --help', (file, { command, leaf }) => {
    const roff = readFileSync(join(dir, file), 'utf8');
    // structure, and roff escaping: no unescaped hyphen or backslash in text, no text line starting with . or '
    expect(roff).toMatch(/^\.\\" .*\n\.TH HAPKI\S* 1 /);
    for (const section of ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'OPTIONS']) expect(roff).toContain(`\n.SH ${section}\n`);
    for (const line of roff.split('\n')) {
      if (line.startsWith('.')) continue;
      expect(line, line).not.toMatch(/^'|(?<!\\)-|\\(?![-e&])/);
    }
    if (leaf) expect(roff).toContain('\n.SH EXAMPLES\n');
    if (leaf) expect(roff).toContain('\n.SH EXIT CODES\n');

    // rendered as man would show it: every visible option and every indented line of the after-help text is there
    const text = hasGroff ? render(join(dir, file)) : roff.replace(/\\-/g, '-').replace(/\\e/g, '\\').replace(/\\&/g, '');
    for (const o of command.options.filter((o) => !o.hidden)) expect(text).toContain(o.flags);
    const shown = afterHelp(command).split('\n').filter((l) => /^\s+\S/.test(l)).map((l) => l.trim());
    if (leaf) expect(shown.some((l) => l.startsWith('hapki '))).toBe(true);
    for (const line of shown) expect(text).toContain(line);
  });
});

/** groff's rendering in plain ASCII, wide enough that example lines are not broken; any warning fails. */
function render(file: string): string {
  const r = spawnSync('groff', ['-man', '-Tascii', '-ww', '-P-cbou', '-rLL=250n', file], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}
