import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { connect as netConnect, createServer as createNetServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePemBlocks } from '../../src/keystore/pem/pem_blocks.js';
import { probeTls } from '../../src/trust/probe.js';
import { checkLiveTrust, renderLiveTrust, type LiveNode } from '../../src/trust/live_check.js';
import { OpensslCa } from '../helpers/openssl_ca.js';
import { freePort } from '../helpers/ports.js';
import { loopbackServers } from '../helpers/servers.js';
import { tempDir } from '../helpers/tools.js';

// `trust check --live` on a master and four slaves, over real TLS on loopback: one slave is fine,
// one is down, one presents another certificate than its keystore's (an impostor the master does
// not trust), one asks for client certificates of another CA (openssl s_server). Each direction is
// its own mutual-TLS handshake, with the connecting node's key and trust store.

const dir = tempDir('hapki-live-check-');
const ca = new OpensslCa(dir);
const listen = loopbackServers();
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

const der = (name: string): Uint8Array => parsePemBlocks(readFileSync(ca.path(name)))[0]!.der;
const keyDer = (name: string): Uint8Array => parsePemBlocks(readFileSync(ca.path(name, 'key')))[0]!.der;
const text = (name: string, ext = 'pem'): string => readFileSync(ca.path(name, ext), 'utf8');

/** A node's TLS endpoint as a replication peer runs it: asks for a client certificate of `clientCa`, records whom it accepted. */
async function endpoint(cert: string, clientCa: string): Promise<{ port: number; accepted: string[] }> {
  const accepted: string[] = [];
  const server = createTlsServer({ key: text(cert, 'key'), cert: text(cert), ca: text(clientCa), requestCert: true, rejectUnauthorized: true }, (s: TLSSocket) => {
    accepted.push(String(s.getPeerCertificate().subject?.CN));
    s.on('error', () => undefined);
  });
  server.on('tlsClientError', () => undefined);
  return { port: await listen(server), accepted };
}

let nodes: Record<'master' | 'ok' | 'down' | 'impostor' | 'otherCa', LiveNode>;
let seen: Record<'master' | 'ok' | 'impostor', string[]>;
let sServerOutput: () => string;

beforeAll(async () => {
  appendFileSync(join(dir, 'openssl-ext.cnf'), '[node]\nbasicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature\nextendedKeyUsage = serverAuth,clientAuth\nsubjectAltName = DNS:localhost,IP:127.0.0.1\n');
  await Promise.all([ca.root('ca1'), ca.root('ca2'), ca.root('impostor-ca')]);
  await Promise.all([
    ...['master', 'ok', 'down', 'impostor', 'otherca'].map((n) => ca.issued(n, 'node', 'ca1', `/CN=${n}`)),
    ca.issued('fake', 'node', 'impostor-ca', '/CN=impostor'),
  ]);
  const masterEp = await endpoint('master', 'ca1');
  const okEp = await endpoint('ok', 'ca1');
  // presents a certificate of another CA than the one in its keystore
  const impostorEp = await endpoint('fake', 'ca1');
  const closed = createNetServer();
  const downPort = await listen(closed);
  await new Promise((resolve) => closed.close(resolve));
  // openssl s_server insisting on client certificates of ca2 (-verify_return_error: it refuses others)
  const otherPort = await freePort();
  const child = spawn('openssl', ['s_server', '-accept', String(otherPort), '-cert', ca.path('otherca'), '-key', ca.path('otherca', 'key'), '-Verify', '1', '-verify_return_error', '-CAfile', ca.path('ca2')], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString('latin1')));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString('latin1')));
  sServerOutput = () => output;
  for (let i = 0; i < 400 && !output.includes('ACCEPT'); i++) await new Promise((r) => setTimeout(r, 25));
  expect(output).toContain('ACCEPT');
  const node = (name: string, port: number): LiveNode => ({ name, key: keyDer(name), chain: [der(name)], trusted: [der('ca1')], endpoint: { host: '127.0.0.1', port }, servername: 'localhost' });
  nodes = { master: node('master', masterEp.port), ok: node('ok', okEp.port), down: node('down', downPort), impostor: node('impostor', impostorEp.port), otherCa: node('otherca', otherPort) };
  seen = { master: masterEp.accepted, ok: okEp.accepted, impostor: impostorEp.accepted };
});

