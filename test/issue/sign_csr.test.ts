import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCa, type CreatedCa } from '../../src/issue/create_ca.js';
import { requestWithNewKey } from '../../src/issue/create_key_entry.js';
import { issuerFromEntry, type Issuer } from '../../src/issue/issuer.js';
import { parseSan } from '../../src/issue/san.js';
import { signCsr } from '../../src/issue/sign_csr.js';
import { CLOCK_SKEW_MS } from '../../src/issue/validity.js';
import { emptyKeystore } from '../../src/keystore/model.js';
import { x509 } from '../../src/lib/x509.js';
import type { KeySpec } from '../../src/crypto/keys.js';
import { openssl, tempDir } from '../helpers/tools.js';

const DAY = 24 * 60 * 60 * 1000;
const dir = tempDir();
let ca: CreatedCa;
let issuer: Issuer;

async function newRequest(subject = 'CN=msas1.example.com,O=Example', key: KeySpec = { kty: 'ec', curve: 'P-256' }, sans: string[] = []): Promise<Uint8Array> {
  return (await requestWithNewKey(emptyKeystore('PKCS12'), { alias: 'node', subject, key, sans: sans.map(parseSan) })).csr;
}

function cert(der: Uint8Array): x509.X509Certificate {
  return new x509.X509Certificate(Buffer.from(der));
}

function usages(c: x509.X509Certificate): { ku: number | undefined; eku: string[]; ca: boolean | undefined } {
  return {
    ku: c.getExtension(x509.KeyUsagesExtension)?.usages,
    eku: (c.getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? []).map(String),
    ca: c.getExtension(x509.BasicConstraintsExtension)?.ca,
  };
}

const KU = x509.KeyUsageFlags;
const SERVER = '1.3.6.1.5.5.7.3.1';
const CLIENT = '1.3.6.1.5.5.7.3.2';

beforeAll(async () => {
  ca = await createCa({ subject: 'CN=Unit Root CA,O=Example', key: { kty: 'ec', curve: 'P-384' } });
  issuer = await issuerFromEntry(ca.entry);
});

