import { beforeAll, describe, expect, it } from 'vitest';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { bitString, integer, nullValue, octetString, oid, sequence, setOf, tlv, unsignedInteger, utf8String } from '../../src/asn1/der_writer.js';
import { nameConstraintsValue, parseNamePolicy } from '../../src/issue/name_policy.js';
import { encodeName } from '../../src/cert/dn.js';
import { nodeSigner } from '../../src/crypto/node_signer.js';
import { buildCertificate } from '../../src/issue/build_certificate.js';
import { createCa } from '../../src/issue/create_ca.js';
import { issuerFromEntry, type Issuer } from '../../src/issue/issuer.js';
import { signCsr } from '../../src/issue/sign_csr.js';
import { ascii, cn, context, csrSignedAs, csrWithSpki, dnsNames, ecCsr, ECDSA_SHA256, generalNames, RSA_SHA256 } from './crafted_csr.js';

/** What an auditor or an attacker tries against the CA beyond the first round (request_checks.test.ts). */

let root: Issuer;

beforeAll(async () => {
  root = await issuerFromEntry((await createCa({ subject: 'CN=Hardening Root,O=Example', key: { kty: 'ec', curve: 'P-256' } })).entry);
});

const refused = (code: string, message?: RegExp) => expect.objectContaining({ code, ...(message ? { message: expect.stringMatching(message) } : {}) });

describe('the request signature: proof of possession over a sound hash, under the key\'s own algorithm', () => {
  it('refuses SHA-1 and MD5 signed requests (RSA and ECDSA) with ERR_WEAK_SIGNATURE', async () => {
    await expect(signCsr(csrSignedAs('rsa', sequence(oid('1.2.840.113549.1.1.5'), nullValue()), 'sha1'), root)).rejects.toThrow(refused('ERR_WEAK_SIGNATURE', /sha1WithRSAEncryption/));
    await expect(signCsr(csrSignedAs('rsa', sequence(oid('1.2.840.113549.1.1.4'), nullValue()), 'md5'), root)).rejects.toThrow(refused('ERR_WEAK_SIGNATURE', /md5WithRSAEncryption/));
    await expect(signCsr(csrSignedAs('ec', sequence(oid('1.2.840.10045.4.1')), 'sha1'), root)).rejects.toThrow(refused('ERR_WEAK_SIGNATURE', /ecdsa-with-SHA1/));
  });

  it('refuses a signature labelled with another key type\'s algorithm (RSA PKCS#1 called ECDSA) with ERR_CSR_SIGNATURE', async () => {
    // the signature is the RSA key's own, over SHA-256: only the label lies
    await expect(signCsr(csrSignedAs('rsa', ECDSA_SHA256, 'sha256'), root)).rejects.toThrow(refused('ERR_CSR_SIGNATURE'));
    await expect(signCsr(csrSignedAs('ec', RSA_SHA256, 'sha256'), root)).rejects.toThrow(refused('ERR_CSR_SIGNATURE'));
  });

  it('an algorithm hapki cannot check is ERR_UNSUPPORTED_ALGORITHM, not a bad signature', async () => {
    await expect(signCsr(csrSignedAs('ec', sequence(oid('1.2.3.4.5')), 'sha256'), root)).rejects.toThrow(refused('ERR_UNSUPPORTED_ALGORITHM', /1\.2\.3\.4\.5/));
    await expect(signCsr(csrSignedAs('rsa', sequence(oid('1.2.840.10040.4.3')), 'sha1'), root)).rejects.toThrow(refused('ERR_UNSUPPORTED_ALGORITHM', /dsa-with-sha1/));
  });

  it('still signs the honest forms', async () => {
    await expect(signCsr(csrSignedAs('rsa', RSA_SHA256, 'sha256'), root)).resolves.toBeDefined();
    await expect(signCsr(csrSignedAs('ec', ECDSA_SHA256, 'sha256'), root)).resolves.toBeDefined();
  });
});

