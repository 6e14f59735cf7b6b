import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchCrl } from '../../src/revocation/crl_fetch.js';
import { readCrl } from '../../src/revocation/crl_read.js';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { openssl, tempDir } from '../helpers/tools.js';

// verify --crl-fetch against a real node:http server on 127.0.0.1 serving hapki's own CRL
const dir = tempDir('hapki-crl-fetch-');
const env = { CAPASS: 'ca-secret' };
const at = (f: string): string => join(dir, f);
const CA = ['--ca', at('ca.p12'), '--ca-storepass', 'env:CAPASS'];
let server: Server;
let base = '';
const hanging: import('node:http').ServerResponse[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/ca.crl') return res.end(readFileSync(at('ca.crl')));
    if (req.url === '/hang') return void hanging.push(res);
    if (req.url === '/big') {
      res.writeHead(200);
      const chunk = Buffer.alloc(1 << 16, 0x30);
      const pump = (): void => {
        while (res.write(chunk));
        res.once('drain', pump);
      };
      res.on('close', () => res.removeAllListeners('drain'));
      return pump();
    }
    if (req.url === '/to-file') return res.writeHead(302, { location: 'file:///etc/passwd' }).end();
    if (req.url === '/to-https') return res.writeHead(301, { location: `https://127.0.0.1/ca.crl` }).end();
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const init = await hapki(['ca', 'init', '--subject', 'CN=Fetch Root', '--kty', 'ec', '--out', at('ca.p12'), '--outpass', 'env:CAPASS', '--cert-out', at('ca.pem')], { env });
  expect(init.code, init.stderr).toBe(0);
  expect((await hapki(['ca', 'set', '--ca', at('ca.p12'), '--crl-url', `${base}/ca.crl`, '--allow-domain', 'example.com'], { env })).code).toBe(0);
  for (const name of ['good', 'bad']) {
    await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at(`${name}.key`), '-subj', `/CN=${name}.example.com`, '-out', at(`${name}.csr`)]);
    const r = await hapki(['sign', at(`${name}.csr`), ...CA, '--out', at(`${name}.pem`)], { env });
    expect(r.code, r.stderr).toBe(0);
  }
  expect((await hapki(['revoke', '--ca', at('ca.p12'), '--cert', at('bad.pem'), '--reason', 'keyCompromise'])).code).toBe(0);
  expect((await hapki(['crl', ...CA, '--out', at('ca.crl')], { env })).code).toBe(0);
});

afterAll(async () => {
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('verify --crl-fetch', () => {
  it('fetches the distribution point: the revoked leaf fails with ERR_REVOKED, the good one passes with --crl-required', async () => {
    const bad = await hapki(['verify', at('bad.pem'), '--trust', at('ca.pem'), '--crl-fetch']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(ONE_LINE_ERROR('ERR_REVOKED'));
    const good = await hapki(['verify', at('good.pem'), '--trust', at('ca.pem'), '--crl-fetch', '--crl-required']);
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toContain('good');
  });

  it('the fetched bytes are the CRL', async () => {
    const [der] = await fetchCrl(`${base}/ca.crl`);
    expect(readCrl(der!).entries.size).toBe(1);
  });

  it('refuses redirects (to file: and https:), other schemes, 404, a hanging server and an oversized body with ERR_CRL_FETCH', async () => {
    const code = (p: Promise<unknown>) => p.then(() => 'resolved', (e: { code?: string }) => e.code);
    expect(await code(fetchCrl(`${base}/to-file`))).toBe('ERR_CRL_FETCH');
    expect(await code(fetchCrl(`${base}/to-https`))).toBe('ERR_CRL_FETCH');
    expect(await code(fetchCrl('file:///etc/passwd'))).toBe('ERR_CRL_FETCH');
    expect(await code(fetchCrl('https://127.0.0.1/x.crl'))).toBe('ERR_CRL_FETCH');
    expect(await code(fetchCrl(`${base}/missing`))).toBe('ERR_CRL_FETCH');
    expect(await code(fetchCrl(`${base}/hang`, { timeoutMs: 300 }))).toBe('ERR_CRL_FETCH');
    expect(await code(fetchCrl(`${base}/big`, { maxBytes: 1 << 20 }))).toBe('ERR_CRL_FETCH');
  });
});