describe('signCsr', () => {
  it('gives each profile the key usages and EKUs it states (keyEncipherment for RSA keys only)', async () => {
    const ec = await newRequest();
    const rsa = await newRequest('CN=rsa.example.com', { kty: 'rsa', bits: 2048 });
    const expected = [
      ['server', ec, KU.digitalSignature, [SERVER], false],
      ['server', rsa, KU.digitalSignature | KU.keyEncipherment, [SERVER], false],
      ['client', ec, KU.digitalSignature, [CLIENT], false],
      ['client', rsa, KU.digitalSignature | KU.keyEncipherment, [CLIENT], false],
      ['server-client', rsa, KU.digitalSignature | KU.keyEncipherment, [SERVER, CLIENT], false],
      // an EC key enciphers nothing (RFC 5480 3): the token's encipherment bits are for RSA keys
      ['token', ec, KU.digitalSignature, [], false],
      ['token', rsa, KU.digitalSignature | KU.keyEncipherment | KU.dataEncipherment, [], false],
      ['ca', ec, KU.keyCertSign | KU.cRLSign, [], true],
    ] as const;
    for (const [profile, csr, ku, eku, isCa] of expected) {
      const signed = await signCsr(csr, issuer, { profile });
      expect(usages(cert(signed.certificate)), profile).toEqual({ ku, eku, ca: isCa });
    }
  });

  it('takes the subject from the request, the issuer and AKI from the CA, and signs with the CA key algorithm (P-384: ECDSA SHA-384)', async () => {
    const signed = await signCsr(await newRequest(), issuer);
    const c = cert(signed.certificate);
    const caCert = cert(ca.certificate);
    expect(c.subject).toBe('O=Example, CN=msas1.example.com');
    expect(c.issuer).toBe(caCert.subject);
    expect(c.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(caCert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId);
    expect(c.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId).toMatch(/^[0-9a-f]{40}$/);
    expect(c.signatureAlgorithm).toMatchObject({ name: 'ECDSA', hash: { name: 'SHA-384' } });
    expect(await c.verify({ publicKey: caCert.publicKey, signatureOnly: true })).toBe(true);
    expect(signed.chain).toEqual([signed.certificate, ca.certificate]);
  });

  it('uses a random positive serial of 128 bits (at least 64 required), different every time', async () => {
    const csr = await newRequest();
    const serials = await Promise.all([1, 2, 3].map(async () => (await signCsr(csr, issuer)).serial));
    for (const serial of serials) {
      expect(serial).toMatch(/^[0-9a-f]{32}$/);
      expect(parseInt(serial.slice(0, 2), 16)).toBeGreaterThan(0);
      expect(parseInt(serial.slice(0, 2), 16)).toBeLessThan(0x80);
      expect(BigInt(`0x${serial}`) >= 1n << 64n).toBe(true);
    }
    expect(new Set(serials).size).toBe(3);
    expect(cert((await signCsr(csr, issuer)).certificate).serialNumber).toMatch(/^[0-9a-f]{32}$/i);
  });

  it('is valid 397 days by default, from a few minutes ago for clock skew', async () => {
    const now = new Date();
    const signed = await signCsr(await newRequest(), issuer, { now });
    expect(now.getTime() - signed.notBefore.getTime()).toBeGreaterThanOrEqual(CLOCK_SKEW_MS - 1000);
    expect(now.getTime() - signed.notBefore.getTime()).toBeLessThanOrEqual(CLOCK_SKEW_MS + 1000);
    expect(Math.round((signed.notAfter.getTime() - now.getTime()) / DAY)).toBe(397);
    expect(signed.warnings).toEqual([]);
  });

  it('cuts the validity to the CA certificate\'s own end, with a warning', async () => {
    const shortCa = await createCa({ subject: 'CN=Short CA', key: { kty: 'ec' }, days: 30 });
    const signed = await signCsr(await newRequest(), await issuerFromEntry(shortCa.entry), { days: 365 });
    expect(signed.notAfter.getTime()).toBe(cert(shortCa.certificate).notAfter.getTime());
    expect(signed.warnings.join('\n')).toMatch(/cut to the CA certificate's own end/);
    const byDate = await signCsr(await newRequest(), await issuerFromEntry(shortCa.entry), { notAfter: new Date(Date.now() + 90 * DAY) });
    expect(byDate.warnings).toHaveLength(1);
  });

  it('refuses to issue with a CA certificate that has expired: ERR_POLICY, not a certificate that ends before it starts', async () => {
    const old = await createCa({ subject: 'CN=Old CA', key: { kty: 'ec' }, days: 30, now: new Date('2020-01-01T00:00:00Z') });
    await expect(signCsr(await newRequest(), await issuerFromEntry(old.entry), {})).rejects.toMatchObject({
      code: 'ERR_POLICY',
      message: expect.stringMatching(/expired/),
    });
  });

  it('merges the requested names, the CN and --san; --replace-san keeps only --san; --subject replaces the subject', async () => {
    const csr = await newRequest('CN=msas1.example.com', { kty: 'ec' }, ['msas1-alt.example.com']);
    const merged = await signCsr(csr, issuer, { sans: [parseSan('lbrhost.example.com'), parseSan('ip:10.0.0.5'), parseSan('MSAS1.example.com')] });
    expect(merged.sans.map((s) => `${s.type}:${s.value}`)).toEqual(['dns:msas1-alt.example.com', 'dns:msas1.example.com', 'dns:lbrhost.example.com', 'ip:10.0.0.5']);
    const names = cert(merged.certificate).getExtension(x509.SubjectAlternativeNameExtension)!.names.items.map((n) => `${n.type}:${n.value}`);
    expect(names).toEqual(['dns:msas1-alt.example.com', 'dns:msas1.example.com', 'dns:lbrhost.example.com', 'ip:10.0.0.5']);
    const replaced = await signCsr(csr, issuer, { sans: [parseSan('lbrhost.example.com')], replaceSans: true, subject: 'CN=lbrhost.example.com,O=Example' });
    expect(replaced.sans).toEqual([{ type: 'dns', value: 'lbrhost.example.com' }]);
    expect(cert(replaced.certificate).subject).toBe('O=Example, CN=lbrhost.example.com');
  });

  it('refuses a request whose signature was altered: ERR_CSR_SIGNATURE', async () => {
    for (const key of [{ kty: 'rsa', bits: 2048 }, { kty: 'ec' }, { kty: 'ed25519' }] as KeySpec[]) {
      const csr = await newRequest('CN=x.example.com', key);
      csr[csr.length - 3] ^= 0x01;
      await expect(signCsr(csr, issuer), key.kty).rejects.toMatchObject({ code: 'ERR_CSR_SIGNATURE' });
    }
  });

  it('refuses what is not a request: ERR_INVALID_ARGUMENT', async () => {
    await expect(signCsr(new TextEncoder().encode('hello'), issuer)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });

  it('refuses an RSA 1024 request (made by openssl) unless allowWeak: ERR_POLICY', async () => {
    const key = join(dir, 'weak.key');
    const req = join(dir, 'weak.csr');
    await openssl(['req', '-new', '-newkey', 'rsa:1024', '-nodes', '-keyout', key, '-out', req, '-subj', '/CN=weak.example.com']);
    const csr = new Uint8Array(readFileSync(req));
    await expect(signCsr(csr, issuer)).rejects.toMatchObject({ code: 'ERR_POLICY', message: expect.stringMatching(/1024 bits/) });
    expect((await signCsr(csr, issuer, { allowWeak: true })).sans).toEqual([{ type: 'dns', value: 'weak.example.com' }]);
  });

  it('refuses a request asking for CA:TRUE unless allowCa or the ca profile: ERR_POLICY', async () => {
    const key = join(dir, 'ca-req.key');
    const req = join(dir, 'ca-req.csr');
    await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', req, '-subj', '/CN=Sneaky CA', '-addext', 'basicConstraints=critical,CA:TRUE']);
    const csr = new Uint8Array(readFileSync(req));
    await expect(signCsr(csr, issuer, { sans: [parseSan('x.example.com')] })).rejects.toMatchObject({ code: 'ERR_POLICY', message: expect.stringMatching(/CA:TRUE/) });
    const allowed = await signCsr(csr, issuer, { sans: [parseSan('x.example.com')], allowCa: true });
    expect(usages(cert(allowed.certificate)).ca).toBe(false);
    const asCa = await signCsr(csr, issuer, { profile: 'ca' });
    expect(usages(cert(asCa.certificate)).ca).toBe(true);
  });

  it('refuses to issue with an entry whose certificate is not a CA: ERR_POLICY', async () => {
    const leaf = await requestWithNewKey(emptyKeystore('PKCS12'), { alias: 'leaf', subject: 'CN=leaf.example.com', key: { kty: 'ec' } });
    await expect(issuerFromEntry(leaf.entry)).rejects.toMatchObject({ code: 'ERR_POLICY' });
  });
});

describe('createCa', () => {
  it('makes a root with critical basicConstraints (pathLen) and keyUsage keyCertSign+cRLSign, an SKI, 3650 days by default', async () => {
    const root = await createCa({ subject: 'CN=Root,O=Example', key: { kty: 'ec' }, pathLength: 1 });
    const c = cert(root.certificate);
    const bc = c.getExtension(x509.BasicConstraintsExtension)!;
    expect([bc.ca, bc.pathLength, bc.critical]).toEqual([true, 1, true]);
    const ku = c.getExtension(x509.KeyUsagesExtension)!;
    expect([ku.usages, ku.critical]).toEqual([KU.keyCertSign | KU.cRLSign, true]);
    expect(c.getExtension(x509.SubjectKeyIdentifierExtension)).toBeTruthy();
    expect(c.subject).toBe(c.issuer);
    expect(Math.round((c.notAfter.getTime() - Date.now()) / DAY)).toBe(3650);
    expect(root.store.entries).toEqual([expect.objectContaining({ type: 'private-key', alias: 'ca', chain: [root.certificate] })]);
    expect(root.store.format).toBe('PKCS12');
  });

  it('makes an intermediate signed by an issuer: AKI from the issuer, chain of two, clipped to the issuer', async () => {
    const root = await createCa({ subject: 'CN=Root', key: { kty: 'ec' }, days: 100 });
    const sub = await createCa({ subject: 'CN=Sub', key: { kty: 'ed25519' }, issuer: await issuerFromEntry(root.entry), pathLength: 0 });
    const c = cert(sub.certificate);
    expect(c.issuer).toBe('CN=Root');
    expect(c.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(cert(root.certificate).getExtension(x509.SubjectKeyIdentifierExtension)?.keyId);
    expect(sub.entry.chain).toEqual([sub.certificate, root.certificate]);
    expect(sub.warnings.join()).toMatch(/validity cut to the issuing CA certificate's own end/);
    const leaf = await signCsr(await newRequest(), await issuerFromEntry(sub.entry));
    expect(cert(leaf.certificate).signatureAlgorithm).toMatchObject({ name: 'Ed25519' });
    await expect(createCa({ subject: 'CN=Too deep', key: { kty: 'ec' }, issuer: await issuerFromEntry(sub.entry) })).rejects.toMatchObject({ code: 'ERR_POLICY' });
  });

  // regression: --path-len 99999999999 wrote a CA certificate that hapki's own reader refused and
  // that made keytool refuse the whole PKCS#12 file ("keystore password was incorrect")
  it('refuses a pathLenConstraint it could not read back, and keeps the largest it can', async () => {
    for (const pathLength of [65536, 99999999999, -1, 1.5]) {
      await expect(createCa({ subject: 'CN=Deep', key: { kty: 'ec' }, pathLength })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    }
    const deepest = await createCa({ subject: 'CN=Deep', key: { kty: 'ec' }, pathLength: 65535 });
    expect(cert(deepest.certificate).getExtension(x509.BasicConstraintsExtension)?.pathLength).toBe(65535);
    await expect(signCsr(await newRequest('CN=Sub CA'), await issuerFromEntry(deepest.entry), { profile: 'ca', allowCa: true, pathLength: 65536 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    const root = await createCa({ subject: 'CN=Unbounded', key: { kty: 'ec' } });
    await expect(signCsr(await newRequest('CN=Sub CA'), await issuerFromEntry(root.entry), { profile: 'ca', allowCa: true, pathLength: 99999999999 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });

  it('refuses a subject that is not a distinguished name', async () => {
    await expect(createCa({ subject: 'Example Root CA', key: { kty: 'ec' } })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });
});