describe('checkLiveTrust over real TLS', () => {
  it('gives each direction its own verdict, each from a real handshake both ways', async () => {
    const result = await checkLiveTrust(nodes.master, [nodes.ok, nodes.down, nodes.impostor, nodes.otherCa], { timeoutMs: 30_000 });
    const verdicts = result.pairs.map((p) => [`${p.from} -> ${p.to}`, p.pass, p.code]);
    expect(verdicts).toEqual([
      ['master -> ok', true, undefined],
      ['master -> down', false, 'ERR_PROBE_REFUSED'],
      ['master -> impostor', false, 'ERR_CHAIN_UNTRUSTED'],
      ['master -> otherca', false, 'ERR_PROBE_CLIENT_CERT_REJECTED'],
      ['ok -> master', true, undefined],
      ['down -> master', true, undefined],
      ['impostor -> master', true, undefined],
      ['otherca -> master', true, undefined],
    ]);
    expect(result.ok).toBe(false);
    // the master's endpoint really accepted each slave's own certificate; ok's really accepted the master's
    expect([...seen.master].sort()).toEqual(['down', 'impostor', 'ok', 'otherca']);
    expect(seen.ok).toEqual(['master']);
    // the impostor never got a certificate, let alone accepted one; s_server got the master's and refused it
    expect(seen.impostor).toEqual([]);
    expect(sServerOutput()).toMatch(/CN ?= ?master/);
    const table = renderLiveTrust(result);
    expect(table).toMatch(/^Pass {2}master -> ok {8}127\.0\.0\.1:\d+$/m);
    expect(table).toMatch(/^Fail {2}master -> down {6}127\.0\.0\.1:\d+ {2}.*refused the connection.*\(ERR_PROBE_REFUSED\)$/m);
    expect(table).toMatch(/^Fail {2}master -> impostor {2}127\.0\.0\.1:\d+ {2}server certificate: .*the client certificate was not sent \(ERR_CHAIN_UNTRUSTED\)$/m);
    expect(table).toMatch(/^Fail {2}master -> otherca {3}127\.0\.0\.1:\d+ {2}otherca refused master's certificate|the server rejected our client certificate/m);
    expect(table).toMatch(/3 of 8 connections failed\n$/);
  });

  it('a server whose TLS 1.3 verdict on our certificate comes late (a busy host) is not taken for accepting it', async () => {
    // a loopback proxy that holds back what the server says after our second flight (certificate and Finished) by 1.5 s
    const slow = (port: number): Promise<number> =>
      listen(
        createNetServer((client: Socket) => {
          const server = netConnect(port, '127.0.0.1');
          let flights = 0;
          client.on('data', (d) => (flights++, server.write(d)));
          server.on('data', (d) => (flights >= 2 ? setTimeout(() => client.write(d), 1500) : client.write(d)));
          for (const [a, b] of [[client, server], [server, client]] as const) {
            a.on('error', () => b.destroy());
            a.on('end', () => setTimeout(() => b.end(), 1600));
          }
        }),
      );
    const refusing = await endpoint('ok', 'ca2');
    const refused = await probeTls({ host: '127.0.0.1', port: await slow(refusing.port) }, { trusted: [der('ca1')], servername: 'localhost', client: { key: keyDer('master'), chain: [der('master')] }, timeoutMs: 30_000 });
    expect(refused).toMatchObject({ ok: false, protocol: 'TLSv1.3', code: 'ERR_PROBE_CLIENT_CERT_REJECTED', clientCertificate: { sent: true, accepted: false } });
    const accepting = await endpoint('ok', 'ca1');
    const accepted = await probeTls({ host: '127.0.0.1', port: await slow(accepting.port) }, { trusted: [der('ca1')], servername: 'localhost', client: { key: keyDer('master'), chain: [der('master')] }, timeoutMs: 30_000 });
    expect(accepted).toMatchObject({ ok: true, protocol: 'TLSv1.3', clientCertificate: { sent: true, accepted: true } });
    expect(accepting.accepted).toEqual(['master']);
  });

  it('a node that accepts and never answers fails its own direction within the timeout; the others go on', async () => {
    const silent = await listen(createNetServer(() => undefined));
    const mute = { ...nodes.ok, name: 'mute', endpoint: { host: '127.0.0.1', port: silent } };
    const result = await checkLiveTrust(nodes.master, [nodes.ok, mute], { timeoutMs: 1500 });
    expect(result.pairs.map((p) => [`${p.from} -> ${p.to}`, p.pass, p.code])).toEqual([
      ['master -> ok', true, undefined],
      ['master -> mute', false, 'ERR_PROBE_TIMEOUT'],
      ['ok -> master', true, undefined],
      ['mute -> master', true, undefined],
    ]);
  });
});
