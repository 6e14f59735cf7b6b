import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { openssl, tempDir, tool } from '../helpers/tools.js';

/**
 * A CA imported from openssl whose own certificate makes everything it signs fail validation: a
 * careful CA refuses to issue (ERR_POLICY) rather than hand out certificates no client accepts.
 * openssl judges each case: a certificate openssl itself signs under such a CA fails
 * `openssl verify` for the same reason.
 */
const dir = tempDir('hapki-issuer-fitness-');
const at = (name: string): string => join(dir, name);
const env = { P: 'fitness-pass-1' };

/** An intermediate under the openssl root, with these extensions, as a PKCS#12 CA keystore. */
async function intermediate(name: string, extensions: string): Promise<void> {
  await openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at(`${name}.key`), '-out', at(`${name}.csr`), '-subj', `/CN=${name} CA/O=Example`]);
  writeFileSync(at(`${name}.ext`), extensions);
  await openssl(['x509', '-req', '-in', at(`${name}.csr`), '-CA', at('root.pem'), '-CAkey', at('root.key'), '-set_serial', String(1000 + name.length), '-days', '60', '-out', at(`${name}.pem`), '-extfile', at(`${name}.ext`)]);
  await openssl(['pkcs12', '-export', '-inkey', at(`${name}.key`), '-in', at(`${name}.pem`), '-certfile', at('root.pem'), '-name', 'ca', '-out', at(`${name}.p12`), '-passout', `pass:${env.P}`]);
}

/** A leaf openssl itself signs under an intermediate, with serverAuth and clientAuth. */
async function opensslLeaf(ca: string, out: string): Promise<void> {
  writeFileSync(at('leaf.ext'), 'subjectAltName=DNS:l.example.com\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=critical,digitalSignature\nbasicConstraints=CA:FALSE\n');
  await openssl(['x509', '-req', '-in', at('leaf.csr'), '-CA', at(`${ca}.pem`), '-CAkey', at(`${ca}.key`), '-set_serial', '77', '-days', '10', '-out', at(out), '-extfile', at('leaf.ext')]);
}

const BASE = 'basicConstraints=critical,CA:TRUE\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n';

beforeAll(async () => {
  await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at('root.key'), '-out', at('root.pem'), '-subj', '/CN=Fitness Root/O=Example', '-days', '90']);
  await intermediate('critical', `${BASE}keyUsage=critical,keyCertSign,cRLSign\n1.3.6.1.4.1.55555.1=critical,ASN1:NULL\n`);
  await intermediate('serveronly', `${BASE}keyUsage=critical,keyCertSign,cRLSign\nextendedKeyUsage=serverAuth\n`);
  await intermediate('anyeku', `${BASE}keyUsage=critical,keyCertSign,cRLSign\nextendedKeyUsage=serverAuth,anyExtendedKeyUsage\n`);
  await intermediate('nocrlsign', `${BASE}keyUsage=critical,keyCertSign\n`);
  await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at('leaf.key'), '-subj', '/CN=l.example.com', '-out', at('leaf.csr')]);
}, 120_000);

async function sign(ca: string, out: string, extra: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  return hapki(['sign', at('leaf.csr'), '--ca', at(`${ca}.p12`), '--ca-storepass', 'env:P', '--out', at(out), ...extra], { env });
}

function refused(r: { code: number; stdout: string; stderr: string }, code: string, out: string): void {
  expect(r.code, r.stderr).not.toBe(0);
  expect(r.stderr).toMatch(ONE_LINE_ERROR(code));
  expect(existsSync(at(out))).toBe(false);
}

describe('a CA whose certificate has a critical extension no validator processes issues nothing', () => {
  it('openssl verify refuses a leaf openssl signs under it', async () => {
    await opensslLeaf('critical', 'critical-openssl.pem');
    const judged = await tool('openssl', ['verify', '-CAfile', at('root.pem'), '-untrusted', at('critical.pem'), at('critical-openssl.pem')]);
    expect(judged.code).not.toBe(0);
    expect(judged.stdout + judged.stderr).toMatch(/unhandled critical extension/i);
  });

  it('sign, token issue --ca and ca init --ca: ERR_POLICY naming the extension', async () => {
    const signed = await sign('critical', 'critical-leaf.pem');
    refused(signed, 'ERR_POLICY', 'critical-leaf.pem');
    expect(signed.stderr).toContain('1.3.6.1.4.1.55555.1');
    const token = await hapki(['token', 'issue', '--ca', at('critical.p12'), '--ca-storepass', 'env:P', '--subject', 'CN=tok', '--out', at('critical-token.p12'), '--outpass', 'env:P'], { env });
    refused(token, 'ERR_POLICY', 'critical-token.p12');
    const sub = await hapki(['ca', 'init', '--ca', at('critical.p12'), '--ca-storepass', 'env:P', '--subject', 'CN=Sub', '--kty', 'ec', '--out', at('critical-sub.p12'), '--outpass', 'env:P'], { env });
    refused(sub, 'ERR_POLICY', 'critical-sub.p12');
  });
});

