import { beforeAll, describe, expect, it } from 'vitest';
import { sequence, setOf, oid, utf8String, tlv, octetString } from '../../src/asn1/der_writer.js';
import { readTbs } from '../../src/cert/tbs.js';
import { createCa } from '../../src/issue/create_ca.js';
import { issuerFromEntry, type Issuer } from '../../src/issue/issuer.js';
import { parseNamePolicy } from '../../src/issue/name_policy.js';
import { signCsr } from '../../src/issue/sign_csr.js';
import { ascii, cn, context, dnsNames, ecCsr, generalNames, offCurveCsr, rsaExponentCsr, rsaExponentOneCsr, rsaSmallFactorCsr } from './crafted_csr.js';

let root: Issuer;
let rootPathLen0: Issuer;

beforeAll(async () => {
  const made = await createCa({ subject: 'CN=Crafted Root,O=Example', key: { kty: 'ec', curve: 'P-256' } });
  root = await issuerFromEntry(made.entry);
  rootPathLen0 = await issuerFromEntry((await createCa({ subject: 'CN=Leaf-only Root', key: { kty: 'ec', curve: 'P-256' }, pathLength: 0 })).entry);
});

const refused = (code: string, message?: RegExp) => expect.objectContaining({ code, ...(message ? { message: expect.stringMatching(message) } : {}) });

describe('request key checks', () => {
  it('refuses RSA exponent 1 (a "key" anyone can sign for) and 3 with ERR_WEAK_KEY', async () => {
    await expect(signCsr(rsaExponentOneCsr(), root)).rejects.toThrow(refused('ERR_WEAK_KEY', /exponent 1 /));
    await expect(signCsr(rsaExponentCsr(3), root)).rejects.toThrow(refused('ERR_WEAK_KEY', /exponent 3 /));
  });

  it('refuses an RSA modulus with a factor under 2000 (3, 1009, 1999) with ERR_WEAK_KEY naming it', async () => {
    for (const factor of [3, 1009, 1999]) {
      await expect(signCsr(rsaSmallFactorCsr(factor), root)).rejects.toThrow(refused('ERR_WEAK_KEY', new RegExp(`small factor ${factor}$`)));
    }
  });

  it('refuses an EC point off its curve with ERR_WEAK_KEY, never ERR_INTERNAL', async () => {
    await expect(signCsr(offCurveCsr(), root)).rejects.toThrow(refused('ERR_WEAK_KEY', /not a point on P-256/));
  });
});

describe('malformed extensions: ERR_CSR_FORMAT naming the extension', () => {
  const cases: [string, Parameters<typeof ecCsr>[1], RegExp][] = [
    ['an iPAddress of 5 bytes', [generalNames(context(7, Uint8Array.of(10, 0, 0, 1, 9)))], /subjectAltName.*5 bytes/],
    ['a zero-length extension value', [{ oid: '2.5.29.17', value: new Uint8Array(0) }], /subjectAltName extension has an empty value/],
    ['a zero-length dNSName', [generalNames(context(2, new Uint8Array(0)))], /subjectAltName.*dNSName is empty/],
    ['an empty GeneralNames', [{ oid: '2.5.29.17', value: sequence() }], /subjectAltName.*non-empty/],
    ['basicConstraints that is not a SEQUENCE', [{ oid: '2.5.29.19', value: octetString(Uint8Array.of(1)) }], /basicConstraints/],
    ['keyUsage that is a SEQUENCE', [{ oid: '2.5.29.15', value: sequence() }], /keyUsage/],
    ['a value that is not DER', [{ oid: '1.2.3.4', value: Uint8Array.of(0x30, 0x05, 0x01) }], /request.s 1\.2\.3\.4 extension is malformed/],
    ['the same extension twice', [dnsNames('a.example.com'), dnsNames('b.example.com')], /subjectAltName extension twice/],
    ['a dNSName with a control byte', [generalNames(context(2, ascii('a\nb.example.com')))], /dNSName holds bytes/],
  ];
  for (const [what, extensions, message] of cases) {
    it(what, async () => {
      await expect(signCsr(ecCsr(cn('node.example.com'), extensions), root)).rejects.toThrow(refused('ERR_CSR_FORMAT', message));
    });
  }
});

