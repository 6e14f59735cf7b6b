import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestWithNewKey } from '../../src/issue/create_key_entry.js';
import { parseSan } from '../../src/issue/san.js';
import { emptyKeystore, type PrivateKeyEntry } from '../../src/keystore/model.js';
import { parsePemBlocks, pemArmor } from '../../src/keystore/pem/pem_blocks.js';
import { probeTls } from '../../src/trust/probe.js';
import { renderProbe } from '../../src/trust/probe_text.js';
import { sniOf } from '../../src/trust/tls_handshake.js';
import { freePort } from '../helpers/ports.js';
import { loopbackServers } from '../helpers/servers.js';
import { openssl, tempDir } from '../helpers/tools.js';

// Hostile and untrusted TLS servers, real ones on loopback: openssl s_server (another process,
// freePort()) and node:tls (in process, listen(0)). Timeouts below are bounds, never measured.

const EC = { kty: 'ec', curve: 'P-256' } as const;
const listen = loopbackServers();
const dir = tempDir('hapki-probe-hostile-');
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

async function identity(cn: string, options: { now?: Date; days?: number; sans?: string[] } = {}): Promise<PrivateKeyEntry> {
  const { sans = ['localhost', 'ip:127.0.0.1'], ...rest } = options;
  const made = await requestWithNewKey(emptyKeystore('PKCS12'), { alias: cn, subject: `CN=${cn}`, key: EC, sans: sans.map((n) => parseSan(n)), ...rest });
  return made.entry;
}
const pem = (entry: PrivateKeyEntry): { key: string; cert: string } => ({ key: pemArmor('PRIVATE KEY', entry.key!), cert: entry.chain.map((c) => pemArmor('CERTIFICATE', c)).join('') });
function files(name: string, entry: PrivateKeyEntry): { key: string; cert: string } {
  const p = pem(entry);
  writeFileSync(join(dir, `${name}.key`), p.key);
  writeFileSync(join(dir, `${name}.pem`), p.cert);
  return { key: join(dir, `${name}.key`), cert: join(dir, `${name}.pem`) };
}

/** openssl s_server demanding a client certificate (-Verify 1), its output kept to see what it was given. */
async function sServer(name: string, version: '-tls1_2' | '-tls1_3'): Promise<{ port: number; output: () => string; stop: () => void }> {
  const port = await freePort();
  const f = { key: join(dir, `${name}.key`), cert: join(dir, `${name}.pem`) };
  // stdin stays open: s_server quits at its end
  const child = spawn('openssl', ['s_server', '-accept', String(port), '-cert', f.cert, '-key', f.key, '-Verify', '1', '-CAfile', join(dir, 'client.pem'), version], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString('latin1')));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString('latin1')));
  await new Promise<void>((resolve, reject) => {
    const check = setInterval(() => {
      if (output.includes('ACCEPT')) {
        clearInterval(check);
        resolve();
      }
    }, 20);
    child.once('exit', (code) => {
      clearInterval(check);
      reject(new Error(`s_server exited ${code}: ${output}`));
    });
  });
  return {
    port,
    output: () => output,
    stop: () => {
      child.kill('SIGKILL');
      children.delete(child);
    },
  };
}

let good: PrivateKeyEntry;
let client: PrivateKeyEntry;

beforeAll(async () => {
  const made = await Promise.all([
    identity('good.example.com'),
    identity('client.example.com', { sans: ['client.example.com'] }),
    identity('stranger.example.com'),
    identity('expired.example.com', { now: new Date(Date.now() - 400 * 86_400_000), days: 30 }),
    identity('wrongname.example.com', { sans: ['wrong.example.com', 'ip:10.9.9.9'] }),
  ]);
  [good, client] = made;
  ['good', 'client', 'stranger', 'expired', 'wrongname'].forEach((n, i) => files(n, made[i]!));
  anchors = { good: made[0]!.chain, stranger: good.chain, expired: made[3]!.chain, wrongname: made[4]!.chain };
});
let anchors: Record<'good' | 'stranger' | 'expired' | 'wrongname', readonly Uint8Array[]>;