describe("the purposes of what a CA signs stay within the CA's extendedKeyUsage", () => {
  it('under a CA limited to serverAuth: a client or server-client certificate is ERR_POLICY, as openssl refuses it for clientAuth', async () => {
    await opensslLeaf('serveronly', 'serveronly-openssl.pem');
    const judged = await tool('openssl', ['verify', '-purpose', 'sslclient', '-CAfile', at('root.pem'), '-untrusted', at('serveronly.pem'), at('serveronly-openssl.pem')]);
    expect(judged.code).not.toBe(0);
    for (const profile of ['client', 'server-client']) {
      const r = await sign('serveronly', `serveronly-${profile}.pem`, ['--profile', profile]);
      refused(r, 'ERR_POLICY', `serveronly-${profile}.pem`);
      expect(r.stderr).toMatch(/limited to serverAuth .*clientAuth/);
    }
  });

  it('under it a server certificate, a token certificate and a sub-CA still sign, and the server one verifies with openssl', async () => {
    const server = await sign('serveronly', 'serveronly-server.pem', ['--profile', 'server']);
    expect(server.code, server.stderr).toBe(0);
    const judged = await tool('openssl', ['verify', '-purpose', 'sslserver', '-CAfile', at('root.pem'), '-untrusted', at('serveronly.pem'), at('serveronly-server.pem')]);
    expect(judged.code, judged.stdout + judged.stderr).toBe(0);
    expect((await sign('serveronly', 'serveronly-token.pem', ['--profile', 'token'])).code).toBe(0);
    expect((await sign('serveronly', 'serveronly-sub.pem', ['--profile', 'ca'])).code).toBe(0);
  });

  it('a CA whose extendedKeyUsage holds anyExtendedKeyUsage limits nothing', async () => {
    const r = await sign('anyeku', 'anyeku-client.pem', ['--profile', 'client']);
    expect(r.code, r.stderr).toBe(0);
  });
});

describe('a CA whose keyUsage lacks cRLSign publishes no CRL', () => {
  it('crl: ERR_POLICY and no file; it still signs certificates', async () => {
    const r = await hapki(['crl', '--ca', at('nocrlsign.p12'), '--ca-storepass', 'env:P', '--out', at('nocrlsign.crl')], { env });
    refused(r, 'ERR_POLICY', 'nocrlsign.crl');
    expect(r.stderr).toContain('cRLSign');
    // openssl makes such a CRL, and refuses it when checking: the judge of the refusal
    await openssl(['ca', '-gencrl', '-keyfile', at('nocrlsign.key'), '-cert', at('nocrlsign.pem'), '-out', at('nocrlsign-openssl.crl'), '-config', await minimalCaConfig()]);
    await opensslLeaf('nocrlsign', 'nocrlsign-openssl.pem');
    const judged = await tool('openssl', ['verify', '-crl_check', '-CRLfile', at('nocrlsign-openssl.crl'), '-CAfile', at('root.pem'), '-untrusted', at('nocrlsign.pem'), at('nocrlsign-openssl.pem')]);
    expect(judged.code).not.toBe(0);
    expect(judged.stdout + judged.stderr).toMatch(/CRL signing/i);
    expect((await sign('nocrlsign', 'nocrlsign-leaf.pem')).code).toBe(0);
  });
});

/** The least `openssl ca -gencrl` needs: a database file and a CRL validity. */
async function minimalCaConfig(): Promise<string> {
  writeFileSync(at('index.txt'), '');
  writeFileSync(at('openssl-ca.cnf'), `[ca]\ndefault_ca = c\n[c]\ndatabase = ${at('index.txt')}\ndefault_md = sha256\ndefault_crl_days = 7\n`);
  return at('openssl-ca.cnf');
}
