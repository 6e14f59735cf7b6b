import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURE_PASSWORD, FIXTURES, REPO_ROOT } from '../helpers/fixtures.js';

const BIN = join(REPO_ROOT, 'dist', 'bin');
const SCRIPTS = ['hapki', 'hapki-deps'];

/** The build id on a script's first line, which names its code cache. */
function buildId(source: string): string {
  const id = /^\/\/ hapki-build ([0-9a-f]+)/.exec(source)?.[1];
  if (!id) throw new Error('no build id on the first line');
  return id;
}

/** A copy of the installed layout (bin/, dist/bin/, package.json), to damage without touching the build. */
const work = mkdtempSync(join(tmpdir(), 'hapki-code-cache-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
function install(name: string): string {
  const dir = join(work, name);
  cpSync(join(REPO_ROOT, 'bin'), join(dir, 'bin'), { recursive: true });
  cpSync(BIN, join(dir, 'dist', 'bin'), { recursive: true });
  cpSync(join(REPO_ROOT, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}
function run(dir: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(dir, 'bin', 'hapki.js'), ...args], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', STOREPASS: FIXTURE_PASSWORD } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const LIST = ['list', join(FIXTURES, 'gateway.jks'), '--storepass', 'env:STOREPASS'];

describe('the CLI bundle and its V8 code caches', () => {
  it('has, for each script, a cache of this build that V8 accepts', () => {
    for (const name of SCRIPTS) {
      const source = readFileSync(join(BIN, `${name}.cjs`), 'utf8');
      const cachedData = readFileSync(join(BIN, `${name}.${buildId(source)}.v8cache`));
      const script = new Script(source, { filename: join(BIN, `${name}.cjs`), cachedData });
      expect(script.cachedDataRejected, name).toBe(false);
      // stack traces name the script as V8 cached it: by its place in the package, not the build's directory
      const failing = (): never => {
        throw new Error('stop');
      };
      let stack = '';
      try {
        (script.runInThisContext() as (...args: unknown[]) => void)({}, failing, { exports: {} }, join(BIN, `${name}.cjs`), BIN);
        stack = 'ran without requiring anything';
      } catch (error) {
        stack = (error as Error).stack ?? '';
      }
      if (name === 'hapki') expect(stack).toMatch(/^ +at (.*\()?dist\/bin\/hapki\.cjs:\d+:\d+\)?$/m);
      expect(stack.split('\n').filter((line) => line.includes(`${name}.cjs`) && line.includes(REPO_ROOT))).toEqual([]);
    }
  });

  it('runs the same with a damaged cache, without one, or with a stale one, and writes nothing beside itself', () => {
    const expected = run(install('intact'), LIST);
    expect(expected.code).toBe(0);
    expect(expected.stdout).toContain('Keystore format: JKS');

    const damaged = install('damaged');
    for (const file of readdirSync(join(damaged, 'dist', 'bin')).filter((f) => f.endsWith('.v8cache'))) {
      const bytes = readFileSync(join(damaged, 'dist', 'bin', file));
      writeFileSync(join(damaged, 'dist', 'bin', file), Buffer.concat([bytes.subarray(0, 64), Buffer.alloc(1000, 0x5a)]));
    }
    const missing = install('missing');
    for (const file of readdirSync(join(missing, 'dist', 'bin')).filter((f) => f.endsWith('.v8cache'))) rmSync(join(missing, 'dist', 'bin', file));
    // another build's script beside this build's cache: the cache is not used for it
    const stale = install('stale');
    const source = readFileSync(join(stale, 'dist', 'bin', 'hapki.cjs'), 'utf8');
    writeFileSync(join(stale, 'dist', 'bin', 'hapki.cjs'), source.replace(/^\/\/ hapki-build [0-9a-f]+/, '// hapki-build 0000000000000000'));

    for (const dir of [damaged, missing, stale]) {
      const before = readdirSync(join(dir, 'dist', 'bin')).sort();
      const listed = run(dir, LIST);
      expect({ code: listed.code, stdout: listed.stdout, stderr: listed.stderr }, dir).toEqual(expected);
      // a command that reads YAML loads hapki-deps.cjs too
      writeFileSync(join(work, 'cluster.yaml'), 'ca: 1\n');
      const plan = run(dir, ['plan', join(work, 'cluster.yaml')]);
      expect(plan.stderr, dir).toMatch(/^hapki: [^\n]*cluster\.yaml:1: ca: must be a mapping[^\n]* \(ERR_CLUSTER_FILE\)\n$/);
      expect(plan.code, dir).toBe(1);
      expect(readdirSync(join(dir, 'dist', 'bin')).sort(), dir).toEqual(before);
    }
  });
});
