import { beforeAll, describe, expect, it } from 'vitest';
import { constants, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { bitString, integer, nullValue, oid, sequence, setOf, tlv, unsignedInteger, utf8String } from '../../src/asn1/der_writer.js';
import { Tag, TagClass } from '../../src/asn1/der_reader.js';
import { createCa } from '../../src/issue/create_ca.js';
import { issuerFromEntry, type Issuer } from '../../src/issue/issuer.js';
import { signCsr } from '../../src/issue/sign_csr.js';
import { parseSan } from '../../src/issue/san.js';
import { readTbs } from '../../src/cert/tbs.js';
import { sansOfExtension } from '../../src/issue/san_extension.js';
import { cn, csrSignedAs, dnsNames, ecCsr, ecCsrOfInfo, ecTestKey, ECDSA_SHA256, extensionRequest, RSA_SHA256, rawInfo } from './crafted_csr.js';
import { keyUsageHas } from '../../src/cert/basic_constraints.js';

/**
 * Requests a certificate linter (zlint, pkilint, x509lint), openssl or keytool would trip on once
 * signed: each is refused with one coded error, or issued in the form the linters accept.
 */

let root: Issuer;

beforeAll(async () => {
  root = await issuerFromEntry((await createCa({ subject: 'CN=Lint Root,O=Example', key: { kty: 'ec', curve: 'P-256' } })).entry);
});

const refused = (code: string, message?: RegExp) => expect.objectContaining({ code, ...(message ? { message: expect.stringMatching(message) } : {}) });
const attr = (type: string, value: Uint8Array): Uint8Array => sequence(oid(type), value);
const name = (...atvs: Uint8Array[]): Uint8Array => sequence(...atvs.map((atv) => setOf(atv)));
const CN = (text: string): Uint8Array => attr('2.5.4.3', utf8String(text));
const sansOf = (certificate: Uint8Array): string[] => sansOfExtension(readTbs(certificate).extensions.get('2.5.29.17')?.value).sans.map((s) => s.value);

describe('the request\'s structure: nothing some reader sees and another does not', () => {
  it('a field after the attributes, or a part after the signature, is refused', async () => {
    const { spki } = ecTestKey();
    await expect(signCsr(ecCsrOfInfo(rawInfo(cn('t.example.com'), spki, [], integer(5))), root)).rejects.toThrow(refused('ERR_CSR_FORMAT', /fields after its attributes/));
    await expect(signCsr(ecCsrOfInfo(rawInfo(cn('t.example.com'), spki, []), integer(1)), root)).rejects.toThrow(refused('ERR_INVALID_ARGUMENT', /three parts/));
    await expect(signCsr(ecCsrOfInfo(rawInfo(cn('t.example.com'), spki, [])), root)).resolves.toBeDefined();
  });

  it('an unknown extension that is not DER is named once, by its OID', async () => {
    const { spki } = ecTestKey();
    const ber = rawInfo(cn('t.example.com'), spki, [extensionRequest({ oid: '1.2.3.9', value: Uint8Array.of(0x30, 0x81, 0x02, 0x05, 0x00) })]);
    await expect(signCsr(ecCsrOfInfo(ber), root)).rejects.toThrow(refused('ERR_CSR_FORMAT', /^the request's 1\.2\.3\.9 extension is not DER/));
  });

  it('two extensionRequest attributes (the second smuggling a name) are refused', async () => {
    const { spki } = ecTestKey();
    const twice = rawInfo(cn('t.example.com'), spki, [extensionRequest(dnsNames('t.example.com')), extensionRequest(dnsNames('b.evil.com'))]);
    await expect(signCsr(ecCsrOfInfo(twice), root)).rejects.toThrow(refused('ERR_CSR_FORMAT', /more than one extensionRequest/));
  });
});

describe('the request\'s signature algorithm in its one encoding', () => {
  it('an ECDSA algorithm with NULL parameters is ERR_CSR_FORMAT (RFC 5758: absent)', async () => {
    const { spki, privateKey } = ecTestKey();
    const cri = rawInfo(cn('t.example.com'), spki, []);
    const csr = sequence(cri, sequence(oid('1.2.840.10045.4.3.2'), nullValue()), bitString(new Uint8Array(sign('sha256', cri, privateKey))));
    await expect(signCsr(csr, root)).rejects.toThrow(refused('ERR_CSR_FORMAT', /ecdsa-with-SHA256 signature algorithm has parameters/));
  });

  it('sha256WithRSAEncryption with parameters other than NULL, and RSASSA-PSS with a field at its DEFAULT, are ERR_CSR_FORMAT; absent or NULL parameters sign', async () => {
    const rsaAlg = (...params: Uint8Array[]): Uint8Array => sequence(oid('1.2.840.113549.1.1.11'), ...params);
    await expect(signCsr(csrSignedAs('rsa', rsaAlg(integer(0)), 'sha256'), root)).rejects.toThrow(refused('ERR_CSR_FORMAT', /PKCS#1 v1\.5 parameters are not NULL/));
    await expect(signCsr(csrSignedAs('rsa', rsaAlg(nullValue(), nullValue()), 'sha256'), root)).rejects.toThrow(refused('ERR_CSR_FORMAT', /more than one parameter/));
    await expect(signCsr(csrSignedAs('rsa', rsaAlg(nullValue()), 'sha256'), root)).resolves.toBeDefined();
    await expect(signCsr(csrSignedAs('rsa', rsaAlg(), 'sha256'), root)).resolves.toBeDefined();
    // RSASSA-PSS over SHA-256, salt 32, and trailerField 1 written out (DER omits a DEFAULT)
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const spki = new Uint8Array(pair.publicKey.export({ format: 'der', type: 'spki' }));
    const sha256 = sequence(oid('2.16.840.1.101.3.4.2.1'), nullValue());
    const ctx = (n: number, inner: Uint8Array): Uint8Array => tlv(n, inner, { cls: TagClass.context, constructed: true });
    const pss = (...extra: Uint8Array[]): Uint8Array => sequence(oid('1.2.840.113549.1.1.10'), sequence(ctx(0, sha256), ctx(1, sequence(oid('1.2.840.113549.1.1.8'), sha256)), ctx(2, integer(32)), ...extra));
    const cri = rawInfo(cn('pss.example.com'), spki, []);
    const signature = bitString(new Uint8Array(sign('sha256', cri, { key: pair.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 })));
    await expect(signCsr(sequence(cri, pss(ctx(3, integer(1))), signature), root)).rejects.toThrow(refused('ERR_CSR_FORMAT', /field \[3\] is written out at its default value/));
    await expect(signCsr(sequence(cri, pss(), signature), root)).resolves.toBeDefined();
  });
});

describe('the key goes in as certificates carry it', () => {
  it('a compressed EC point is refused (RFC 5480, BR 7.1.3.1.2; keytool cannot read the certificate)', async () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = pair.publicKey.export({ format: 'jwk' });
    const x = Buffer.from(jwk.x!, 'base64url');
    const y = Buffer.from(jwk.y!, 'base64url');
    const point = Uint8Array.from([0x02 | (y[y.length - 1]! & 1), ...x]);
    const spki = sequence(sequence(oid('1.2.840.10045.2.1'), oid('1.2.840.10045.3.1.7')), bitString(point));
    expect(createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).asymmetricKeyType).toBe('ec');
    const cri = rawInfo(cn('t.example.com'), spki, []);
    const csr = sequence(cri, ECDSA_SHA256, bitString(new Uint8Array(sign('sha256', cri, pair.privateKey))));
    await expect(signCsr(csr, root)).rejects.toThrow(refused('ERR_CSR_FORMAT', /compressed/));
  });
});

describe('subject strings every reader decodes the same way, of the type their attribute allows', () => {
  it('a BMPString with a lone surrogate (openssl cannot load the certificate) is refused', async () => {
    const subject = name(CN('t.example.com'), attr('2.5.4.10', tlv(Tag.bmpString, Uint8Array.of(0xd8, 0x00, 0x00, 0x41))));
    await expect(signCsr(ecCsr(subject), root)).rejects.toThrow(refused('ERR_POLICY', /O BMPString with surrogate/));
    await expect(signCsr(ecCsr(name(CN('t.example.com'), attr('2.5.4.10', tlv(Tag.bmpString, Uint8Array.of(0, 0x41, 0, 0x42))))), root)).resolves.toBeDefined();
  });

  it('a TeletexString with bytes over 0x7F (Latin-1 to openssl, an error to others) is refused', async () => {
    const subject = name(CN('t.example.com'), attr('2.5.4.10', tlv(Tag.t61String, Uint8Array.of(0x43, 0x61, 0x66, 0xe9))));
    await expect(signCsr(ecCsr(subject), root)).rejects.toThrow(refused('ERR_POLICY', /TeletexString with bytes over 0x7F/));
  });

  it('DC is an IA5String, serialNumber and dnQualifier PrintableStrings', async () => {
    await expect(signCsr(ecCsr(name(attr('0.9.2342.19200300.100.1.25', utf8String('com')), CN('t.example.com'))), root)).rejects.toThrow(refused('ERR_POLICY', /DC value that is not an IA5String/));
    await expect(signCsr(ecCsr(name(CN('t.example.com'), attr('2.5.4.5', utf8String('1234')))), root)).rejects.toThrow(refused('ERR_POLICY', /not a PrintableString/));
    await expect(signCsr(ecCsr(name(CN('t.example.com'), attr('2.5.4.5', tlv(Tag.printableString, Uint8Array.from(Buffer.from('1234')))))), root)).resolves.toBeDefined();
  });
});

describe('names: a CN that names a host is a copy of a SAN, and no SAN ends in a dot', () => {
  it('a DNS name with two trailing dots is refused (one is the root\'s and goes), from the request and from --san', async () => {
    await expect(signCsr(ecCsr(cn('Client X'), [dnsNames('a.example.com..')]), root, { profile: 'client' })).rejects.toThrow(refused('ERR_POLICY', /empty label/));
    expect(() => parseSan('a.example.com..')).toThrow(refused('ERR_INVALID_ARGUMENT', /empty label/));
    expect(sansOf((await signCsr(ecCsr(cn('Client X'), [dnsNames('a.example.com.')]), root, { profile: 'client' })).certificate)).toEqual(['a.example.com']);
  });

  it('a CN with the root\'s trailing dot is refused: its SAN would be spelled otherwise', async () => {
    await expect(signCsr(ecCsr(cn('t.example.com.')), root)).rejects.toThrow(refused('ERR_POLICY', /CN is a host name not written as the subject alternative name/));
  });

  it('a CN asked for in another case than the request\'s SAN goes in as the CN spells it', async () => {
    const signed = await signCsr(ecCsr(cn('T.Example.com'), [dnsNames('t.example.com', 'u.example.com')]), root);
    expect(sansOf(signed.certificate)).toEqual(['T.Example.com', 'u.example.com']);
    const extra = await signCsr(ecCsr(cn('v.example.com')), root, { sans: [parseSan('V.EXAMPLE.COM')] });
    expect(sansOf(extra.certificate)).toEqual(['v.example.com']);
  });

  it('an IPv6 CN not in its RFC 5952 form is refused (the SAN is canonical)', async () => {
    await expect(signCsr(ecCsr(cn('2001:DB8::1')), root)).rejects.toThrow(refused('ERR_POLICY', /canonical form/));
    expect(sansOf((await signCsr(ecCsr(cn('2001:db8::1')), root)).certificate)).toEqual(['2001:db8::1']);
  });
});

describe('RSA key sizes a validator accepts', () => {
  it('a modulus that is no whole number of bytes (2052 bits) is ERR_WEAK_KEY, --allow-weak or not: hapki verify refuses such a certificate', async () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2052 });
    const cri = rawInfo(cn('odd.example.com'), new Uint8Array(pair.publicKey.export({ format: 'der', type: 'spki' })), []);
    const csr = sequence(cri, RSA_SHA256, bitString(new Uint8Array(sign('sha256', cri, pair.privateKey))));
    await expect(signCsr(csr, root)).rejects.toThrow(refused('ERR_WEAK_KEY', /2052 bits, not a whole number of bytes/));
    await expect(signCsr(csr, root, { allowWeak: true })).rejects.toThrow(refused('ERR_WEAK_KEY'));
  });

  it('a modulus over the 16384-bit bound is the request\'s fault (ERR_CSR_FORMAT), not a keystore\'s', async () => {
    // an odd 16392-bit number without small factors: only the size bound can refuse it
    let n = (1n << 16391n) | 1n;
    while ([3n, 5n, 7n, 11n, 13n].some((p) => n % p === 0n) || !smallFactorFree(n)) n += 2n;
    const hex = n.toString(16);
    const rsaPublicKey = sequence(unsignedInteger(Uint8Array.from(Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex'))), integer(65537));
    const spki = sequence(sequence(oid('1.2.840.113549.1.1.1'), nullValue()), bitString(rsaPublicKey));
    const cri = rawInfo(cn('big.example.com'), spki, []);
    const csr = sequence(cri, RSA_SHA256, bitString(new Uint8Array(2049)));
    await expect(signCsr(csr, root)).rejects.toThrow(refused('ERR_CSR_FORMAT', /out of bounds: RSA modulus of 16392 bits/));
  });
});

function smallFactorFree(n: bigint): boolean {
  for (let p = 3n; p < 2000n; p += 2n) if (n % p === 0n) return false;
  return true;
}

describe('key usage follows what the key can do', () => {
  it('the token profile gives an EC key digitalSignature only (RFC 5480 forbids it keyEncipherment and dataEncipherment); RSA keeps all three', async () => {
    const usage = (certificate: Uint8Array): number[] => [0, 1, 2, 3, 4].filter((bit) => keyUsageHas(readTbs(certificate).extensions.get('2.5.29.15')!, bit));
    expect(usage((await signCsr(ecCsr(cn('token.example.com')), root, { profile: 'token' })).certificate)).toEqual([0]);
    expect(usage((await signCsr(csrSignedAs('rsa', RSA_SHA256, 'sha256', cn('token.example.com')), root, { profile: 'token' })).certificate)).toEqual([0, 2, 3]);
  });
});

describe('a CA certificate has a name', () => {
  it('a request with an empty subject is signed as a leaf (its SAN critical) but never as a CA (RFC 5280 4.1.2.6)', async () => {
    const empty = ecCsr(sequence(), [dnsNames('t.example.com')]);
    await expect(signCsr(empty, root, { profile: 'ca' })).rejects.toThrow(refused('ERR_POLICY', /CA certificate needs a subject/));
    await expect(signCsr(empty, root, { profile: 'ca', subject: 'CN=Named Sub CA' })).resolves.toBeDefined();
    await expect(signCsr(empty, root)).resolves.toBeDefined();
  });
});

describe('options the profile has no use for', () => {
  it('a path length for a leaf profile is refused, not silently dropped', async () => {
    await expect(signCsr(ecCsr(cn('t.example.com')), root, { pathLength: 3 })).rejects.toThrow(refused('ERR_INVALID_ARGUMENT', /path length/));
    await expect(signCsr(ecCsr(cn('Sub CA')), root, { profile: 'ca', pathLength: 0 })).resolves.toBeDefined();
  });
});
