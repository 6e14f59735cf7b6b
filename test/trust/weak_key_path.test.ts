import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { TagClass } from '../../src/asn1/der_reader.js';
import { bitString, integer, nullValue, octetString, oid, sequence, tlv, unsignedInteger } from '../../src/asn1/der_writer.js';
import { encodeName } from '../../src/cert/dn.js';
import type { Signer } from '../../src/crypto/signer.js';
import { buildCertificate } from '../../src/issue/build_certificate.js';
import { createCa } from '../../src/issue/create_ca.js';
import { issuerFacts, issuerFromEntry, type Issuer } from '../../src/issue/issuer.js';
import { signCsr } from '../../src/issue/sign_csr.js';
import { validatePath } from '../../src/trust/validate_path.js';
import { cn, ecCsr } from '../issue/crafted_csr.js';

/**
 * Keys in a path that make its signatures meaningless: an intermediate whose RSA exponent is 1
 * "signs" anything (the padded digest is its own signature), so a leaf under it is a forgery.
 * The validator refuses such keys as the CA refuses such requests (src/crypto/key_sanity.ts).
 */

let root: Awaited<ReturnType<typeof createCa>>;
let rootIssuer: Issuer;

beforeAll(async () => {
  root = await createCa({ subject: 'CN=Weak Key Root', key: { kty: 'ec', curve: 'P-256' } });
  rootIssuer = await issuerFromEntry(root.entry);
});

/** An intermediate with the RSA key (n, e) the root certifies, and a leaf "signed" by that key without any private key (e = 1). */
async function chainUnder(e: number, modulus?: Uint8Array): Promise<{ leaf: Uint8Array; intermediate: Uint8Array }> {
  const n = modulus ?? new Uint8Array(Buffer.from(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }).n!, 'base64url'));
  const spki = sequence(sequence(oid('1.2.840.113549.1.1.1'), nullValue()), bitString(sequence(unsignedInteger(n), integer(e))));
  const now = Date.now();
  const validity = { notBefore: new Date(now - 60_000), notAfter: new Date(now + 30 * 86_400_000) };
  const intName = encodeName('CN=Weak Key Intermediate');
  const intermediate = await buildCertificate({ subject: intName, issuer: issuerFacts(rootIssuer).name, publicKey: spki, serial: '0123', ...validity, ca: true, keyUsage: ['keyCertSign', 'cRLSign'], extendedKeyUsage: [], sans: [] }, rootIssuer.signer);
  const forger: Signer = {
    signatureAlgorithm: sequence(oid('1.2.840.113549.1.1.11'), nullValue()),
    async sign(tbs: Uint8Array): Promise<Uint8Array> {
      const digestInfo = sequence(sequence(oid('2.16.840.1.101.3.4.2.1'), nullValue()), octetString(new Uint8Array(createHash('sha256').update(tbs).digest())));
      const em = new Uint8Array(n.length);
      em[1] = 1;
      em.fill(0xff, 2, n.length - digestInfo.length - 1);
      em.set(digestInfo, n.length - digestInfo.length);
      return em;
    },
  } as Signer;
  const leafKey = new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'der', type: 'spki' }));
  const leaf = await buildCertificate({ subject: encodeName('CN=victim.example.com'), issuer: intName, publicKey: leafKey, serial: '0456', ...validity, ca: false, keyUsage: ['digitalSignature'], extendedKeyUsage: ['serverAuth'], sans: [{ type: 'dns', value: 'victim.example.com' }] }, forger);
  return { leaf, intermediate };
}

