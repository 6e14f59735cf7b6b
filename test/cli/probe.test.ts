import { writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { requestWithNewKey } from '../../src/issue/create_key_entry.js';
import { parseSan } from '../../src/issue/san.js';
import { emptyKeystore, type PrivateKeyEntry } from '../../src/keystore/model.js';
import { pemArmor } from '../../src/keystore/pem/pem_blocks.js';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { tempDir } from '../helpers/tools.js';
import { loopbackServers } from '../helpers/servers.js';

const dir = tempDir('hapki-probe-cli-');
const listen = loopbackServers();

async function tlsServer(name: string, options: { now?: Date; days?: number } = {}): Promise<{ port: number; trust: string }> {
  const { entry }: { entry: PrivateKeyEntry } = await requestWithNewKey(emptyKeystore('PEM'), { alias: name, subject: `CN=${name}`, key: { kty: 'ec', curve: 'P-256' }, sans: [parseSan('localhost')], ...options });
  const cert = pemArmor('CERTIFICATE', entry.chain[0]!);
  const trust = join(dir, `${name}.pem`);
  writeFileSync(trust, cert);
  const port = await listen(createTlsServer({ key: pemArmor('PRIVATE KEY', entry.key!), cert }, (s) => s.on('error', () => undefined)));
  return { port, trust };
}

let good: { port: number; trust: string };

beforeAll(async () => {
  good = await tlsServer('good.example.com');
});

describe('hapki probe', () => {
  it('prints the chain and PASS for a trusted server, and JSON with --json', async () => {
    const r = await hapki(['probe', `127.0.0.1:${good.port}`, '--trust', good.trust, '--servername', 'localhost']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^connected to 127\.0\.0\.1:\d+ \(TLSv1\.3, TLS_\w+\)\npresented chain:\n {2}\[0\] subject: {2}CN=good\.example\.com\n/);
    expect(r.stdout).toMatch(/verdict: PASS \(chain trusted, host name localhost\)\n$/);
    const json = JSON.parse((await hapki(['probe', `127.0.0.1:${good.port}`, '--trust', good.trust, '--servername', 'localhost', '--json'])).stdout);
    expect(json).toMatchObject({ target: { host: '127.0.0.1', port: good.port }, hostname: 'localhost', handshake: true, ok: true, chain: [{ subject: 'CN=good.example.com', san: ['DNS:localhost'] }] });
  });

  it('an IP address target is checked against the iPAddress names: a DNS-only certificate fails', async () => {
    const r = await hapki(['probe', `127.0.0.1:${good.port}`, '--trust', good.trust, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ hostname: '127.0.0.1', ok: false, code: 'ERR_HOSTNAME_MISMATCH' });
  });

  it('hostname mismatch: ERR_HOSTNAME_MISMATCH', async () => {
    const r = await hapki(['probe', `127.0.0.1:${good.port}`, '--trust', good.trust, '--servername', 'wrong.example.com']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/verdict: FAIL: .+ \(ERR_HOSTNAME_MISMATCH\)\n$/);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_HOSTNAME_MISMATCH'));
  });

  it('expired server certificate: ERR_CHAIN_EXPIRED', async () => {
    const expired = await tlsServer('expired.example.com', { now: new Date(Date.now() - 400 * 86_400_000), days: 30 });
    const r = await hapki(['probe', `127.0.0.1:${expired.port}`, '--trust', expired.trust, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, handshake: true, code: 'ERR_CHAIN_EXPIRED' });
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_CHAIN_EXPIRED'));
  });

  it('nothing listening: ERR_PROBE_REFUSED', async () => {
    const closed = createNetServer();
    const port = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const r = await hapki(['probe', `127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`no TLS session with 127.0.0.1:${port}\nverdict: FAIL: 127.0.0.1:${port} refused the connection (nothing listening) (ERR_PROBE_REFUSED)\n`);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_PROBE_REFUSED'));
  });

  it('a server that never answers: ERR_PROBE_TIMEOUT after --timeout', async () => {
    const port = await listen(createNetServer(() => undefined));
    const started = Date.now();
    const r = await hapki(['probe', `127.0.0.1:${port}`, '--timeout', '700ms']);
    const elapsed = Date.now() - started;
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_PROBE_TIMEOUT'));
    expect(elapsed).toBeGreaterThanOrEqual(700);
    expect(elapsed).toBeLessThan(700 + 2500); // node start-up included
  });

  it('a server speaking HTTP: ERR_PROBE_HANDSHAKE', async () => {
    const port = await listen(createHttpServer((_req, res) => res.end('hello')));
    const r = await hapki(['probe', `127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_PROBE_HANDSHAKE'));
  });

  it('refuses a malformed target or timeout', async () => {
    expect((await hapki(['probe', 'host:99999'])).stderr).toMatch(ONE_LINE_ERROR('ERR_INVALID_ARGUMENT'));
    expect((await hapki(['probe', `127.0.0.1:${good.port}`, '--timeout', 'soon'])).stderr).toMatch(ONE_LINE_ERROR('ERR_INVALID_ARGUMENT'));
  });
});
