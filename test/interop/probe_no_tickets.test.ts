import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { opensslServer } from '../helpers/servers.js';
import { openssl, tempDir } from '../helpers/tools.js';

/**
 * A TLS 1.3 server that sends no session tickets (openssl s_server -num_tickets 0; servers without
 * resumption) says nothing once it has accepted a client certificate. The probe waited for tickets
 * that never came and took the whole --timeout to call the certificate accepted. Here --timeout is
 * two minutes and each test has one: the verdict must come from the server, not from the clock.
 */
const dir = tempDir('hapki-no-tickets-');
const at = (name: string): string => join(dir, name);
const env = { P: 'probe-pass-1' };
const children: ChildProcess[] = [];
const TIMEOUT = ['--timeout', '120s'];

function sServer(...args: string[]): Promise<number> {
  return opensslServer(['-cert', at('server.pem'), '-key', at('server.key'), '-num_tickets', '0', ...args], children);
}

const probe = (port: number, ...more: string[]) =>
  hapki(['probe', `127.0.0.1:${port}`, '--trust', at('ca.pem'), '--servername', 'localhost', ...TIMEOUT, '--json', ...more], { env });

beforeAll(async () => {
  await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at('ca.key'), '-out', at('ca.pem'), '-subj', '/CN=No Tickets CA', '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
  writeFileSync(at('ext'), 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
  for (const name of ['server', 'client', 'stranger']) {
    await openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at(`${name}.key`), '-out', at(`${name}.csr`), '-subj', `/CN=${name}`]);
  }
  for (const name of ['server', 'client']) {
    await openssl(['x509', '-req', '-in', at(`${name}.csr`), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial', '-out', at(`${name}.pem`), '-days', '20', '-extfile', at('ext')]);
  }
  await openssl(['x509', '-req', '-in', at('stranger.csr'), '-key', at('stranger.key'), '-out', at('stranger.pem'), '-days', '20', '-extfile', at('ext')]);
  for (const name of ['client', 'stranger']) {
    await openssl(['pkcs12', '-export', '-in', at(`${name}.pem`), '-inkey', at(`${name}.key`), '-name', name, '-out', at(`${name}.p12`), '-passout', `pass:${env.P}`]);
  }
}, 60_000);

afterAll(() => {
  for (const child of children) child.kill();
});

describe('probe --cert against a TLS 1.3 server that sends no session tickets', () => {
  it('openssl s_server -Verify (certificate required): a trusted client certificate is accepted without waiting out --timeout', async () => {
    const port = await sServer('-CAfile', at('ca.pem'), '-Verify', '1', '-verify_return_error');
    const r = await probe(port, '--cert', at('client.p12'), '--storepass', 'env:P');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, protocol: 'TLSv1.3', clientCertificate: { subject: 'CN=client', accepted: true, sent: true } });
  }, 60_000);

  it('the same server turns down an untrusted client certificate, and a missing one: ERR_PROBE_CLIENT_CERT_REJECTED naming its alert', async () => {
    const port = await sServer('-CAfile', at('ca.pem'), '-Verify', '1', '-verify_return_error');
    const stranger = await probe(port, '--cert', at('stranger.p12'), '--storepass', 'env:P');
    expect(stranger.code).toBe(1);
    expect(stranger.stderr).toMatch(ONE_LINE_ERROR('ERR_PROBE_CLIENT_CERT_REJECTED'));
    expect(JSON.parse(stranger.stdout)).toMatchObject({ ok: false, clientCertificate: { subject: 'CN=stranger', accepted: false, sent: true } });
    expect(stranger.stderr).toContain('TLS alert');
    const none = await probe(port);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(ONE_LINE_ERROR('ERR_PROBE_CLIENT_CERT_REJECTED'));
    expect(none.stderr).toContain('give --cert');
  }, 60_000);

  it('openssl s_server -verify (certificate asked for, any accepted): accepted without waiting out --timeout', async () => {
    const port = await sServer('-verify', '1');
    const r = await probe(port, '--cert', at('stranger.p12'), '--storepass', 'env:P');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, clientCertificate: { subject: 'CN=stranger', accepted: true, sent: true } });
  }, 60_000);

  it('without --cert, a server with no client authentication: PASS without waiting out --timeout', async () => {
    const port = await sServer();
    const r = await probe(port);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, protocol: 'TLSv1.3' });
  }, 60_000);
});