describe('weak keys in a path', () => {
  it('an intermediate with RSA exponent 1 (its "signatures" forged without a key) fails ERR_WEAK_KEY', async () => {
    const { leaf, intermediate } = await chainUnder(1);
    const result = await validatePath(leaf, { untrusted: [intermediate], trusted: [root.certificate] });
    expect(result).toMatchObject({ valid: false, code: 'ERR_WEAK_KEY' });
    expect(result.reason).toMatch(/exponent 1 /);
  });

  it('exponent 3 and an even exponent fail too, as the CA refuses them', async () => {
    for (const [e, reason] of [[3, /exponent 3 is outside/], [65536, /is even/]] as const) {
      const { leaf, intermediate } = await chainUnder(e);
      const result = await validatePath(leaf, { untrusted: [intermediate], trusted: [root.certificate] });
      expect(result).toMatchObject({ valid: false, code: 'ERR_WEAK_KEY' });
      expect(result.reason).toMatch(reason);
    }
  });

  it('an intermediate whose Ed25519 key is a point of small order (R = identity, S = 0 verifies over anything) fails ERR_WEAK_KEY', async () => {
    const now = Date.now();
    const validity = { notBefore: new Date(now - 60_000), notAfter: new Date(now + 30 * 86_400_000) };
    const intName = encodeName('CN=Small Order Intermediate');
    // y = 1: the identity point; node:crypto verifies the forged signature below over any message
    const identity = Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 1 : 0));
    const spki = sequence(sequence(oid('1.3.101.112')), bitString(identity));
    const intermediate = await buildCertificate({ subject: intName, issuer: issuerFacts(rootIssuer).name, publicKey: spki, serial: '0789', ...validity, ca: true, keyUsage: ['keyCertSign', 'cRLSign'], extendedKeyUsage: [], sans: [] }, rootIssuer.signer);
    const forger = { signatureAlgorithm: sequence(oid('1.3.101.112')), sign: async () => Uint8Array.from({ length: 64 }, (_, i) => (i === 0 ? 1 : 0)) } as unknown as Signer;
    const leafKey = new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'der', type: 'spki' }));
    const leaf = await buildCertificate({ subject: encodeName('CN=victim.example.com'), issuer: intName, publicKey: leafKey, serial: '0abc', ...validity, ca: false, keyUsage: ['digitalSignature'], extendedKeyUsage: ['serverAuth'], sans: [{ type: 'dns', value: 'victim.example.com' }] }, forger);
    const result = await validatePath(leaf, { untrusted: [intermediate], trusted: [root.certificate] });
    expect(result).toMatchObject({ valid: false, code: 'ERR_WEAK_KEY' });
    expect(result.reason).toMatch(/Ed25519 public key is a point of small order/);
  });

  it('an Ed448 leaf that hapki signs validates (hapki certifies Ed448 keys, so its validator takes them)', async () => {
    const pair = generateKeyPairSync('ed448');
    const spki = new Uint8Array(pair.publicKey.export({ format: 'der', type: 'spki' }));
    const info = sequence(integer(0), cn('ed448.example.com'), spki, tlv(0, new Uint8Array(0), { cls: TagClass.context, constructed: true }));
    const csr = sequence(info, sequence(oid('1.3.101.113')), bitString(new Uint8Array(sign(null, info, pair.privateKey))));
    const signed = await signCsr(csr, rootIssuer);
    const result = await validatePath(signed.certificate, { trusted: [root.certificate] });
    expect(result).toMatchObject({ valid: true });
    // and an honest EC leaf still does
    const ec = await signCsr(ecCsr(cn('ec.example.com')), rootIssuer);
    expect(await validatePath(ec.certificate, { trusted: [root.certificate] })).toMatchObject({ valid: true });
  });
});

describe('certificates are DER', () => {
  it('a leaf re-framed as BER (signature still good: it covers the tbsCertificate only) fails ERR_CERT_MALFORMED', async () => {
    const signed = await signCsr(ecCsr(cn('der.example.com')), rootIssuer);
    const der = signed.certificate;
    expect(await validatePath(der, { trusted: [root.certificate] })).toMatchObject({ valid: true });
    const headerLength = der[1]! < 0x80 ? 2 : 2 + (der[1]! & 0x7f);
    const body = der.subarray(headerLength);
    const indefinite = Uint8Array.from([0x30, 0x80, ...body, 0, 0]);
    const nonMinimal = Uint8Array.from([0x30, 0x83, 0, body.length >> 8, body.length & 0xff, ...body]);
    for (const ber of [indefinite, nonMinimal]) {
      const result = await validatePath(ber, { trusted: [root.certificate] });
      expect(result).toMatchObject({ valid: false, code: 'ERR_CERT_MALFORMED' });
      expect(result.reason).toMatch(/not DER/);
    }
  });
});
