import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bitString, integer, nullValue, oid, sequence, setOf, tlv, unsignedInteger, utf8String } from '../../src/asn1/der_writer.js';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { openssl, tempDir } from '../helpers/tools.js';
import { ascii, cn, context, ecCsr, ecCsrOfInfo, ecTestKey, ECDSA_SHA256, extensionRequest, generalNames, rawInfo, RSA_SHA256 } from '../issue/crafted_csr.js';

/**
 * Crafted requests through `hapki sign`, the cases the library tests (ca_hardening, ca_lint,
 * request_checks) did not take through the binary: each is one coded line, never ERR_INTERNAL or
 * a stack, or a certificate `openssl verify -x509_strict` accepts.
 */
const dir = tempDir('hapki-crafted-requests-');
const at = (name: string): string => join(dir, name);
const env = { CAPASS: 'crafted-pass-1' };
const CA = ['--ca', at('ca.p12'), '--ca-storepass', 'env:CAPASS'];
let serial = 0;

beforeAll(async () => {
  const init = await hapki(['ca', 'init', '--subject', 'CN=Crafted Requests Root', '--kty', 'ec', '--out', at('ca.p12'), '--outpass', 'env:CAPASS', '--cert-out', at('ca.pem')], { env });
  expect(init.code, init.stderr).toBe(0);
}, 60_000);

/** `hapki sign` on the request: the refusal's code, or 'signed' once openssl has verified the certificate. */
async function signOutcome(csr: Uint8Array | string, ...more: string[]): Promise<string> {
  const name = `r${serial++}`;
  const file = typeof csr === 'string' ? csr : at(`${name}.der`);
  if (typeof csr !== 'string') writeFileSync(file, csr);
  const result = await hapki(['sign', file, ...CA, '--out', at(`${name}.pem`), '--allow-any-name', ...more], { env });
  expect(result.stderr).not.toMatch(/ERR_INTERNAL|\n\s+at /);
  if (result.code !== 0) {
    const code = /\((ERR_[A-Z0-9_]+)\)\n$/.exec(result.stderr)?.[1] ?? 'no code';
    expect(result.stderr).toMatch(ONE_LINE_ERROR(code));
    return code;
  }
  const verified = await openssl(['verify', '-x509_strict', '-CAfile', at('ca.pem'), at(`${name}.pem`)]);
  expect(verified.stdout).toContain(': OK');
  return 'signed';
}

const SAN = (...names: Uint8Array[]) => generalNames(...names);
const HOST = context(2, ascii('gw.example.com'));

