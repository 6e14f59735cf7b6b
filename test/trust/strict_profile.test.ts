import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { validatePath } from '../../src/trust/validate_path.js';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { OpensslCa } from '../helpers/openssl_ca.js';
import { tempDir } from '../helpers/tools.js';

// strict: true (verify --x509-strict): RFC 5280's rules for issuing CAs, off by default
const dir = tempDir('hapki-strict-');
let ca: OpensslCa;
const der = (name: string): Uint8Array => new Uint8Array(Buffer.from(readFileSync(ca.path(name), 'latin1').replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64'));

beforeAll(async () => {
  ca = new OpensslCa(dir);
  appendFileSync(
    join(dir, 'openssl-ext.cnf'),
    `[no_aki]\nbasicConstraints = critical,CA:FALSE\nsubjectKeyIdentifier = none\nauthorityKeyIdentifier = none\n` +
      `[root_soft]\nbasicConstraints = CA:TRUE\nkeyUsage = critical,keyCertSign\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n`,
  );
  await ca.root('root');
  await ca.root('soft', 'root_soft');
  await ca.issued('noaki', 'no_aki', 'root');
  await ca.issued('leaf', 'not_ca', 'root');
  await ca.issued('under_soft', 'not_ca', 'soft');
}, 60_000);

const check = (name: string, root: string, strict: boolean) => validatePath(der(name), { trusted: [der(root)], ...(strict ? { strict: true } : {}) });

describe('strict (RFC 5280 rules for issuing CAs)', () => {
  it('a well-formed chain passes; a leaf without authorityKeyIdentifier and a root with a non-critical basicConstraints fail only under strict', async () => {
    expect((await check('leaf', 'root', true)).valid).toBe(true);
    expect((await check('noaki', 'root', false)).valid).toBe(true);
    const noAki = await check('noaki', 'root', true);
    expect(noAki).toMatchObject({ valid: false, code: 'ERR_CERT_MALFORMED' });
    expect(noAki.reason).toContain('has no authorityKeyIdentifier');
    expect((await check('under_soft', 'soft', false)).valid).toBe(true);
    expect((await check('under_soft', 'soft', true)).reason).toContain('does not mark basicConstraints critical');
  });

  it('verify --x509-strict exits 1 with ERR_CERT_MALFORMED', async () => {
    const r = await hapki(['verify', ca.path('noaki'), '--trust', ca.path('root'), '--x509-strict']);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_CERT_MALFORMED'));
  });
});