describe('names', () => {
  for (const name of ['*', '*.com', 'a.*.example.com', 'a*.example.com', 'a b.example.com', '-a.example.com', 'ex_ample.example.com', 'xn--zz.example.com', 'ab--c.example.com', '1.2.3.4.5']) {
    it(`refuses the requested DNS name "${name}" with ERR_POLICY`, async () => {
      await expect(signCsr(ecCsr(cn('node'), [dnsNames(name)]), root)).rejects.toThrow(refused('ERR_POLICY'));
    });
  }

  it('signs *.example.com only with allowWildcard', async () => {
    const csr = ecCsr(cn('node'), [dnsNames('*.example.com')]);
    await expect(signCsr(csr, root)).rejects.toThrow(refused('ERR_POLICY', /--allow-wildcard/));
    expect((await signCsr(csr, root, { allowWildcard: true })).sans).toEqual([{ type: 'dns', value: '*.example.com' }]);
  });

  it('a CN that is a wildcard over a TLD is refused like a SAN', async () => {
    await expect(signCsr(ecCsr(cn('*.com')), root, { allowWildcard: true })).rejects.toThrow(refused('ERR_POLICY', /top-level/));
  });

  it('refuses a subject with control characters, NUL or bidi overrides, without echoing them', async () => {
    for (const value of ['a\nsha256: 00', 'x\u001b[8m', 'nul\u0000byte', 'evil\u202etxt.exe']) {
      const error = await signCsr(ecCsr(cn(value)), root).catch((e: Error) => e);
      expect(error).toMatchObject({ code: 'ERR_POLICY' });
      expect((error as Error).message).not.toMatch(/[\u0000-\u001f\u202e]/);
    }
    const o = sequence(setOf(sequence(oid('2.5.4.10'), utf8String('Org\u0085'))), setOf(sequence(oid('2.5.4.3'), utf8String('ok.example.com'))));
    await expect(signCsr(ecCsr(o), root)).rejects.toThrow(refused('ERR_POLICY', /O value with control/));
    const badUtf8 = sequence(setOf(sequence(oid('2.5.4.3'), tlv(12, Uint8Array.of(0xff, 0xfe)))));
    await expect(signCsr(ecCsr(badUtf8), root)).rejects.toThrow(refused('ERR_POLICY', /does not decode/));
  });

  it('refuses a subject equal to the issuer\'s', async () => {
    const issuerName = readTbs(root.chain[0]!).subject;
    await expect(signCsr(ecCsr(issuerName), root)).rejects.toThrow(refused('ERR_POLICY', /issuing CA's own name/));
  });

  it('canonicalizes IP addresses', async () => {
    const signed = await signCsr(ecCsr(cn('node'), [generalNames(context(7, new Uint8Array(16).fill(0, 0, 15).fill(1, 15)))]), root, { sans: [{ type: 'ip', value: '2001:DB8:0:0:0:0:0:1' }] });
    expect(signed.sans).toEqual([{ type: 'ip', value: '::1' }, { type: 'ip', value: '2001:db8::1' }]);
  });
});

describe('name policy', () => {
  const policy = parseNamePolicy({ domains: ['example.com'], ipRanges: ['10.0.0.0/8'] });

  it('signs names inside the policy, refuses others naming them (ERR_POLICY)', async () => {
    const ok = await signCsr(ecCsr(cn('gw.example.com'), [dnsNames('a.example.com', 'example.com')]), root, { namePolicy: policy, sans: [{ type: 'ip', value: '10.1.2.3' }] });
    expect(ok.sans.map((s) => s.value)).toEqual(['a.example.com', 'example.com', 'gw.example.com', '10.1.2.3']);
    const error = await signCsr(ecCsr(cn('gw.example.com'), [dnsNames('bank.example.org', 'notexample.com')]), root, { namePolicy: policy, sans: [{ type: 'ip', value: '192.168.1.1' }] }).catch((e: Error) => e);
    expect(error).toMatchObject({ code: 'ERR_POLICY' });
    expect((error as Error).message).toContain('DNS:bank.example.org, DNS:notexample.com, IP:192.168.1.1');
  });

  it('--allow-any-name overrides and says so', async () => {
    const signed = await signCsr(ecCsr(cn('gw.example.org')), root, { namePolicy: policy, allowAnyName: true });
    expect(signed.warnings.join('\n')).toMatch(/--allow-any-name: .*DNS:gw\.example\.org/);
  });

  it('names allowed by construction pass whatever the policy', async () => {
    const signed = await signCsr(ecCsr(cn('lb.other.net')), root, { namePolicy: policy, allowedNames: [{ type: 'dns', value: 'lb.other.net' }] });
    expect(signed.sans).toEqual([{ type: 'dns', value: 'lb.other.net' }]);
  });
});

describe('issuer limits', () => {
  it('a sub-CA under a pathLen-0 root is refused', async () => {
    await expect(signCsr(ecCsr(cn('Sub CA')), rootPathLen0, { profile: 'ca' })).rejects.toThrow(refused('ERR_POLICY', /pathLen 0/));
  });

  it('a sub-CA gets pathLen 0 and the policy as critical name constraints', async () => {
    const signed = await signCsr(ecCsr(cn('Sub CA')), root, { profile: 'ca', namePolicy: parseNamePolicy({ domains: ['example.com'], ipRanges: ['10.0.0.0/8'] }) });
    const ext = readTbs(signed.certificate).extensions;
    expect(ext.get('2.5.29.19')?.value).toEqual(sequence(tlv(1, Uint8Array.of(0xff)), tlv(2, Uint8Array.of(0))));
    expect(ext.get('2.5.29.30')?.critical).toBe(true);
  });

  it('a leaf of 3650 days needs allowLongValidity', async () => {
    await expect(signCsr(ecCsr(cn('long.example.com')), root, { days: 3650 })).rejects.toThrow(refused('ERR_POLICY', /--allow-long-validity/));
    const signed = await signCsr(ecCsr(cn('long.example.com')), root, { days: 3650, allowLongValidity: true });
    expect(signed.notAfter.getTime() - signed.notBefore.getTime()).toBeGreaterThan(3000 * 86_400_000);
  });
});
