import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCertificates } from '../../src/keystore/read_certificates.js';
import { validatePath } from '../../src/trust/validate_path.js';
import { OpensslCa } from '../helpers/openssl_ca.js';
import { tempDir, tool } from '../helpers/tools.js';

/** Chains made by openssl from an extensions file; `openssl verify` and validatePath must agree on each. */
const dir = tempDir('hapki-verify-');
const DAY = 86_400;
const now = Math.floor(Date.now() / 1000);

const ca = new OpensslCa(dir);
const path = (name: string): string => ca.path(name);
const root = (name: string, section: string): Promise<void> => ca.root(name, section);
const issued = (name: string, section: string, issuer: string): Promise<void> => ca.issued(name, section, issuer);

interface Case {
  what: string;
  leaf: string;
  anchor: string;
  intermediates: string[];
  purpose?: 'server' | 'client';
  hostname?: string;
  at?: number;
  /** hapki's code, and what `openssl verify` says, for an invalid chain. */
  expected: { code: string; openssl: RegExp } | 'valid';
}

const CASES: Case[] = [
  { what: 'a valid chain', leaf: 'server', anchor: 'root', intermediates: ['ica'], purpose: 'server', hostname: 'gw.example.com', expected: 'valid' },
  { what: 'a valid chain, by IP address', leaf: 'server', anchor: 'root', intermediates: ['ica'], purpose: 'server', hostname: '10.0.0.5', expected: 'valid' },
  { what: 'an expired chain', leaf: 'server', anchor: 'root', intermediates: ['ica'], at: now + 60 * DAY, expected: { code: 'ERR_CHAIN_EXPIRED', openssl: /certificate has expired/ } },
  { what: 'a not-yet-valid chain', leaf: 'server', anchor: 'root', intermediates: ['ica'], at: now - 2 * DAY, expected: { code: 'ERR_CHAIN_NOT_YET_VALID', openssl: /certificate is not yet valid/ } },
  { what: 'a client certificate used for a server', leaf: 'client', anchor: 'root', intermediates: ['ica'], purpose: 'server', expected: { code: 'ERR_PURPOSE', openssl: /unsupported certificate purpose|unsuitable certificate purpose/ } },
  { what: 'a client certificate used for a client', leaf: 'client', anchor: 'root', intermediates: ['ica'], purpose: 'client', expected: 'valid' },
  { what: 'a chain exceeding pathlen:0', leaf: 'server_deep', anchor: 'root_pathlen0', intermediates: ['ica_deep'], expected: { code: 'ERR_PATHLEN', openssl: /path length constraint exceeded/ } },
  { what: 'a name outside the permitted subtree', leaf: 'outside', anchor: 'root', intermediates: ['ica_nc'], expected: { code: 'ERR_NAME_CONSTRAINTS', openssl: /permitted subtree violation/ } },
  { what: 'a name inside the permitted subtree', leaf: 'inside', anchor: 'root', intermediates: ['ica_nc'], hostname: 'gw.example.com', expected: 'valid' },
  { what: 'the wrong host name', leaf: 'server', anchor: 'root', intermediates: ['ica'], hostname: 'other.example.com', expected: { code: 'ERR_HOSTNAME_MISMATCH', openssl: /hostname mismatch/ } },
  { what: 'a missing intermediate', leaf: 'server', anchor: 'root', intermediates: [], expected: { code: 'ERR_CHAIN_UNTRUSTED', openssl: /unable to get local issuer certificate/ } },
  { what: 'an issuer without keyCertSign', leaf: 'server_nosign', anchor: 'root', intermediates: ['ica_nosign'], expected: { code: 'ERR_KEY_USAGE', openssl: /key usage does not include certificate signing|invalid CA certificate/ } },
  { what: 'an issuer that is not a CA', leaf: 'server_notca', anchor: 'root', intermediates: ['ica_notca'], expected: { code: 'ERR_NOT_CA', openssl: /invalid CA certificate/ } },
];

beforeAll(async () => {
  await root('root', 'ca');
  await root('root_pathlen0', 'ca_pathlen0');
  await issued('ica', 'ca', 'root');
  await issued('server', 'server', 'ica');
  await issued('client', 'client', 'ica');
  await issued('ica_deep', 'ca', 'root_pathlen0');
  await issued('server_deep', 'server', 'ica_deep');
  await issued('ica_nc', 'ca_nc', 'root');
  await issued('outside', 'outside', 'ica_nc');
  await issued('inside', 'server', 'ica_nc');
  await issued('ica_nosign', 'ca_nosign', 'root');
  await issued('server_nosign', 'server', 'ica_nosign');
  await issued('ica_notca', 'not_ca', 'root');
  await issued('server_notca', 'server', 'ica_notca');
});

const certs = (name: string): Uint8Array[] => readCertificates(new Uint8Array(readFileSync(path(name))), name);

describe('validatePath agrees with openssl verify', () => {
  it.each(CASES.map((c) => [c.what, c] as const))('%s', async (_what, c) => {
    const untrusted = c.intermediates.length > 0 ? join(dir, `${c.what.replace(/\W+/g, '_')}-untrusted.pem`) : undefined;
    if (untrusted) writeFileSync(untrusted, c.intermediates.map((n) => readFileSync(path(n), 'utf8')).join(''));
    const args = ['verify', '-CAfile', path(c.anchor), ...(untrusted ? ['-untrusted', untrusted] : [])];
    if (c.purpose) args.push('-purpose', c.purpose === 'server' ? 'sslserver' : 'sslclient');
    if (c.hostname) args.push(/^[\d.]+$/.test(c.hostname) ? '-verify_ip' : '-verify_hostname', c.hostname);
    if (c.at !== undefined) args.push('-attime', String(c.at));
    const ossl = await tool('openssl', [...args, path(c.leaf)]);
    const ours = await validatePath(certs(c.leaf)[0]!, {
      trusted: certs(c.anchor),
      untrusted: c.intermediates.flatMap(certs),
      ...(c.purpose ? { purpose: c.purpose } : {}),
      ...(c.hostname ? { hostname: c.hostname } : {}),
      ...(c.at !== undefined ? { at: new Date(c.at * 1000) } : {}),
    });
    if (c.expected === 'valid') {
      expect(ossl.code, ossl.stdout + ossl.stderr).toBe(0);
      expect(ours).toMatchObject({ valid: true });
      expect(ours.chain).toHaveLength(c.intermediates.length + 2);
    } else {
      expect(ossl.code).not.toBe(0);
      expect(ossl.stdout + ossl.stderr).toMatch(c.expected.openssl);
      expect(ours).toMatchObject({ valid: false, code: c.expected.code });
    }
  });
});
