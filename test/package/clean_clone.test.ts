import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/fixtures.js';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'hapki-clone-'));
const clone = join(work, 'hapki');
const consumer = join(work, 'consumer');
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs a shell command as a user would type it; npm from its local cache where it can. */
async function sh(command: string, cwd: string): Promise<{ stdout: string; stderr: string }> {
  return run('bash', ['-c', command], { cwd, env: { ...process.env, NO_COLOR: '1', npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' }, maxBuffer: 64 * 1024 * 1024 });
}

/** The README's sh blocks under its first heading: the set-up command, then the test command. */
function readmeCommands(): string[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const intro = readme.slice(0, readme.indexOf('\n## '));
  return [...intro.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
}

/**
 * A fresh clone with nothing beside it (no ../shared), as a new user has it: the README's two
 * commands succeed there, and the package npm packs from it installs and works in an empty project.
 * The second command runs the test files that used to need ../shared, not the whole suite again
 * (that would run this test inside itself).
 */
describe('a fresh clone', () => {
  let tarball = '';
  beforeAll(async () => {
    await run('git', ['clone', '--quiet', '--no-hardlinks', REPO_ROOT, clone]);
    // the commit under test, also when REPO_ROOT is a worktree on another branch than its repository's HEAD
    const head = (await run('git', ['-C', REPO_ROOT, 'rev-parse', 'HEAD'])).stdout.trim();
    await run('git', ['-C', clone, 'checkout', '--quiet', head]);
  }, 600_000);

  it("runs the README's two commands", async () => {
    const [setUp, tests] = readmeCommands();
    expect(setUp).toMatch(/^bash scripts\/setup\.sh && .*lab .* && .*apply /);
    expect(tests).toBe('bash scripts/setup.sh && npm test');
    const first = await sh(setUp!, clone);
    expect(first.stdout).toMatch(/applied: wrote \d+ keystores/);
    const second = await sh(`${tests} -- test/keystore/jks/pyjks.test.ts test/interop/limbo.test.ts test/cli/bad_input.test.ts test/cli/vocabulary.test.ts`, clone);
    const report = second.stdout.replace(/\x1b\[[0-9;]*m/g, '');
    expect(report).toMatch(/Test Files +4 passed \(4\)/);
    expect(report).not.toMatch(/[1-9]\d* skipped/);
  }, 900_000);

  it('packs (prepack builds) a package with its licence, without source maps', async () => {
    rmSync(join(clone, 'dist'), { recursive: true, force: true });
    const packed = await sh(`npm pack --silent --pack-destination ${work}`, clone);
    tarball = join(work, packed.stdout.trim().split('\n').pop()!);
    const files = (await run('tar', ['tzf', tarball])).stdout.split('\n');
    expect(files).toEqual(expect.arrayContaining(['package/LICENSE', 'package/bin/hapki.js', 'package/dist/index.js', 'package/dist/index.d.ts', 'package/dist/cli/main.js']));
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    // the CLI's two scripts, each with the code cache the build made for it
    expect(files.filter((f) => f.startsWith('package/dist/bin/')).map((f) => f.replace(/\.[0-9a-f]{16}\.v8cache$/, '.<build>.v8cache')).sort()).toEqual(
      ['command_index.json', 'hapki-deps.<build>.v8cache', 'hapki-deps.cjs', 'hapki.<build>.v8cache', 'hapki.cjs'].map((f) => `package/dist/bin/${f}`),
    );
    expect(readFileSync(join(clone, 'LICENSE'), 'utf8')).toContain('Apache License\n                           Version 2.0, January 2004');
  }, 600_000);

  it('installs in an empty project: ESM import (without commander or yaml), CommonJS require, the bin, strict types under node16 and bundler', async () => {
    expect(tarball).not.toBe('');
    mkdirSync(join(consumer, 'src'), { recursive: true });
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }));
    const typesNode = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies['@types/node'];
    await sh(`npm install --ignore-scripts --loglevel=error ${tarball} @types/node@${typesNode}`, consumer);

    writeFileSync(join(consumer, 'hooks.mjs'), "export async function resolve(s, c, next) { if (s === 'commander' || s === 'yaml') process.stdout.write(`LOADED ${s}\\n`); return next(s, c); }\n");
    writeFileSync(join(consumer, 'register.mjs'), "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n");
    writeFileSync(join(consumer, 'esm.mjs'), "const h = await import('hapki');\nconsole.log(typeof h.readKeystore, typeof h.writeKeystore);\n");
    expect((await sh('node --import ./register.mjs esm.mjs', consumer)).stdout).toBe('function function\n');

    writeFileSync(join(consumer, 'cjs.cjs'), "const h = require('hapki');\nconsole.log(typeof h.readKeystore);\n");
    expect((await sh('node cjs.cjs', consumer)).stdout).toBe('function\n');
    expect((await sh('node node_modules/.bin/hapki --version', consumer)).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect((await sh(`STOREPASS=changeit node_modules/.bin/hapki list ${join(clone, 'fixtures', 'gateway.jks')} --storepass env:STOREPASS`, consumer)).stdout).toMatch(/^Keystore format: JKS, 2 entries\n/);

    writeFileSync(join(consumer, 'src', 'index.ts'), [
      "import { emptyKeystore, readKeystore, writeKeystore, type Keystore } from 'hapki';",
      "const store: Keystore = emptyKeystore('PKCS12');",
      'export const bytes: Promise<Uint8Array> = writeKeystore(store, { password: "x" });',
      'export const again = async (b: Uint8Array): Promise<Keystore> => readKeystore(b, { password: "x" });',
      '',
    ].join('\n'));
    const tsc = join(clone, 'node_modules', 'typescript', 'bin', 'tsc');
    const common = { strict: true, skipLibCheck: false, noEmit: true, target: 'es2022', types: ['node'] };
    writeFileSync(join(consumer, 'tsconfig.node16.json'), JSON.stringify({ compilerOptions: { ...common, module: 'node16', moduleResolution: 'node16' }, files: ['src/index.ts'] }));
    writeFileSync(join(consumer, 'tsconfig.bundler.json'), JSON.stringify({ compilerOptions: { ...common, module: 'esnext', moduleResolution: 'bundler' }, files: ['src/index.ts'] }));
    await sh(`node ${tsc} -p tsconfig.node16.json`, consumer);
    await sh(`node ${tsc} -p tsconfig.bundler.json`, consumer);
  }, 600_000);
});
