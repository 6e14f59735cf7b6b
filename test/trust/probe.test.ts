import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { requestWithNewKey } from '../../src/issue/create_key_entry.js';
import { parseSan } from '../../src/issue/san.js';
import { emptyKeystore, type PrivateKeyEntry } from '../../src/keystore/model.js';
import { pemArmor } from '../../src/keystore/pem/pem_blocks.js';
import { parseDuration } from '../../src/trust/duration.js';
import { probeTls } from '../../src/trust/probe.js';
import { parseProbeTarget } from '../../src/trust/probe_target.js';
import { renderProbe } from '../../src/trust/probe_text.js';
import { loopbackServers } from '../helpers/servers.js';

const EC = { kty: 'ec', curve: 'P-256' } as const;
const listen = loopbackServers();

async function identity(cn: string, options: { now?: Date; days?: number } = {}): Promise<PrivateKeyEntry> {
  const made = await requestWithNewKey(emptyKeystore('PKCS12'), { alias: cn, subject: `CN=${cn}`, key: EC, sans: [parseSan('localhost')], ...options });
  return made.entry;
}

const pem = (entry: PrivateKeyEntry): { key: string; cert: string } => ({ key: pemArmor('PRIVATE KEY', entry.key!), cert: entry.chain.map((c) => pemArmor('CERTIFICATE', c)).join('') });

let server: PrivateKeyEntry;
let client: PrivateKeyEntry;
let stranger: PrivateKeyEntry;
let plainPort: number;
let mutualPort: number;

beforeAll(async () => {
  [server, client, stranger] = await Promise.all([identity('server.example.com'), identity('client.example.com'), identity('stranger.example.com')]);
  plainPort = await listen(createTlsServer({ ...pem(server) }, (s) => s.on('error', () => undefined)));
  mutualPort = await listen(createTlsServer({ ...pem(server), requestCert: true, rejectUnauthorized: true, ca: [pem(client).cert] }, (s) => s.on('error', () => undefined)));
});

describe('probeTls', () => {
  it('shows the presented chain and passes a trusted server, checking the servername', async () => {
    const result = await probeTls({ host: '127.0.0.1', port: plainPort }, { trusted: server.chain, servername: 'localhost' });
    expect(result).toMatchObject({ ok: true, handshake: true, hostname: 'localhost', chain: [{ subject: 'CN=server.example.com', san: ['DNS:localhost'] }] });
    expect(renderProbe(result)).toMatch(/presented chain:\n {2}\[0\] subject: {2}CN=server\.example\.com\n.*\n {6}san: {6}DNS:localhost\n {6}notAfter: .*\n {6}sha256: {3}[0-9a-f]{64}\nverdict: PASS \(chain trusted, host name localhost\)\n$/);
  });

  it('fails an untrusted server with ERR_CHAIN_UNTRUSTED', async () => {
    const result = await probeTls({ host: '127.0.0.1', port: plainPort }, { trusted: client.chain });
    expect(result).toMatchObject({ ok: false, handshake: true, code: 'ERR_CHAIN_UNTRUSTED' });
  });

  it('fails a name the certificate does not carry with ERR_HOSTNAME_MISMATCH', async () => {
    const result = await probeTls({ host: '127.0.0.1', port: plainPort }, { trusted: server.chain, servername: 'wrong.example.com' });
    expect(result).toMatchObject({ ok: false, code: 'ERR_HOSTNAME_MISMATCH' });
  });

  it('fails an expired server certificate with ERR_CHAIN_EXPIRED', async () => {
    const expired = await identity('expired.example.com', { now: new Date(Date.now() - 400 * 86_400_000), days: 30 });
    const port = await listen(createTlsServer(pem(expired), (s) => s.on('error', () => undefined)));
    const result = await probeTls({ host: '127.0.0.1', port }, { trusted: expired.chain, servername: 'localhost' });
    expect(result).toMatchObject({ ok: false, handshake: true, code: 'ERR_CHAIN_EXPIRED' });
  });

  it('presents a client certificate; a server that does not trust it rejects it: ERR_PROBE_CLIENT_CERT_REJECTED', async () => {
    const accepted = await probeTls({ host: '127.0.0.1', port: mutualPort }, { trusted: server.chain, client: { key: client.key!, chain: client.chain } });
    expect(accepted).toMatchObject({ ok: true, clientCertificate: { subject: 'CN=client.example.com', accepted: true } });
    const rejected = await probeTls({ host: '127.0.0.1', port: mutualPort }, { trusted: server.chain, client: { key: stranger.key!, chain: stranger.chain } });
    expect(rejected).toMatchObject({ ok: false, code: 'ERR_PROBE_CLIENT_CERT_REJECTED', clientCertificate: { subject: 'CN=stranger.example.com', accepted: false } });
    const none = await probeTls({ host: '127.0.0.1', port: mutualPort }, { trusted: server.chain });
    expect(none).toMatchObject({ ok: false, code: 'ERR_PROBE_CLIENT_CERT_REJECTED', reason: expect.stringContaining('--cert') });
  });

  it('a port with nothing listening: ERR_PROBE_REFUSED', async () => {
    const closed = createNetServer();
    const port = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    expect(await probeTls({ host: '127.0.0.1', port })).toMatchObject({ ok: false, handshake: false, code: 'ERR_PROBE_REFUSED', chain: [] });
  });

  it('a server that never answers: ERR_PROBE_TIMEOUT, within the timeout and a small margin', async () => {
    const port = await listen(createNetServer(() => undefined));
    const started = Date.now();
    const result = await probeTls({ host: '127.0.0.1', port }, { timeoutMs: 500 });
    const elapsed = Date.now() - started;
    expect(result).toMatchObject({ ok: false, code: 'ERR_PROBE_TIMEOUT' });
    expect(elapsed).toBeGreaterThanOrEqual(490);
    expect(elapsed).toBeLessThan(1000);
  });

  it('a server speaking HTTP, not TLS: ERR_PROBE_HANDSHAKE', async () => {
    const port = await listen(createHttpServer((_req, res) => res.end('hello')));
    expect(await probeTls({ host: '127.0.0.1', port }, { timeoutMs: 3000 })).toMatchObject({ ok: false, handshake: false, code: 'ERR_PROBE_HANDSHAKE' });
  });

  it('a name that does not resolve: ERR_PROBE_DNS', async () => {
    expect(await probeTls({ host: 'no-such-host.invalid', port: 443 }, { timeoutMs: 3000 })).toMatchObject({ ok: false, code: 'ERR_PROBE_DNS' });
  });
});

describe('probe arguments', () => {
  it('parses durations', () => {
    expect([parseDuration('5s'), parseDuration('500ms'), parseDuration('2m'), parseDuration('3')]).toEqual([5000, 500, 120_000, 3000]);
    for (const bad of ['', '5y', '-1s', '0s', 'soon']) expect(() => parseDuration(bad)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });

  it('parses targets', () => {
    expect(parseProbeTarget('master.example.com:8443')).toEqual({ host: 'master.example.com', port: 8443 });
    expect(parseProbeTarget('[::1]:8443')).toEqual({ host: '::1', port: 8443 });
    expect(parseProbeTarget('example.com')).toEqual({ host: 'example.com', port: 443 });
    for (const bad of ['host:0', 'host:70000', 'a b:1', ':443']) expect(() => parseProbeTarget(bad)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});