describe('the subject: every name in it is judged, and it keeps to the profile', () => {
  const policy = parseNamePolicy({ domains: ['example.com'], ipRanges: ['10.0.0.0/8'] });
  const name = (...atvs: Uint8Array[]): Uint8Array => sequence(...atvs.map((atv) => setOf(atv)));
  const attr = (type: string, value: Uint8Array): Uint8Array => sequence(oid(type), value);
  const CN = (text: string): Uint8Array => attr('2.5.4.3', utf8String(text));

  it('a second CN, in its own RDN or in a multi-valued one, is refused whatever order (only one would be checked)', async () => {
    for (const subject of [name(CN('m.example.com'), CN('evil.com')), name(CN('evil.com'), CN('m.example.com')), sequence(setOf(CN('m.example.com'), CN('evil.com')))]) {
      await expect(signCsr(ecCsr(subject), root)).rejects.toThrow(refused('ERR_POLICY', /more than one CN|more than one attribute/));
      await expect(signCsr(ecCsr(subject), root, { namePolicy: policy, allowAnyName: true })).rejects.toThrow(refused('ERR_POLICY'));
    }
  });

  it('a CN that is an IP address becomes an IP SAN and meets the policy', async () => {
    await expect(signCsr(ecCsr(cn('192.168.1.1')), root, { namePolicy: policy })).rejects.toThrow(refused('ERR_POLICY', /IP:192\.168\.1\.1/));
    const signed = await signCsr(ecCsr(cn('10.1.2.3')), root, { namePolicy: policy });
    expect(signed.sans).toEqual([{ type: 'ip', value: '10.1.2.3' }]);
  });

  it('a one-label CN a client may fall back to ("localhost") meets the policy of a server certificate', async () => {
    await expect(signCsr(ecCsr(cn('localhost')), root, { namePolicy: policy })).rejects.toThrow(refused('ERR_POLICY', /DNS:localhost/));
    await expect(signCsr(ecCsr(cn('localhost')), root, { namePolicy: policy, profile: 'token' })).rejects.toThrow(refused('ERR_POLICY', /DNS:localhost/));
    // not a host name a server certificate is matched against: a client's or a CA's name
    await expect(signCsr(ecCsr(cn('alice')), root, { namePolicy: policy, profile: 'client' })).resolves.toBeDefined();
    await expect(signCsr(ecCsr(cn('Evil Corp')), root, { namePolicy: policy, profile: 'client' })).resolves.toBeDefined();
  });

  it('a server certificate names a host: a request whose CN is no host name needs a --san', async () => {
    for (const profile of ['server', 'server-client'] as const) {
      await expect(signCsr(ecCsr(cn('Evil Corp')), root, { namePolicy: policy, profile }), profile).rejects.toThrow(refused('ERR_POLICY', /needs a host name or an IP address/));
      const signed = await signCsr(ecCsr(cn('Evil Corp')), root, { namePolicy: policy, profile, sans: [{ type: 'dns', value: 'gw.example.com' }] });
      expect(signed.sans).toEqual([{ type: 'dns', value: 'gw.example.com' }]);
    }
    // an e-mail address or a URI serves no TLS host
    await expect(signCsr(ecCsr(cn('Evil Corp')), root, { profile: 'server', sans: [{ type: 'email', value: 'ops@example.com' }] })).rejects.toThrow(refused('ERR_POLICY', /needs a host name/));
    // a client, a token or a CA certificate needs no host name
    for (const profile of ['client', 'token'] as const) await expect(signCsr(ecCsr(cn('Evil Corp')), root, { profile }), profile).resolves.toBeDefined();
  });

  it('with --replace-san the CN is still checked against the policy, though it is no SAN', async () => {
    for (const host of ['EVIL.COM', 'evil.com.', '192.168.1.1']) {
      await expect(signCsr(ecCsr(cn(host)), root, { namePolicy: policy, replaceSans: true, sans: [{ type: 'dns', value: 'ok.example.com' }] })).rejects.toThrow(refused('ERR_POLICY', /outside this CA's policy/));
    }
    const signed = await signCsr(ecCsr(cn('gw.example.com')), root, { namePolicy: policy, replaceSans: true, sans: [{ type: 'dns', value: 'ok.example.com' }] });
    expect(signed.sans).toEqual([{ type: 'dns', value: 'ok.example.com' }]);
  });

  it('an emailAddress attribute meets the policy and must be an address', async () => {
    const withEmail = (address: string): Uint8Array => name(CN('m.example.com'), attr('1.2.840.113549.1.9.1', tlv(22, ascii(address))));
    await expect(signCsr(ecCsr(withEmail('x@evil.com')), root, { namePolicy: policy })).rejects.toThrow(refused('ERR_POLICY', /email:x@evil\.com/));
    await expect(signCsr(ecCsr(withEmail('not an address')), root)).rejects.toThrow(refused('ERR_POLICY', /emailAddress/));
    await expect(signCsr(ecCsr(withEmail('ops@example.com')), root, { namePolicy: policy })).resolves.toBeDefined();
  });

  it('values keep to RFC 5280 upper bounds, C is two capitals, no leading or trailing space', async () => {
    await expect(signCsr(ecCsr(name(CN('l.example.com'), attr('2.5.4.10', utf8String('O'.repeat(65))))), root)).rejects.toThrow(refused('ERR_POLICY', /O value longer than the 64/));
    await expect(signCsr(ecCsr(name(CN(`${'a'.repeat(60)}.example.com`))), root)).rejects.toThrow(refused('ERR_POLICY', /CN value longer than the 64/));
    await expect(signCsr(ecCsr(name(CN('c.example.com'), attr('2.5.4.7', utf8String('x'.repeat(300))))), root)).rejects.toThrow(refused('ERR_POLICY', /L value longer/));
    for (const country of ['USA', 'us', 'U1']) {
      await expect(signCsr(ecCsr(name(attr('2.5.4.6', tlv(19, ascii(country))), CN('c.example.com'))), root)).rejects.toThrow(refused('ERR_POLICY', /C value/));
    }
    await expect(signCsr(ecCsr(name(attr('2.5.4.6', utf8String('DE')), CN('c.example.com'))), root)).rejects.toThrow(refused('ERR_POLICY', /C value/));
    await expect(signCsr(ecCsr(name(CN(' lead.example.com'))), root)).rejects.toThrow(refused('ERR_POLICY', /leading or trailing white space/));
    const ok = await signCsr(ecCsr(name(attr('2.5.4.6', tlv(19, ascii('DE'))), attr('2.5.4.10', utf8String('Example GmbH')), CN('c.example.com'))), root);
    expect(ok.subject).toBe('CN=c.example.com, O=Example GmbH, C=DE');
  });

  it('a subject matching the issuer\'s name under RFC 5280 comparison (case, spaces, string type) is refused', async () => {
    const spoof = name(attr('2.5.4.10', tlv(19, ascii('EXAMPLE'))), CN('hardening  root'));
    await expect(signCsr(ecCsr(spoof), root)).rejects.toThrow(refused('ERR_POLICY', /issuing CA's own name/));
  });
});

describe('names in canonical form', () => {
  it('a requested DNS name with the root\'s trailing dot goes in without it, once', async () => {
    const signed = await signCsr(ecCsr(cn('x.example.com'), [dnsNames('trail.example.com.', 'trail.example.com')]), root);
    expect(signed.sans).toEqual([
      { type: 'dns', value: 'trail.example.com' },
      { type: 'dns', value: 'x.example.com' },
    ]);
  });
});

describe('a request must be DER, as what is signed and certified', () => {
  const der = (): Uint8Array => ecCsr(cn('der.example.com'));
  /** The same request with its outer length re-encoded: `head` replaces the tag and length octets. */
  const reframe = (csr: Uint8Array, head: (length: number) => number[], tail: number[] = []): Uint8Array => {
    const headerLength = csr[1]! < 0x80 ? 2 : 2 + (csr[1]! & 0x7f);
    const body = csr.subarray(headerLength);
    return Uint8Array.from([...head(body.length), ...body, ...tail]);
  };

  it('refuses an indefinite (BER) or non-minimal length with ERR_CSR_FORMAT, though the signature is good', async () => {
    await expect(signCsr(reframe(der(), () => [0x30, 0x80], [0, 0]), root)).rejects.toThrow(refused('ERR_CSR_FORMAT', /indefinite length/));
    await expect(signCsr(reframe(der(), (n) => [0x30, 0x83, 0, n >> 8, n & 0xff]), root)).rejects.toThrow(refused('ERR_CSR_FORMAT', /leading zero/));
    await expect(signCsr(reframe(der(), (n) => (n < 0x80 ? [0x30, n] : [0x30, 0x81, n])), root)).resolves.toBeDefined();
  });

  it('refuses an extension value that is not DER (non-minimal INTEGER, BOOLEAN 01), naming the extension', async () => {
    const pathLen = { oid: '2.5.29.19', value: Uint8Array.of(0x30, 0x04, 0x02, 0x02, 0x00, 0x01) };
    await expect(signCsr(ecCsr(cn('der.example.com'), [pathLen]), root)).rejects.toThrow(refused('ERR_CSR_FORMAT', /basicConstraints extension is not DER: an INTEGER/));
    const caTrueBer = { oid: '2.5.29.19', value: Uint8Array.of(0x30, 0x03, 0x01, 0x01, 0x01) };
    await expect(signCsr(ecCsr(cn('der.example.com'), [caTrueBer]), root)).rejects.toThrow(refused('ERR_CSR_FORMAT', /BOOLEAN/));
  });
});

describe('the IP policy is per address family', () => {
  it('an IPv4-mapped IPv6 address is not inside an IPv4 range (a sub-CA\'s IPv4 constraints would not cover it)', async () => {
    const policy = parseNamePolicy({ domains: ['example.com'], ipRanges: ['10.0.0.0/8'] });
    const mapped = generalNames(context(7, Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1])));
    await expect(signCsr(ecCsr(cn('m.example.com'), [mapped]), root, { namePolicy: policy })).rejects.toThrow(refused('ERR_POLICY', /IP:::ffff:/));
    const v4 = generalNames(context(7, Uint8Array.of(10, 0, 0, 1)));
    await expect(signCsr(ecCsr(cn('m.example.com'), [v4]), root, { namePolicy: policy })).resolves.toBeDefined();
  });
});

describe('what the CA issues without a request (a sub-CA, a token certificate) meets the same subject rules', () => {
  it('a sub-CA named like its issuer, or with an escape sequence in its name, is refused', async () => {
    await expect(createCa({ subject: 'CN=Hardening Root,O=Example', key: { kty: 'ec' }, issuer: root })).rejects.toThrow(refused('ERR_POLICY', /issuing CA's own name/));
    await expect(createCa({ subject: 'CN=hardening root,O=EXAMPLE', key: { kty: 'ec' }, issuer: root })).rejects.toThrow(refused('ERR_POLICY', /issuing CA's own name/));
    await expect(createCa({ subject: 'CN=Sub\u001b[8m CA', key: { kty: 'ec' }, issuer: root })).rejects.toThrow(refused('ERR_POLICY', /control/));
    await expect(createCa({ subject: 'CN=Hardening Sub,O=Example', key: { kty: 'ec' }, issuer: root })).resolves.toBeDefined();
  });
});

describe('URIs mean one host, however they are parsed', () => {
  const policy = parseNamePolicy({ domains: ['example.com'] });
  const uri = (value: string) => generalNames(context(6, ascii(value)));

  it('a backslash, user information or a percent-encoded host (parser differentials past the policy) is refused', async () => {
    // WHATWG reads the host of the first as good.example.com; an RFC 3986 parser as evil.com
    for (const value of ['https://good.example.com\\@evil.com/', 'https://good.example.com:443@evil.com/', 'https://user@good.example.com/', 'https://good%2eexample.com/', 'https://good.example.com/%zz']) {
      await expect(signCsr(ecCsr(cn('u.example.com'), [uri(value)]), root, { namePolicy: policy })).rejects.toThrow(refused('ERR_POLICY', /URI:/));
    }
  });

  it('plain URIs still go in', async () => {
    const signed = await signCsr(ecCsr(cn('u.example.com'), [generalNames(context(6, ascii('https://good.example.com:8443/a?b=c')), context(6, ascii('spiffe://example.com/ns/default/sa/web')))]), root, { namePolicy: policy });
    expect(signed.sans.filter((s) => s.type === 'uri').map((s) => s.value)).toEqual(['https://good.example.com:8443/a?b=c', 'spiffe://example.com/ns/default/sa/web']);
  });
});

describe('the issuing CA\'s own name constraints', () => {
  it('a sub-CA constrained to example.com refuses other names even with no policy or --allow-any-name', async () => {
    const constraints = nameConstraintsValue(parseNamePolicy({ domains: ['example.com'], ipRanges: ['10.0.0.0/8'] }));
    const sub = await createCa({ subject: 'CN=Constrained Sub', key: { kty: 'ec' }, issuer: root, pathLength: 0, extraExtensions: [{ oid: '2.5.29.30', critical: true, value: constraints }] });
    const subIssuer = await issuerFromEntry(sub.entry);
    await expect(signCsr(ecCsr(cn('evil.com')), subIssuer)).rejects.toThrow(refused('ERR_POLICY', /name constraints forbid.*evil\.com/));
    await expect(signCsr(ecCsr(cn('ok.example.com')), subIssuer, { sans: [{ type: 'ip', value: '192.168.1.1' }], allowAnyName: true, namePolicy: parseNamePolicy({ domains: ['example.com'] }) })).rejects.toThrow(refused('ERR_POLICY', /name constraints forbid/));
    const signed = await signCsr(ecCsr(cn('ok.example.com')), subIssuer, { sans: [{ type: 'ip', value: '10.0.0.7' }] });
    expect(signed.sans.map((s) => s.value)).toEqual(['ok.example.com', '10.0.0.7']);
  });
});

describe('the request\'s SubjectPublicKeyInfo goes into the certificate as it is, so it must be in standard form', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = rsa.publicKey.export({ format: 'jwk' });
  const n = new Uint8Array(Buffer.from(jwk.n!, 'base64url'));
  const rsaKey = (algorithm: Uint8Array, numbers: Uint8Array, unusedBits = 0): Uint8Array => sequence(algorithm, tlv(3, Uint8Array.from([unusedBits, ...numbers])));
  const numbers = sequence(unsignedInteger(n), integer(65537));
  const RSA_ALG = sequence(oid('1.2.840.113549.1.1.1'), nullValue());

  it('refuses rsaEncryption without NULL parameters, unused bits, and an RSAPublicKey that is not DER: ERR_CSR_FORMAT', async () => {
    const cases: [Uint8Array, RegExp][] = [
      [rsaKey(sequence(oid('1.2.840.113549.1.1.1')), numbers), /parameters are not NULL/],
      [rsaKey(sequence(oid('1.2.840.113549.1.1.1'), octetString(Uint8Array.of(1))), numbers), /parameters are not NULL/],
      [rsaKey(RSA_ALG, numbers, 3), /unused bits/],
      [rsaKey(RSA_ALG, sequence(tlv(2, Uint8Array.from([0, 0, ...n])), integer(65537))), /RSAPublicKey is not DER/],
    ];
    for (const [spki, reason] of cases) {
      await expect(signCsr(csrWithSpki(spki, rsa.privateKey, RSA_SHA256, 'sha256'), root)).rejects.toThrow(refused('ERR_CSR_FORMAT', reason));
    }
    await expect(signCsr(csrWithSpki(rsaKey(RSA_ALG, numbers), rsa.privateKey, RSA_SHA256, 'sha256'), root)).resolves.toBeDefined();
  });

  it('refuses an Ed25519 key with parameters and an EC key without a named curve', async () => {
    const ed = generateKeyPairSync('ed25519');
    const raw = new Uint8Array(ed.publicKey.export({ format: 'der', type: 'spki' })).subarray(-32);
    const withParams = sequence(sequence(oid('1.3.101.112'), nullValue()), bitString(raw));
    await expect(signCsr(csrWithSpki(withParams, ed.privateKey, sequence(oid('1.3.101.112')), null), root)).rejects.toThrow(refused('ERR_CSR_FORMAT', /EdDSA keys have no parameters/));
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const point = new Uint8Array(ec.publicKey.export({ format: 'der', type: 'spki' })).subarray(-65);
    const noCurve = sequence(sequence(oid('1.2.840.10045.2.1')), bitString(point));
    await expect(signCsr(csrWithSpki(noCurve, ec.privateKey, ECDSA_SHA256, 'sha256'), root)).rejects.toThrow(refused('ERR_CSR_FORMAT', /names no curve/));
  });
});

describe('bounded requests', () => {
  it('a request asking for more than 250 names is refused before any is checked (ERR_POLICY)', async () => {
    const names = Array.from({ length: 251 }, (_, i) => `h${i}.example.com`);
    await expect(signCsr(ecCsr(cn('many.example.com'), [dnsNames(...names)]), root)).rejects.toThrow(refused('ERR_POLICY', /252 names .* more than the 250/));
    const signed = await signCsr(ecCsr(cn('h0.example.com'), [dnsNames(...names.slice(0, 250))]), root);
    expect(signed.sans).toHaveLength(250);
  });
});

describe('the request signature BIT STRING', () => {
  it('with unused bits (a second encoding of the same signature) is ERR_CSR_FORMAT', async () => {
    const csr = ecCsr(cn('bits.example.com'));
    // the signature is the last element: BIT STRING, a one-octet length reaching the end, the unused-bits octet
    const tampered = Uint8Array.from(csr);
    for (let i = csr.length - 100; i < csr.length - 2; i++) {
      if (csr[i] === 0x03 && csr[i + 1] === csr.length - i - 2 && csr[i + 2] === 0x00) tampered[i + 2] = 0x07;
    }
    expect(tampered).not.toEqual(csr);
    await expect(signCsr(tampered, root)).rejects.toThrow(refused('ERR_CSR_FORMAT', /unused bits/));
  });
});

describe('the CA\'s own identity is not for others', () => {
  it('a request for the issuing CA\'s own key (proof of possession by the CA key) is refused', async () => {
    const made = await createCa({ subject: 'CN=Key Reuse Root', key: { kty: 'ec', curve: 'P-256' } });
    const issuer = await issuerFromEntry(made.entry);
    const privateKey = createPrivateKey({ key: Buffer.from(made.entry.key!), format: 'der', type: 'pkcs8' });
    const spki = new Uint8Array(createPublicKey(privateKey).export({ format: 'der', type: 'spki' }));
    await expect(signCsr(csrWithSpki(spki, privateKey, ECDSA_SHA256, 'sha256', cn('reuse.example.com')), issuer)).rejects.toThrow(refused('ERR_POLICY', /key of the issuing CA/));
    await expect(signCsr(csrWithSpki(spki, privateKey, ECDSA_SHA256, 'sha256', cn('reuse.example.com')), await issuerFromEntry((await createCa({ subject: 'CN=Key Reuse Sub', key: { kty: 'ec' }, issuer })).entry))).rejects.toThrow(refused('ERR_POLICY', /CA above it/));
  });

  it('a subject named like a CA above the issuer (its root) is refused', async () => {
    const sub = await issuerFromEntry((await createCa({ subject: 'CN=Hardening Sub Two', key: { kty: 'ec' }, issuer: root })).entry);
    await expect(signCsr(ecCsr(sequence(setOf(sequence(oid('2.5.4.10'), utf8String('Example'))), setOf(sequence(oid('2.5.4.3'), utf8String('Hardening Root'))))), sub)).rejects.toThrow(refused('ERR_POLICY', /a CA above the issuing one/));
  });
});

describe('the CA\'s own key', () => {
  it('a CA with a 1024-bit RSA key (an imported openssl CA) issues nothing: ERR_WEAK_KEY', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const name = encodeName('CN=Weak Old CA');
    const now = Date.now();
    const certificate = await buildCertificate(
      { subject: name, issuer: name, publicKey: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })), serial: '01', notBefore: new Date(now - 60_000), notAfter: new Date(now + 86_400_000 * 30), ca: true, keyUsage: ['keyCertSign', 'cRLSign'], extendedKeyUsage: [], sans: [] },
      nodeSigner(privateKey),
    );
    const entry = { type: 'private-key' as const, alias: 'ca', key: new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' })), chain: [certificate], created: new Date() };
    const weak = await issuerFromEntry(entry);
    await expect(signCsr(ecCsr(cn('w.example.com')), weak)).rejects.toThrow(refused('ERR_WEAK_KEY', /issuing CA "CN=Weak Old CA" has a 1024-bit RSA key/));
  });
});

describe('validity nests in the issuing CA\'s', () => {
  // regression: a CA whose notBefore was ahead of the clock (imported, or a clock behind) signed
  // certificates starting before it, and the 5-minute backdating put a leaf's start before a CA
  // made a minute earlier without backdating
  it('a CA not valid yet issues nothing (ERR_POLICY); a leaf never starts before its CA', async () => {
    const made = new Date('2031-03-01T12:00:00Z');
    const ca = await issuerFromEntry((await createCa({ subject: 'CN=Nesting Root', key: { kty: 'ec', curve: 'P-256' }, now: made })).entry);
    const caStart = made.getTime() - 5 * 60_000;
    await expect(signCsr(ecCsr(cn('early.example.com')), ca, { now: new Date(caStart - 60_000) })).rejects.toThrow(refused('ERR_POLICY', /not valid before 2031-03-01T11:55:00/));
    const soon = await signCsr(ecCsr(cn('soon.example.com')), ca, { now: new Date(caStart + 60_000) });
    expect(soon.notBefore.getTime()).toBe(caStart);
    const later = await signCsr(ecCsr(cn('later.example.com')), ca, { now: new Date(caStart + 3_600_000) });
    expect(later.notBefore.getTime()).toBe(caStart + 3_600_000 - 5 * 60_000);
    await expect(createCa({ subject: 'CN=Early Sub', key: { kty: 'ec', curve: 'P-256' }, issuer: ca, now: new Date(caStart - 1000) })).rejects.toThrow(refused('ERR_POLICY', /not valid before/));
  });
});