describe('crafted requests through hapki sign: a coded refusal or a certificate openssl accepts', () => {
  it('bytes after the request (DER), and a PEM whose body has them', async () => {
    const csr = ecCsr(cn('gw.example.com'));
    expect(await signOutcome(Uint8Array.from([...csr, 0x00]))).toBe('ERR_INVALID_ARGUMENT');
    writeFileSync(at('trailing.pem'), `-----BEGIN CERTIFICATE REQUEST-----\n${Buffer.from([...csr, 0x05, 0x00]).toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`);
    expect(await signOutcome(at('trailing.pem'))).toBe('ERR_INVALID_ARGUMENT');
  });

  it('an unknown critical extension asked for is not carried into the certificate (the CA chooses the extensions), with a warning', async () => {
    const csr = ecCsr(cn('gw.example.com'), [{ oid: '1.3.6.1.4.1.99999.1', critical: true, value: nullValue() }, { oid: '1.3.6.1.4.1.99999.2', value: nullValue() }]);
    expect(await signOutcome(csr)).toBe('signed');
    expect((await openssl(['x509', '-in', at(`r${serial - 1}.pem`), '-noout', '-text'])).stdout).not.toContain('99999');
    writeFileSync(at('critical.der'), csr);
    const r = await hapki(['sign', at('critical.der'), ...CA, '--out', at('critical.pem'), '--allow-any-name'], { env });
    expect(r.stderr).toContain('warning: the requested critical extension 1.3.6.1.4.1.99999.1 is not carried into the certificate');
    expect(r.stderr).not.toContain('99999.2');
  });

  it.each([
    ['otherName (a UPN)', tlv(0, Uint8Array.from([...oid('1.3.6.1.4.1.311.20.2.3'), ...tlv(0, utf8String('user@example.com'), { cls: 2, constructed: true })]), { cls: 2, constructed: true }), 'UPN:user@example.com'],
    ['x400Address', tlv(3, sequence(), { cls: 2, constructed: true }), 'X400Name:<unsupported>'],
    ['ediPartyName', tlv(5, tlv(1, utf8String('party'), { cls: 2, constructed: true }), { cls: 2, constructed: true }), 'EdiPartyName:<unsupported>'],
    ['registeredID', context(8, Uint8Array.of(0x2a, 0x03, 0x04)), 'RID:1.2.3.4'],
  ])('a %s SAN beside a DNS name is left out with a warning naming it as openssl does; the rest is signed', async (_what, name, printed) => {
    const csr = ecCsr(cn('gw.example.com'), [SAN(HOST, name)]);
    writeFileSync(at('names.der'), csr);
    const opensslText = (await openssl(['req', '-in', at('names.der'), '-inform', 'DER', '-noout', '-text'])).stdout;
    // the two hapki cannot read are named as openssl names them (UPN and RID keep openssl's config spelling)
    if (printed.includes('<unsupported>')) expect(opensslText).toContain(printed);
    const r = await hapki(['sign', at('names.der'), ...CA, '--out', at(`names${serial++}.pem`), '--allow-any-name'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`the requested name ${printed} is not supported and was left out`);
    const verified = await openssl(['verify', '-x509_strict', '-CAfile', at('ca.pem'), at(`names${serial - 1}.pem`)]);
    expect(verified.stdout).toContain(': OK');
  });

  it('an iPAddress SAN of 5 or of 17 bytes is ERR_CSR_FORMAT', async () => {
    expect(await signOutcome(ecCsr(cn('gw.example.com'), [SAN(HOST, context(7, Uint8Array.of(10, 0, 0, 1, 9)))]))).toBe('ERR_CSR_FORMAT');
    expect(await signOutcome(ecCsr(cn('gw.example.com'), [SAN(HOST, context(7, new Uint8Array(17).fill(1)))]))).toBe('ERR_CSR_FORMAT');
  });

  it('an empty subject and no SAN is refused, for every profile', async () => {
    for (const profile of ['server', 'client', 'token']) expect(await signOutcome(ecCsr(sequence()), '--profile', profile), profile).toBe('ERR_POLICY');
  });

  it('an attribute set with challengePassword and unstructuredName beside extensionRequest signs; neither reaches the certificate', async () => {
    const { spki } = ecTestKey();
    const attribute = (type: string, value: Uint8Array): Uint8Array => sequence(oid(type), setOf(value));
    const cri = rawInfo(cn('gw.example.com'), spki, [attribute('1.2.840.113549.1.9.7', utf8String('s3cret-pass')), attribute('1.2.840.113549.1.9.2', utf8String('unstructured')), extensionRequest(SAN(HOST))]);
    expect(await signOutcome(ecCsrOfInfo(cri))).toBe('signed');
    const text = (await openssl(['x509', '-in', at(`r${serial - 1}.pem`), '-noout', '-text'])).stdout;
    expect(text).not.toMatch(/s3cret-pass|unstructured/);
  });
});

describe('crafted keys through hapki sign', () => {
  const keyCsr = async (keyArgs: string[], name: string, reqArgs: string[] = []): Promise<string> => {
    await openssl(['genpkey', ...keyArgs, '-out', at(`${name}.key`)]);
    await openssl(['req', '-new', '-key', at(`${name}.key`), '-subj', '/CN=gw.example.com', '-addext', 'subjectAltName=DNS:gw.example.com', ...reqArgs, '-out', at(`${name}.csr`)]);
    return at(`${name}.csr`);
  };

  it('Ed448 signs (openssl verifies); RSA 1024 is ERR_POLICY (--allow-weak signs it); DSA is refused', async () => {
    expect(await signOutcome(await keyCsr(['-algorithm', 'ED448'], 'ed448'))).toBe('signed');
    expect(await signOutcome(await keyCsr(['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024'], 'rsa1024'))).toBe('ERR_POLICY');
    await openssl(['genpkey', '-genparam', '-algorithm', 'DSA', '-pkeyopt', 'dsa_paramgen_bits:2048', '-out', at('dsa.param')]);
    await openssl(['genpkey', '-paramfile', at('dsa.param'), '-out', at('dsa.key')]);
    await openssl(['req', '-new', '-key', at('dsa.key'), '-subj', '/CN=gw.example.com', '-out', at('dsa.csr')]);
    expect(await signOutcome(at('dsa.csr'))).toBe('ERR_UNSUPPORTED_ALGORITHM');
  }, 60_000);

  it('an EC key with explicit curve parameters (openssl -param_enc explicit) is refused', async () => {
    await openssl(['ecparam', '-name', 'prime256v1', '-param_enc', 'explicit', '-genkey', '-noout', '-out', at('explicit.key')]);
    await openssl(['req', '-new', '-key', at('explicit.key'), '-subj', '/CN=gw.example.com', '-out', at('explicit.csr')]);
    expect((await openssl(['req', '-in', at('explicit.csr'), '-noout', '-text'])).stdout).toMatch(/Field Type: prime-field/);
    expect(await signOutcome(at('explicit.csr'))).toBe('ERR_UNSUPPORTED_ALGORITHM');
  });

  it('the EC point at infinity, X25519 and X448 keys (which cannot sign) are refused', async () => {
    const signature = bitString(new Uint8Array(randomBytes(64)));
    const withSpki = (spki: Uint8Array, algorithm: Uint8Array): Uint8Array => {
      const cri = rawInfo(cn('gw.example.com'), spki, []);
      return sequence(cri, algorithm, signature);
    };
    const infinity = sequence(sequence(oid('1.2.840.10045.2.1'), oid('1.2.840.10045.3.1.7')), bitString(Uint8Array.of(0)));
    expect(await signOutcome(withSpki(infinity, ECDSA_SHA256))).toBe('ERR_WEAK_KEY');
    for (const type of ['x25519', 'x448'] as const) {
      const spki = new Uint8Array(generateKeyPairSync(type as 'x25519').publicKey.export({ format: 'der', type: 'spki' }));
      expect(await signOutcome(withSpki(spki, sequence(oid('1.3.101.112')))), type).toBe('ERR_UNSUPPORTED_ALGORITHM');
    }
  });

  it('an RSA exponent that is even, or over 2^256, is ERR_WEAK_KEY', async () => {
    const n = new Uint8Array(Buffer.from(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }).n!, 'base64url'));
    for (const e of [integer(65538), unsignedInteger(Uint8Array.from([1, ...new Uint8Array(31), 1]))]) {
      const spki = sequence(sequence(oid('1.2.840.113549.1.1.1'), nullValue()), bitString(sequence(unsignedInteger(n), e)));
      const cri = rawInfo(cn('gw.example.com'), spki, []);
      expect(await signOutcome(sequence(cri, RSA_SHA256, bitString(new Uint8Array(256).fill(7))))).toBe('ERR_WEAK_KEY');
    }
  });
});

