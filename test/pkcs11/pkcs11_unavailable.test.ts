import { cpSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ONE_LINE_ERROR } from '../helpers/cli.js';
import { FIXTURE_PASSWORD, FIXTURES, REPO_ROOT } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tools.js';

/**
 * hapki installed where the optional binding is not (it did not build, or was left out): a copy
 * of the built package whose node_modules has every dependency but pkcs11js.
 */
const install = tempDir('hapki-no-pkcs11-');

beforeAll(() => {
  cpSync(join(REPO_ROOT, 'bin'), join(install, 'bin'), { recursive: true });
  cpSync(join(REPO_ROOT, 'dist'), join(install, 'dist'), { recursive: true });
  cpSync(join(REPO_ROOT, 'package.json'), join(install, 'package.json'));
  mkdirSync(join(install, 'node_modules'));
  for (const name of readdirSync(join(REPO_ROOT, 'node_modules'))) {
    if (name !== 'pkcs11js') symlinkSync(join(REPO_ROOT, 'node_modules', name), join(install, 'node_modules', name));
  }
});

describe('without the optional PKCS#11 binding', () => {
  it('a pkcs11: location fails with ERR_PKCS11_UNAVAILABLE saying how to install it', async () => {
    const result = await runInstalled(['list', 'pkcs11:token=hapki-ca', '--pin', 'env:HSM_PIN']);
    expect(result.stderr).toMatch(ONE_LINE_ERROR('ERR_PKCS11_UNAVAILABLE'));
    expect(result.stderr).toContain('npm install pkcs11js');
    expect(result.code).toBe(1);
  });

  it('the library imports, its PKCS#11 functions there, failing only when used', async () => {
    const script = `import('${join(install, 'dist', 'index.js')}').then((m) => m.listPkcs11Token('pkcs11:token=x', { pin: '1' })).catch((e) => console.log(typeof e.code === 'string' ? e.code : 'no code'))`;
    const result = await runNode(['--input-type=module', '-e', script]);
    expect(result.stdout).toBe('ERR_PKCS11_UNAVAILABLE\n');
  });

  it('everything else works', async () => {
    const result = await runInstalled(['list', join(FIXTURES, 'gateway.p12'), '--storepass', `pass:${FIXTURE_PASSWORD}`]);
    expect(result.stderr).not.toContain('ERR_');
    expect(result.stdout).toContain('Keystore format: PKCS12');
    expect(result.code).toBe(0);
  });
});

function runInstalled(args: string[]) {
  return runNode([join(install, 'bin', 'hapki.js'), ...args]);
}

async function runNode(args: string[]) {
  const { spawn } = await import('node:child_process');
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: install, env: { PATH: process.env.PATH ?? '', HSM_PIN: '1234' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end();
  });
}
