import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { opensslFingerprint } from '../helpers/keys.js';
import { keytool, keytoolFingerprints, openssl, tempDir, tool } from '../helpers/tools.js';
import { opensslServer } from '../helpers/servers.js';

const dir = tempDir('hapki-mesh-');
const env = { STOREPASS: 'changeit' };
const PASS = ['--storepass', 'env:STOREPASS'];

interface Node {
  name: string;
  keystore: string;
  key: string;
  cert: string;
}

interface Servers {
  node: number;
  openssl: number;
}

const children: ChildProcess[] = [];
const tlsServers: Server[] = [];
const sockets = new Set<Socket>();
afterAll(async () => {
  for (const child of children) child.kill('SIGTERM');
  for (const socket of sockets) socket.destroy();
  await Promise.all(tlsServers.map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A node's key and certificate as PEM files, taken out of its keystore by hapki. */
async function exportPem(name: string, keystore: string, alias: string): Promise<Node> {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  expect((await hapki(['export', keystore, '--alias', alias, '--what', 'key', '--out', key, '--no-encrypt', ...PASS], { env })).code).toBe(0);
  expect((await hapki(['export', keystore, '--alias', alias, '--what', 'chain', '--out', cert, ...PASS], { env })).code).toBe(0);
  return { name, keystore, key, cert };
}

/** The node's key behind two mutual-TLS servers (node:tls and openssl s_server), trusting only `trustPem`. */
async function serve(node: Node, trustPem: string): Promise<Servers> {
  const server = createTlsServer({ key: readFileSync(node.key), cert: readFileSync(node.cert), requestCert: true, rejectUnauthorized: true, ca: readFileSync(trustPem) }, (s) => {
    s.on('error', () => undefined);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  tlsServers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = await opensslServer(['-cert', node.cert, '-key', node.key, '-CAfile', trustPem, '-Verify', '1', '-verify_return_error'], children);
  return { node: (server.address() as AddressInfo).port, openssl: port };
}

async function sClient(client: Node, port: number, trustPem: string, ...more: string[]): Promise<{ code: number; output: string }> {
  const r = await tool('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-cert', client.cert, '-key', client.key, '-CAfile', trustPem, '-verify_return_error', ...more], { input: '\n' });
  return { code: r.code, output: r.stdout + r.stderr };
}

const probe = (client: Node, port: number, trustStore: string, ...more: string[]) =>
  hapki(['probe', `127.0.0.1:${port}`, '--cert', client.keystore, '--trust', trustStore, '--servername', 'localhost', '--timeout', '5s', ...PASS, ...more], { env });

/** Every master/slave pair as [client, server], both ways. */
const directions = (master: Node, slaves: Node[]): [Node, Node][] => slaves.flatMap((s): [Node, Node][] => [[s, master], [master, s]]);

async function expectMutualTls(client: Node, server: Node, ports: Servers, trustPem: string): Promise<void> {
  for (const port of [ports.node, ports.openssl]) {
    const s = await sClient(client, port, trustPem);
    expect(s.code, `${client.name} -> ${server.name} (port ${port}): ${s.output}`).toBe(0);
    expect(s.output).toContain('Verify return code: 0 (ok)');
    const p = await probe(client, port, trustPem);
    expect(p.code, `${client.name} -> ${server.name}: ${p.stdout}${p.stderr}`).toBe(0);
    expect(p.stdout).toMatch(new RegExp(`client certificate: CN=${client.name}\\.example\\.com[^\\n]*: accepted\\nverdict: PASS \\(chain trusted, host name localhost\\)`));
  }
}

async function keytoolTrusted(store: string, storetype: string): Promise<{ aliases: string[]; fingerprints: string[] }> {
  const listing = (await keytool(['-list', '-v', '-keystore', store, '-storetype', storetype, '-storepass', 'changeit'])).stdout;
  expect(listing).not.toContain('PrivateKeyEntry');
  const aliases = [...listing.matchAll(/^Alias name: (.+)$/gm)].map((m) => m[1]!);
  expect([...listing.matchAll(/^Entry type: (.+)$/gm)].map((m) => m[1])).toEqual(aliases.map(() => 'trustedCertEntry'));
  return { aliases, fingerprints: keytoolFingerprints(listing) };
}

describe('self-signed nodes (keytool -genkeypair), direct mesh', () => {
  const nodes: Record<string, Node> = {};
  const fp: Record<string, string> = {};
  let master: Node;
  let slaves: Node[];

  beforeAll(async () => {
    for (const [name, storetype, ext] of [['master', 'PKCS12', 'p12'], ['slave1', 'JKS', 'jks'], ['slave2', 'PKCS12', 'p12']] as const) {
      const keystore = join(dir, `${name}.${ext}`);
      await keytool(['-genkeypair', '-alias', name, '-keyalg', 'RSA', '-keysize', '2048', '-dname', `CN=${name}.example.com`, '-ext', 'san=dns:localhost,ip:127.0.0.1', '-validity', '30', '-storetype', storetype, '-keystore', keystore, '-storepass', 'changeit', '-keypass', 'changeit']);
      nodes[name] = await exportPem(name, keystore, name);
      fp[name] = await opensslFingerprint(nodes[name]!.cert);
    }
    master = nodes['master']!;
    slaves = [nodes['slave1']!, nodes['slave2']!];
  });

  const mesh = (outDir: string, ...more: string[]) =>
    hapki(['trust', 'mesh', '--master', master.keystore, '--slave', slaves[0]!.keystore, '--slave', slaves[1]!.keystore, '--out-dir', outDir, ...PASS, ...more], { env });

  it('writes JKS and PKCS12 trust stores that keytool lists with the peers\' fingerprints', async () => {
    for (const [format, storetype, ext] of [['jks', 'JKS', 'jks'], ['pkcs12', 'PKCS12', 'p12']] as const) {
      const out = join(dir, `direct-${format}`);
      const r = await mesh(out, '--out-format', format);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('master.p12 trusts: slave1.jks (CN=slave1.example.com), slave2.p12 (CN=slave2.example.com)\n');
      expect(r.stdout).toContain('slave1.jks trusts: master.p12 (CN=master.example.com)\n');
      expect(await keytoolTrusted(join(out, `master-truststore.${ext}`), storetype)).toEqual({ aliases: ['slave1.example.com', 'slave2.example.com'], fingerprints: [fp['slave1'], fp['slave2']] });
      for (const slave of ['slave1', 'slave2']) {
        expect(await keytoolTrusted(join(out, `${slave}-truststore.${ext}`), storetype)).toEqual({ aliases: ['master.example.com'], fingerprints: [fp['master']] });
      }
    }
  });

  it('--update adds nothing twice; without it an existing trust store is not overwritten', async () => {
    const out = join(dir, 'direct-jks');
    const again = await mesh(out, '--out-format', 'jks');
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists: add --update/);
    const stores = ['master', 'slave1', 'slave2'].map((n) => join(out, `${n}-truststore.jks`));
    const before = stores.map((f) => readFileSync(f));
    const update = await mesh(out, '--out-format', 'jks', '--update', '--json');
    expect(update.code, update.stderr).toBe(0);
    // nothing to add anywhere: nothing rewritten, no backup turned over (a rerun keeps the first run's .bak)
    expect(JSON.parse(update.stdout).written).toEqual([]);
    expect(stores.map((f) => readFileSync(f))).toEqual(before);
    expect(stores.some((f) => existsSync(`${f}.bak`))).toBe(false);
    expect((await mesh(out, '--out-format', 'jks', '--update')).stdout).toContain('master-truststore.jks: 0 added, 2 already present');
    expect((await keytoolTrusted(join(out, 'master-truststore.jks'), 'JKS')).aliases).toEqual(['slave1.example.com', 'slave2.example.com']);
    // one store that lost a peer gets it back, alone
    await keytool(['-delete', '-alias', 'slave2.example.com', '-keystore', stores[0]!, '-storepass', 'changeit']);
    const refill = await mesh(out, '--out-format', 'jks', '--update', '--json');
    expect(refill.code, refill.stderr).toBe(0);
    expect(JSON.parse(refill.stdout).written).toEqual([stores[0]]);
    expect((await keytoolTrusted(stores[0]!, 'JKS')).aliases).toEqual(['slave1.example.com', 'slave2.example.com']);
  });

  it('every direction of mutual TLS succeeds: openssl s_client and hapki probe against node:tls and openssl s_server', async () => {
    const out = join(dir, 'direct-pem');
    expect((await mesh(out, '--out-format', 'pem')).code).toBe(0);
    const trust = (n: Node) => join(out, `${n.name}-truststore.pem`);
    const ports = new Map<Node, Servers>();
    for (const n of [master, ...slaves]) ports.set(n, await serve(n, trust(n)));
    for (const [client, server] of directions(master, slaves)) await expectMutualTls(client, server, ports.get(server)!, trust(client));
  });

  it('hapki trust check passes the full mesh', async () => {
    const r = await hapki(['trust', 'check', '--master', master.keystore, '--slave', slaves[0]!.keystore, '--slave', slaves[1]!.keystore, '--trust-dir', join(dir, 'direct-jks'), ...PASS], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('PASS master.p12 -> slave1.jks\nPASS slave1.jks -> master.p12\nPASS master.p12 -> slave2.p12\nPASS slave2.p12 -> master.p12\n');
  });

  it('with slave2 taken out of the master\'s trust store, exactly "master trusts slave2" fails: trust check, and TLS both ways it matters', async () => {
    const jks = join(dir, 'direct-jks', 'master-truststore.jks');
    await keytool(['-delete', '-alias', 'slave2.example.com', '-keystore', jks, '-storepass', 'changeit']);
    const check = await hapki(['trust', 'check', '--master', master.keystore, '--slave', slaves[0]!.keystore, '--slave', slaves[1]!.keystore, '--trust-dir', join(dir, 'direct-jks'), ...PASS], { env });
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/^PASS master\.p12 -> slave1\.jks\nPASS slave1\.jks -> master\.p12\nFAIL master\.p12 -> slave2\.p12: .+ \(ERR_CHAIN_UNTRUSTED\)\nPASS slave2\.p12 -> master\.p12\n$/);
    expect(check.stderr).toMatch(ONE_LINE_ERROR('ERR_TRUST_CHECK_FAILED'));
    expect(check.stderr).toContain('1 of 4 trust checks failed: master.p12 -> slave2.p12');

    const reduced = join(dir, 'master-reduced.pem');
    expect((await hapki(['convert', jks, reduced, ...PASS], { env })).code).toBe(0);
    const masterPorts = await serve(master, reduced);
    const slaveTrust = (n: Node) => join(dir, 'direct-pem', `${n.name}-truststore.pem`);
    // slave1 is still welcome
    await expectMutualTls(slaves[0]!, master, masterPorts, slaveTrust(slaves[0]!));
    // slave2 as the client: the master's servers turn its certificate down (s_client over TLS 1.2,
    // where that happens inside the handshake; over TLS 1.3 the alert may come after s_client has quit)
    const s = await sClient(slaves[1]!, masterPorts.openssl, slaveTrust(slaves[1]!), '-tls1_2');
    expect(s.code).not.toBe(0);
    expect(s.output).toMatch(/alert unknown ca/);
    for (const port of [masterPorts.node, masterPorts.openssl]) {
      const p = await probe(slaves[1]!, port, slaveTrust(slaves[1]!));
      expect(p.code).toBe(1);
      expect(p.stdout).toMatch(/client certificate: CN=slave2\.example\.com .*: rejected/);
      expect(p.stderr).toMatch(ONE_LINE_ERROR('ERR_PROBE_CLIENT_CERT_REJECTED'));
    }
    // the master as the client: slave2's servers accept the master, but the master no longer trusts slave2's certificate
    const slave2Ports = await serve(slaves[1]!, slaveTrust(slaves[1]!));
    const back = await sClient(master, slave2Ports.openssl, reduced);
    expect(back.code).not.toBe(0);
    expect(back.output).toMatch(/self-signed certificate|unable to get local issuer/);
    const p = await probe(master, slave2Ports.node, reduced);
    expect(p.code).toBe(1);
    expect(p.stdout).toMatch(/verdict: FAIL: server certificate: .+ \(ERR_CHAIN_UNTRUSTED\)/);
    expect(p.stderr).toMatch(ONE_LINE_ERROR('ERR_CHAIN_UNTRUSTED'));
    // and slave2 still trusts the master
    await expectMutualTls(master, slaves[0]!, await serve(slaves[0]!, slaveTrust(slaves[0]!)), reduced);
  });
});

describe('CA-issued nodes (openssl CA), CA mesh', () => {
  let master: Node;
  let slaves: Node[];
  let caPem: string;

  beforeAll(async () => {
    caPem = join(dir, 'ca.pem');
    const caKey = join(dir, 'ca.key');
    await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', caKey, '-out', caPem, '-days', '30', '-subj', '/O=Example/CN=Mesh Test CA']);
    const ext = join(dir, 'node.ext');
    writeFileSync(ext, 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n');
    const made: Node[] = [];
    for (const name of ['gw-master', 'gw-slave1', 'gw-slave2']) {
      const key = join(dir, `${name}.openssl.key`);
      const csr = join(dir, `${name}.csr`);
      const crt = join(dir, `${name}.leaf.pem`);
      await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key]);
      await openssl(['req', '-new', '-key', key, '-out', csr, '-subj', `/O=Example/CN=${name}.example.com`]);
      await openssl(['x509', '-req', '-in', csr, '-CA', caPem, '-CAkey', caKey, '-CAcreateserial', '-days', '30', '-extfile', ext, '-out', crt]);
      const p12 = join(dir, `${name}.p12`);
      await openssl(['pkcs12', '-export', '-in', crt, '-inkey', key, '-certfile', caPem, '-name', name, '-out', p12, '-passout', 'pass:changeit']);
      let keystore = p12;
      if (name === 'gw-slave1') {
        keystore = join(dir, `${name}.jks`);
        await keytool(['-importkeystore', '-srckeystore', p12, '-srcstoretype', 'PKCS12', '-srcstorepass', 'changeit', '-destkeystore', keystore, '-deststoretype', 'JKS', '-deststorepass', 'changeit', '-destkeypass', 'changeit']);
      }
      made.push(await exportPem(name, keystore, name));
    }
    [master, ...slaves] = made as [Node, ...Node[]];
  });

  const mesh = (outDir: string, ...more: string[]) =>
    hapki(['trust', 'mesh', '--mode', 'ca', '--master', master.keystore, '--slave', slaves[0]!.keystore, '--slave', slaves[1]!.keystore, '--out-dir', outDir, ...PASS, ...more], { env });

  it('every trust store holds the issuing CA once; keytool lists it', async () => {
    const out = join(dir, 'ca-p12');
    const r = await mesh(out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('gw-master.p12 trusts: gw-slave1.jks (CN=gw-slave1.example.com, O=Example), gw-slave2.p12 (CN=gw-slave2.example.com, O=Example)\n  through: CN=Mesh Test CA, O=Example\n');
    const caFp = await opensslFingerprint(caPem);
    for (const n of ['gw-master', 'gw-slave1', 'gw-slave2']) {
      expect(await keytoolTrusted(join(out, `${n}-truststore.p12`), 'PKCS12')).toEqual({ aliases: ['mesh test ca'.replace(/ /g, '-')], fingerprints: [caFp] });
    }
  });

  it('every direction of mutual TLS succeeds, and hapki trust check passes', async () => {
    const out = join(dir, 'ca-pem');
    expect((await mesh(out, '--out-format', 'pem')).code).toBe(0);
    const trust = (n: Node) => join(out, `${n.name}-truststore.pem`);
    const ports = new Map<Node, Servers>();
    for (const n of [master, ...slaves]) ports.set(n, await serve(n, trust(n)));
    for (const [client, server] of directions(master, slaves)) await expectMutualTls(client, server, ports.get(server)!, trust(client));
    const stores = [master, ...slaves].flatMap((n) => ['--trust-store-for', `${n.keystore}=${join(dir, 'ca-p12', `${n.name}-truststore.p12`)}`]);
    const check = await hapki(['trust', 'check', '--master', master.keystore, '--slave', slaves[0]!.keystore, '--slave', slaves[1]!.keystore, ...stores, ...PASS, '--json'], { env });
    expect(check.code, check.stderr).toBe(0);
    expect(JSON.parse(check.stdout)).toEqual({
      ok: true,
      pairs: [
        { truster: 'gw-master.p12', peer: 'gw-slave1.jks', valid: true, purpose: 'client' },
        { truster: 'gw-slave1.jks', peer: 'gw-master.p12', valid: true, purpose: 'server' },
        { truster: 'gw-master.p12', peer: 'gw-slave2.p12', valid: true, purpose: 'client' },
        { truster: 'gw-slave2.p12', peer: 'gw-master.p12', valid: true, purpose: 'server' },
      ],
    });
  });
});
