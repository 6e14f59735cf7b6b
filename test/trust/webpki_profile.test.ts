import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { validatePath } from '../../src/trust/validate_path.js';
import { formatIp as ipv6Text } from '../../src/cert/general_names.js';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { OpensslCa } from '../helpers/openssl_ca.js';
import { tempDir } from '../helpers/tools.js';

// profile 'webpki' (verify --web-pki): the CA/Browser Forum rules on top of RFC 5280, off by default
const dir = tempDir('hapki-webpki-');
let ca: OpensslCa;
const der = (name: string): Uint8Array => new Uint8Array(Buffer.from(readFileSync(ca.path(name), 'latin1').replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64'));

beforeAll(async () => {
  ca = new OpensslCa(dir);
  appendFileSync(join(dir, 'openssl-ext.cnf'), `[any_eku]\nbasicConstraints = critical,CA:FALSE\nextendedKeyUsage = serverAuth,anyExtendedKeyUsage\nsubjectAltName = DNS:gw.example.com\n`);
  await ca.root('root');
  await ca.issued('noeku', 'not_ca', 'root');
  await ca.issued('anyeku', 'any_eku', 'root');
  await ca.issued('gw.example.com', 'server', 'root');
  await ca.issued('GW.example.com', 'server', 'root');
  await ca.issued('0x0A000005', 'server', 'root');
}, 60_000);

const check = (name: string, webpki: boolean) => validatePath(der(name), { trusted: [der('root')], ...(webpki ? { profile: 'webpki' as const } : {}) });

describe("profile 'webpki'", () => {
  it('refuses a subscriber certificate without extendedKeyUsage or with anyExtendedKeyUsage (ERR_PURPOSE), which RFC 5280 accepts', async () => {
    expect((await check('noeku', false)).valid).toBe(true);
    expect(await check('noeku', true)).toMatchObject({ valid: false, code: 'ERR_PURPOSE' });
    expect((await check('anyeku', false)).valid).toBe(true);
    expect((await check('anyeku', true)).reason).toContain('anyExtendedKeyUsage');
  });

  it('a commonName that means a SAN must be written as the SAN is; an unrelated one is left alone', async () => {
    expect((await check('gw.example.com', true)).valid).toBe(true);
    expect(await check('GW.example.com', true)).toMatchObject({ valid: false, code: 'ERR_CERT_MALFORMED' });
    expect((await check('GW.example.com', false)).valid).toBe(true);
    expect((await check('0x0A000005', true)).reason).toContain('IP address');
    expect((await check('anyeku', false)).valid).toBe(true);
  });

  it('verify --web-pki exits 1 with the code', async () => {
    const r = await hapki(['verify', ca.path('noeku'), '--trust', ca.path('root'), '--web-pki']);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_PURPOSE'));
    expect((await hapki(['verify', ca.path('noeku'), '--trust', ca.path('root')])).code).toBe(0);
  });

  it('writes IPv6 addresses as RFC 5952 does', () => {
    const ip = (text: string): Uint8Array => {
      const [head, tail] = text.split('::') as [string, string | undefined];
      const h = head ? head.split(':') : [];
      const t = tail ? tail.split(':') : [];
      const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
      return Uint8Array.from(groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
    };
    expect(ipv6Text(ip('2001:0db8:0000:0000:0000:0000:0000:0001'))).toBe('2001:db8::1');
    expect(ipv6Text(ip('2001:db8:0:0:1:0:0:1'))).toBe('2001:db8::1:0:0:1');
    expect(ipv6Text(ip('1:0:0:2:0:0:0:3'))).toBe('1:0:0:2::3');
    expect(ipv6Text(ip('1:0:2:3:4:5:6:7'))).toBe('1:0:2:3:4:5:6:7');
    expect(ipv6Text(ip('::'))).toBe('::');
    expect(ipv6Text(ip('::1'))).toBe('::1');
    expect(ipv6Text(ip('fe80::'))).toBe('fe80::');
  });
});
