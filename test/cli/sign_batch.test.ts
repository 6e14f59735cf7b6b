import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hapki } from '../helpers/cli.js';
import { openssl, tempDir } from '../helpers/tools.js';

const dir = tempDir();
const env = { CAPASS: 'ca-secret' };
const capass = ['--ca-storepass', 'env:CAPASS'];
const ca = join(dir, 'ca.p12');
const caPem = join(dir, 'ca.pem');

async function run(args: string[]) {
  return hapki(args, { env, cwd: dir });
}

beforeAll(async () => {
  const r = await run(['ca', 'init', '--subject', 'CN=Batch Root CA,O=Example', '--kty', 'ec', '--out', ca, '--outpass', 'env:CAPASS', '--cert-out', caPem]);
  expect(r.code, r.stderr).toBe(0);
  for (const name of ['msas1', 'msas2', 'msas3']) {
    await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, `${name}.key`), '-subj', `/O=Example/CN=${name}.example.com`, '-out', join(dir, `${name}.csr`)]);
  }
});

describe('hapki sign with many requests', () => {
  it('signs every request into --out-dir as <name>.pem, each verified by openssl with the --san added', async () => {
    const r = await run(['sign', 'msas1.csr', 'msas2.csr', 'msas3.csr', '--ca', ca, ...capass, '--san', 'lbrhost.example.com', '--out-dir', 'certs']);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(join(dir, 'certs')).sort()).toEqual(['msas1.pem', 'msas2.pem', 'msas3.pem']);
    expect(r.stdout.match(/^subject: /gm)).toHaveLength(3);
    for (const name of ['msas1', 'msas2', 'msas3']) {
      const cert = join(dir, 'certs', `${name}.pem`);
      expect((await openssl(['verify', '-CAfile', caPem, cert])).stdout).toMatch(/: OK/);
      expect((await openssl(['x509', '-in', cert, '-noout', '-ext', 'subjectAltName'])).stdout).toContain(`DNS:${name}.example.com, DNS:lbrhost.example.com`);
    }
  });

  it('one refused request: its file and code on one line, the first refusal decides the exit, and nothing is written', async () => {
    writeFileSync(join(dir, 'junk.csr'), 'not a request');
    writeFileSync(join(dir, 'junk2.csr'), 'not a request either');
    const r = await run(['sign', 'msas1.csr', 'junk.csr', 'junk2.csr', '--ca', ca, ...capass, '--out-dir', 'none']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^hapki: junk2\.csr: [^\n]+ \(ERR_INVALID_ARGUMENT\)\nhapki: junk\.csr: [^\n]+ \(ERR_INVALID_ARGUMENT\)\n$/);
    expect(existsSync(join(dir, 'none'))).toBe(false);
  });

  it('refuses --out with several requests, two requests writing the same file, and an existing output without --force', async () => {
    const several = await run(['sign', 'msas1.csr', 'msas2.csr', '--ca', ca, ...capass, '--out', 'x.pem']);
    expect(several.stderr).toMatch(/with --out-dir <dir> \(ERR_USAGE\)\n$/);
    const same = await run(['sign', 'msas1.csr', join(dir, 'certs', '..', 'msas1.csr'), '--ca', ca, ...capass, '--out-dir', 'again']);
    expect(same.stderr).toMatch(/would both write .* \(ERR_USAGE\)\n$/);
    const exists = await run(['sign', 'msas1.csr', 'msas2.csr', '--ca', ca, ...capass, '--out-dir', 'certs']);
    expect(exists.stderr).toMatch(/msas1\.pem already exists .* \(ERR_FILE_EXISTS\)\n$/);
  });

  it('refuses, even with --force, a request that its own certificate would replace (<dir>/<name>.pem as input and output)', async () => {
    mkdirSync(join(dir, 'inplace'));
    copyFileSync(join(dir, 'msas1.csr'), join(dir, 'inplace', 'msas1.pem'));
    const before = readFileSync(join(dir, 'inplace', 'msas1.pem'));
    const r = await run(['sign', join('inplace', 'msas1.pem'), 'msas2.csr', '--ca', ca, ...capass, '--out-dir', 'inplace', '--force']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^hapki: --out-dir names the same file as the request \(inplace\/msas1\.pem\)[^\n]*\(ERR_USAGE\)\n$/);
    expect(readFileSync(join(dir, 'inplace', 'msas1.pem'))).toEqual(before);
    expect(readdirSync(join(dir, 'inplace'))).toEqual(['msas1.pem']);
  });
});
