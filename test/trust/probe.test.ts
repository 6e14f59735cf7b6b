import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { createSecureContext, createServer as createTlsServer } from 'node:tls';
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

async function identity(cn: string, options: { now?: Date; days?: number; sans?: string[] } = {}): Promise<PrivateKeyEntry> {
  const { sans = ['localhost'], ...rest } = options;
  const made = await requestWithNewKey(emptyKeystore('PKCS12'), { alias: cn, subject: `CN=${cn}`, key: EC, sans: sans.map((n) => parseSan(n)), ...rest });
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
    const accepted = await probeTls({ host: '127.0.0.1', port: mutualPort }, { trusted: server.chain, servername: 'localhost', client: { key: client.key!, chain: client.chain } });
    expect(accepted).toMatchObject({ ok: true, clientCertificate: { subject: 'CN=client.example.com', accepted: true, sent: true } });
    const rejected = await probeTls({ host: '127.0.0.1', port: mutualPort }, { trusted: server.chain, servername: 'localhost', client: { key: stranger.key!, chain: stranger.chain } });
    expect(rejected).toMatchObject({ ok: false, code: 'ERR_PROBE_CLIENT_CERT_REJECTED', clientCertificate: { subject: 'CN=stranger.example.com', accepted: false, sent: true } });
    const none = await probeTls({ host: '127.0.0.1', port: mutualPort }, { trusted: server.chain, servername: 'localhost' });
    expect(none).toMatchObject({ ok: false, code: 'ERR_PROBE_CLIENT_CERT_REJECTED', reason: expect.stringContaining('--cert') });
  });

  it('checks an IP target against the iPAddress names: no servername needed, a DNS-only certificate fails', async () => {
    const byIp = await identity('ip.example.com', { sans: ['ip:127.0.0.1'] });
    const port = await listen(createTlsServer(pem(byIp), (s) => s.on('error', () => undefined)));
    const ok = await probeTls({ host: '127.0.0.1', port }, { trusted: byIp.chain });
    expect(ok).toMatchObject({ ok: true, hostname: '127.0.0.1' });
    expect(renderProbe(ok)).toContain('verdict: PASS (chain trusted, IP address 127.0.0.1)');
    expect(await probeTls({ host: '127.0.0.1', port: plainPort }, { trusted: server.chain })).toMatchObject({ ok: false, code: 'ERR_HOSTNAME_MISMATCH' });
  });

  describe('a rogue server never receives the client certificate', () => {
    /** A server asking for client certificates that records every one it is given. */
    async function rogue(identities: PrivateKeyEntry[], maxVersion: 'TLSv1.2' | 'TLSv1.3'): Promise<{ port: number; received: string[]; connections: () => number }> {
      const received: string[] = [];
      let connections = 0;
      const contexts = identities.map((id) => createSecureContext(pem(id)));
      const tlsServer = createTlsServer({ ...pem(identities[0]!), requestCert: true, rejectUnauthorized: false, maxVersion, SNICallback: (_name, cb) => cb(null, contexts[connections++ % contexts.length]!) }, (s) => {
        const peer = s.getPeerCertificate();
        if (peer && Object.keys(peer).length > 0) received.push(String(peer.subject?.CN));
        s.on('error', () => undefined);
        s.end('hello');
      });
      tlsServer.on('tlsClientError', () => undefined);
      const port = await listen(tlsServer);
      return { port, received, connections: () => connections };
    }

    for (const maxVersion of ['TLSv1.2', 'TLSv1.3'] as const) {
      it(`an untrusted server (${maxVersion}): refused before our certificate is sent`, async () => {
        const r = await rogue([stranger], maxVersion);
        const result = await probeTls({ host: '127.0.0.1', port: r.port }, { trusted: server.chain, servername: 'localhost', client: { key: client.key!, chain: client.chain } });
        expect(result).toMatchObject({ ok: false, code: 'ERR_CHAIN_UNTRUSTED', clientCertificate: { accepted: false, sent: false } });
        expect(renderProbe(result)).toContain('client certificate: CN=client.example.com');
        expect(r.connections()).toBe(1);
        expect(r.received).toEqual([]);
      });

      it(`a server that shows the trusted certificate, then another (${maxVersion}): aborted inside the handshake`, async () => {
        const r = await rogue([server, stranger], maxVersion);
        const result = await probeTls({ host: '127.0.0.1', port: r.port }, { trusted: server.chain, servername: 'localhost', client: { key: client.key!, chain: client.chain } });
        expect(result).toMatchObject({ ok: false, code: 'ERR_CHAIN_UNTRUSTED', reason: expect.stringContaining('not sent'), clientCertificate: { sent: false } });
        expect(r.connections()).toBe(2);
        expect(r.received).toEqual([]);
      });
    }

    it('a trusted server that asks for it does receive it (the recorder works)', async () => {
      const r = await rogue([server], 'TLSv1.3');
      const result = await probeTls({ host: '127.0.0.1', port: r.port }, { trusted: server.chain, servername: 'localhost', client: { key: client.key!, chain: client.chain } });
      expect(result).toMatchObject({ ok: true, clientCertificate: { sent: true } });
      expect(r.received).toEqual(['client.example.com']);
    });
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