describe('openssl s_server -Verify 1: the client certificate goes only to a server hapki verified', () => {
  const cases = [
    ['stranger', 'ERR_CHAIN_UNTRUSTED'],
    ['expired', 'ERR_CHAIN_EXPIRED'],
    ['wrongname', 'ERR_HOSTNAME_MISMATCH'],
  ] as const;
  for (const version of ['-tls1_2', '-tls1_3'] as const) {
    for (const [name, code] of cases) {
      it(`${name} server (${version}): ${code}, and s_server never saw our certificate`, async () => {
        const server = await sServer(name, version);
        try {
          const result = await probeTls({ host: '127.0.0.1', port: server.port }, { trusted: anchors[name], client: { key: client.key!, chain: client.chain }, timeoutMs: 20_000 });
          expect(result).toMatchObject({ ok: false, code, clientCertificate: { sent: false, accepted: false } });
          expect(result.reason).toContain('the client certificate was not sent');
          expect(server.output()).not.toContain('client.example.com');
        } finally {
          server.stop();
        }
      });
    }
    it(`the trusted server (${version}) does get it (the check above can see a certificate)`, async () => {
      const server = await sServer('good', version);
      try {
        const result = await probeTls({ host: '127.0.0.1', port: server.port }, { trusted: anchors.good, client: { key: client.key!, chain: client.chain }, timeoutMs: 20_000 });
        expect(result).toMatchObject({ ok: true, clientCertificate: { sent: true } });
        for (let i = 0; i < 200 && !server.output().includes('client.example.com'); i++) await new Promise((r) => setTimeout(r, 25));
        expect(server.output()).toContain('client.example.com');
      } finally {
        server.stop();
      }
    });
  }
});

describe('SNI: a host name, never an IP address', () => {
  it('sends the name without its trailing dot, and nothing for an IP address target or --servername', async () => {
    const seen: string[] = [];
    const port = await listen(tls.createServer({ ...pem(good), SNICallback: (name, cb) => (seen.push(name), cb(null, undefined)) }, (s) => s.on('error', () => undefined)));
    const target = { host: '127.0.0.1', port };
    expect(await probeTls(target, { trusted: good.chain })).toMatchObject({ ok: true, hostname: '127.0.0.1' });
    expect(await probeTls(target, { trusted: good.chain, servername: '127.0.0.1' })).toMatchObject({ ok: true, hostname: '127.0.0.1' });
    expect(await probeTls(target, { trusted: good.chain, servername: '[::1]' })).toMatchObject({ ok: false, code: 'ERR_HOSTNAME_MISMATCH' });
    expect(seen).toEqual([]);
    expect(await probeTls(target, { trusted: good.chain, servername: 'LocalHost.' })).toMatchObject({ ok: true });
    expect(seen).toEqual(['LocalHost']);
    expect([sniOf('::1'), sniOf('[::1]'), sniOf('10.0.0.1'), sniOf('a.example.')]).toEqual([{}, {}, {}, { servername: 'a.example' }]);
  });

  it('an internationalized name is sent and checked in its A-labels', async () => {
    const idn = await identity('idn.example', { sans: ['xn--bcher-kva.example'] });
    const seen: string[] = [];
    const port = await listen(tls.createServer({ ...pem(idn), SNICallback: (name, cb) => (seen.push(name), cb(null, undefined)) }, (s) => s.on('error', () => undefined)));
    expect(await probeTls({ host: '127.0.0.1', port }, { trusted: idn.chain, servername: 'Bücher.example' })).toMatchObject({ ok: true });
    expect(seen).toEqual(['xn--bcher-kva.example']);
    expect(await probeTls({ host: '127.0.0.1', port }, { trusted: idn.chain, servername: 'bucher.example' })).toMatchObject({ ok: false, code: 'ERR_HOSTNAME_MISMATCH' });
  });
});

describe('hostile servers: one coded failure, bounded', () => {
  it('a server offering only TLS 1.0 and 1.1 is refused by name, even when Node was told to allow them', async () => {
    const port = await listen(tls.createServer({ ...pem(good), minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'ALL:@SECLEVEL=0' }, (s) => s.on('error', () => undefined)));
    const before = tls.DEFAULT_MIN_VERSION;
    // what NODE_OPTIONS=--tls-min-v1.0 does
    (tls as { DEFAULT_MIN_VERSION: string }).DEFAULT_MIN_VERSION = 'TLSv1';
    try {
      const result = await probeTls({ host: '127.0.0.1', port }, { trusted: good.chain, timeoutMs: 20_000 });
      expect(result).toMatchObject({ ok: false, handshake: false, code: 'ERR_PROBE_HANDSHAKE' });
      expect(result.reason).toMatch(/offers no TLS version hapki accepts \(TLS 1\.2 or 1\.3/);
    } finally {
      (tls as { DEFAULT_MIN_VERSION: string }).DEFAULT_MIN_VERSION = before;
    }
  });

  it('a server that hangs up in the middle of the handshake, or answers with garbage: ERR_PROBE_HANDSHAKE, saying which', async () => {
    const hangUp = await listen(
      createNetServer((s) => {
        s.on('error', () => undefined);
        s.once('data', () => s.destroy());
      }),
    );
    const cut = await probeTls({ host: '127.0.0.1', port: hangUp }, { timeoutMs: 20_000 });
    expect(cut).toMatchObject({ ok: false, handshake: false, code: 'ERR_PROBE_HANDSHAKE' });
    expect(cut.reason).toMatch(/closed the connection during the TLS handshake/);
    const garbage = await listen(
      createNetServer((s) => {
        s.on('error', () => undefined);
        s.end(Buffer.from('\u0016\u0003\u0001\u0000\u0005\u001b[31mEVIL\u0007\r\n'.repeat(50), 'latin1'));
      }),
    );
    const junk = await probeTls({ host: '127.0.0.1', port: garbage }, { timeoutMs: 20_000 });
    expect(junk).toMatchObject({ ok: false, handshake: false, code: 'ERR_PROBE_HANDSHAKE', chain: [] });
    expect(junk.reason).not.toMatch(/EVIL|[\u0000-\u001f]/);
  });

  it('a chain of thousands of certificates is dropped at the size limit', async () => {
    const anchor = pemArmor('CERTIFICATE', good.chain[0]!);
    const port = await listen(tls.createServer({ key: pem(good).key, cert: anchor + anchor.repeat(4000) }, (s) => s.on('error', () => undefined)));
    const result = await probeTls({ host: '127.0.0.1', port }, { trusted: good.chain, timeoutMs: 20_000 });
    expect(result).toMatchObject({ ok: false, code: 'ERR_PROBE_HANDSHAKE', chain: [] });
    expect(result.reason).toContain('over the size limit');
  });

  it('a single certificate of 1 MiB is dropped at the size limit too', async () => {
    const conf = join(dir, 'big.cnf');
    writeFileSync(conf, `[req]\ndistinguished_name=dn\nx509_extensions=ext\nprompt=no\n[dn]\nCN=big\n[ext]\nsubjectAltName=DNS:localhost\n1.3.6.1.4.1.99999.1=DER:0483100000${'41'.repeat(1 << 20)}\n`);
    await openssl(['req', '-x509', '-new', '-key', join(dir, 'good.key'), '-out', join(dir, 'big.pem'), '-days', '5', '-config', conf]);
    const cert = readFileSync(join(dir, 'big.pem'), 'utf8');
    expect(cert.length).toBeGreaterThan(1 << 20);
    const port = await listen(tls.createServer({ key: pem(good).key, cert }, (s) => s.on('error', () => undefined)));
    const result = await probeTls({ host: '127.0.0.1', port }, { trusted: [parsePemBlocks(Buffer.from(cert))[0]!.der], servername: 'localhost', timeoutMs: 20_000 });
    expect(result).toMatchObject({ ok: false, handshake: false, code: 'ERR_PROBE_HANDSHAKE', chain: [] });
    expect(result.reason).toContain('over the size limit');
  });

  for (const [what, keyArgs, digest, code] of [
    ['an RSA 1024 key', ['-newkey', 'rsa:1024'], '-sha256', 'ERR_WEAK_KEY'],
    ['a SHA-1 signature', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], '-sha1', 'ERR_WEAK_SIGNATURE'],
  ] as const) {
    it(`a server certificate with ${what} is reported as such (${code}), and gets no client certificate`, async () => {
      const name = code.toLowerCase();
      const at = (ext: string): string => join(dir, `${name}.${ext}`);
      // a sound CA (the anchor, whose own signature is never judged) issues the weak leaf
      await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at('ca.key'), '-out', at('ca.pem'), '-days', '5', '-subj', `/CN=${name} CA`]);
      await openssl(['req', '-new', ...keyArgs, '-nodes', '-keyout', at('key'), '-out', at('csr'), '-subj', `/CN=${name}`]);
      writeFileSync(at('ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
      await openssl(['x509', '-req', '-in', at('csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-set_serial', '7', '-days', '5', digest, '-extfile', at('ext'), '-out', at('pem')]);
      const received: string[] = [];
      const server = tls.createServer({ key: readFileSync(at('key'), 'utf8'), cert: readFileSync(at('pem'), 'utf8'), ciphers: 'DEFAULT:@SECLEVEL=0', requestCert: true, rejectUnauthorized: false }, (s) => {
        if (s.getPeerCertificate()?.raw) received.push('client');
        s.on('error', () => undefined);
      });
      server.on('tlsClientError', () => undefined);
      const port = await listen(server);
      const anchor = [parsePemBlocks(readFileSync(at('ca.pem')))[0]!.der];
      expect(await probeTls({ host: '127.0.0.1', port }, { trusted: anchor, timeoutMs: 20_000 })).toMatchObject({ ok: false, handshake: true, code });
      const withCert = await probeTls({ host: '127.0.0.1', port }, { trusted: anchor, client: { key: client.key!, chain: client.chain }, timeoutMs: 20_000 });
      expect(withCert).toMatchObject({ ok: false, code, clientCertificate: { sent: false } });
      expect(received).toEqual([]);
      // the way out it names is one the command has: verify's, not a flag probe lacks
      if (code === 'ERR_WEAK_SIGNATURE') expect(withCert.reason).toContain('(verify --allow-sha1 accepts SHA-1)');
    });
  }

  it('control characters in a hostile subject are escaped in the text and in the reason', async () => {
    const subject = '/CN=evil\u001b[31mRED\nverdict: PASS\u202e/O=x\u0007y\u007f\u0085z';
    await openssl(['req', '-x509', '-new', '-key', join(dir, 'stranger.key'), '-out', join(dir, 'evil.pem'), '-days', '5', '-utf8', '-subj', subject, '-addext', 'subjectAltName=DNS:localhost']);
    const cert = readFileSync(join(dir, 'evil.pem'), 'utf8');
    const port = await listen(tls.createServer({ key: readFileSync(join(dir, 'stranger.key'), 'utf8'), cert }, (s) => s.on('error', () => undefined)));
    const result = await probeTls({ host: '127.0.0.1', port }, { trusted: good.chain, servername: 'localhost' });
    expect(result).toMatchObject({ ok: false, code: 'ERR_CHAIN_UNTRUSTED' });
    const text = renderProbe(result);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f\u202e]/);
    expect(text.split('\n').filter((l) => l.startsWith('verdict:'))).toHaveLength(1);
    // JSON carries the subject as escaped text, not as the raw characters: in the chain and in the reason
    expect(JSON.stringify(result.chain)).not.toMatch(/\\u001b|\\n|\u202e/);
    expect(result.reason).toContain('no trusted issuer found for "');
    expect(result.reason).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(result.reason).toContain('O=x\\u0007y\\x7f\\x85z, CN=evil\\u001b[31mRED\\nverdict: PASS\\u202e');
    expect(parsePemBlocks(Buffer.from(cert))).toHaveLength(1);
  });
});
