import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { openssl, tempDir, tool } from '../helpers/tools.js';

const dir = tempDir('hapki-crl-');
const env = { CAPASS: 'ca-secret' };
const at = (f: string): string => join(dir, f);
const CA = ['--ca', at('ca.p12'), '--ca-storepass', 'env:CAPASS'];

async function request(name: string): Promise<string> {
  await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at(`${name}.key`), '-subj', `/CN=${name}.example.com`, '-out', at(`${name}.csr`)]);
  return at(`${name}.csr`);
}

async function sign(name: string, ...more: string[]): Promise<{ code: number; stderr: string }> {
  return hapki(['sign', await request(name), ...CA, '--out', at(`${name}.pem`), ...more], { env });
}

beforeAll(async () => {
  const init = await hapki(['ca', 'init', '--subject', 'CN=Revoking Root,O=Example', '--kty', 'ec', '--out', at('ca.p12'), '--outpass', 'env:CAPASS', '--cert-out', at('ca.pem')], { env });
  expect(init.code, init.stderr).toBe(0);
});

describe('issuance record, revoke and crl', () => {
  it('records every signature; revoke + crl give a CRL openssl verifies, failing the revoked certificate and passing another', async () => {
    expect((await sign('before')).code).toBe(0);
    const set = await hapki(['ca', 'set', '--ca', at('ca.p12'), '--allow-domain', 'example.com', '--crl-url', 'http://pki.example.com/ca.crl', '--aia-url', 'http://pki.example.com/ca.cer', '--json'], { env });
    expect(JSON.parse(set.stdout)).toEqual({ policy: { domains: ['example.com'], ipRanges: [] }, crlUrl: 'http://pki.example.com/ca.crl', caIssuersUrl: 'http://pki.example.com/ca.cer' });
    expect((await sign('good')).code).toBe(0);
    expect((await sign('bad')).code).toBe(0);

    // certificates issued after the URL was set carry it; the one before does not
    const ext = async (name: string) => (await openssl(['x509', '-in', at(`${name}.pem`), '-noout', '-ext', 'crlDistributionPoints,authorityInfoAccess'])).stdout;
    expect(await ext('good')).toMatch(/URI:http:\/\/pki\.example\.com\/ca\.crl[\s\S]*CA Issuers - URI:http:\/\/pki\.example\.com\/ca\.cer/);
    expect(await ext('before')).not.toContain('pki.example.com');

    const issued = JSON.parse((await hapki(['ca', 'issued', '--ca', at('ca.p12'), '--json'])).stdout);
    expect(issued.map((c: { subject: string; by: string }) => [c.subject, c.by])).toEqual([['CN=before.example.com', 'sign'], ['CN=good.example.com', 'sign'], ['CN=bad.example.com', 'sign']]);
    expect(issued[2]).toMatchObject({ names: ['DNS:bad.example.com'], profile: 'server', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });

    const revoked = await hapki(['revoke', '--ca', at('ca.p12'), '--cert', at('bad.pem'), '--reason', 'keyCompromise']);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain(`revoked ${issued[2].serial} (CN=bad.example.com)`);
    const crl = await hapki(['crl', ...CA, '--out', at('ca.crl'), '--days', '7', '--json'], { env });
    expect(crl.code, crl.stderr).toBe(0);
    expect(JSON.parse(crl.stdout)).toMatchObject({ number: 1, revoked: 1 });

    const text = await openssl(['crl', '-in', at('ca.crl'), '-inform', 'DER', '-CAfile', at('ca.pem'), '-noout', '-verify', '-text']);
    expect(text.stderr + text.stdout).toContain('verify OK');
    expect(text.stdout).toMatch(/Version 2[\s\S]*Next Update:[\s\S]*Authority Key Identifier[\s\S]*CRL Number: \n\s+1\n[\s\S]*Serial Number: [0-9A-F]+[\s\S]*Key Compromise/);

    const pem = (await openssl(['crl', '-in', at('ca.crl'), '-inform', 'DER'])).stdout;
    writeFileSync(at('bundle.pem'), readFileSync(at('ca.pem'), 'utf8') + pem);
    const bad = await tool('openssl', ['verify', '-crl_check', '-CAfile', at('bundle.pem'), at('bad.pem')]);
    expect(bad.code).not.toBe(0);
    expect(bad.stdout + bad.stderr).toContain('certificate revoked');
    const good = await openssl(['verify', '-crl_check', '-CAfile', at('bundle.pem'), at('good.pem')]);
    expect(good.stdout, good.stderr).toContain('OK');

    const human = await hapki(['ca', 'issued', '--ca', at('ca.p12')]);
    expect(human.stdout).toMatch(new RegExp(`serial ${issued[2].serial}  REVOKED .* \\(keyCompromise\\)`));
    const second = await hapki(['crl', ...CA, '--out', at('ca.crl'), '--json'], { env });
    expect(JSON.parse(second.stdout)).toMatchObject({ number: 2 });
  });

  it('the CA policy file is picked up by sign: a foreign name is ERR_POLICY naming it; --allow-any-name signs it with a warning', async () => {
    await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at('f.key'), '-subj', '/CN=www.bank.test', '-out', at('f.csr')]);
    const refused = await hapki(['sign', at('f.csr'), ...CA, '--out', at('f.pem')], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(ONE_LINE_ERROR('ERR_POLICY'));
    expect(refused.stderr).toContain('DNS:www.bank.test');
    const allowed = await hapki(['sign', at('f.csr'), ...CA, '--out', at('f.pem'), '--allow-domain', 'bank.test'], { env });
    expect(allowed.code, allowed.stderr).toBe(0);
    const forced = await hapki(['sign', at('f.csr'), ...CA, '--out', at('f.pem'), '--force', '--allow-any-name'], { env });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toMatch(/warning: --allow-any-name: .*DNS:www\.bank\.test/);
  });

  it('revoke refuses a serial the CA never issued (ERR_NOT_FOUND) and a missing choice (usage)', async () => {
    expect((await hapki(['revoke', '--ca', at('ca.p12'), '--serial', 'abcdef'])).stderr).toMatch(ONE_LINE_ERROR('ERR_NOT_FOUND'));
    expect((await hapki(['revoke', '--ca', at('ca.p12')])).code).toBe(2);
    expect((await hapki(['revoke', '--ca', at('ca.p12'), '--serial', 'xyz'])).stderr).toMatch(ONE_LINE_ERROR('ERR_INVALID_ARGUMENT'));
  });

  // regression: revoke --cert took only the serial, so a certificate another CA made (or anyone
  // made with openssl -set_serial) revoked whichever certificate of this CA had that serial
  it('revoke --cert refuses a certificate that only shares its serial with one this CA issued (ERR_NOT_FOUND), leaving the record as it was', async () => {
    expect((await sign('victim')).code).toBe(0);
    const serial = (await openssl(['x509', '-in', at('victim.pem'), '-noout', '-serial'])).stdout.trim().split('=')[1]!;
    await openssl(['req', '-x509', '-new', '-key', at('victim.key'), '-subj', '/CN=victim.example.com', '-set_serial', `0x${serial}`, '-days', '30', '-out', at('forged.pem')]);
    const record = readFileSync(at('ca.p12.issued.jsonl'), 'utf8');
    const forged = await hapki(['revoke', '--ca', at('ca.p12'), '--cert', at('forged.pem'), '--reason', 'keyCompromise']);
    expect(forged.code).toBe(1);
    expect(forged.stderr).toMatch(ONE_LINE_ERROR('ERR_NOT_FOUND'));
    expect(forged.stderr).toMatch(/SHA-256 differs/);
    expect(readFileSync(at('ca.p12.issued.jsonl'), 'utf8')).toBe(record);
    const real = await hapki(['revoke', '--ca', at('ca.p12'), '--cert', at('victim.pem'), '--json']);
    expect(real.code, real.stderr).toBe(0);
    expect(JSON.parse(real.stdout)).toMatchObject({ serial: serial.toLowerCase().replace(/^0+/, ''), revoked: { reason: 'unspecified' } });
  });

  // as `openssl ca -revoke` takes a certificate its index lacks: one this CA's key signed before
  // hapki kept its record (here by openssl x509 -req with the exported CA key) can still be revoked
  it('revoke --cert of a certificate this CA signed outside its record adds it, revoked, to the CRL openssl checks; another key\'s is refused', async () => {
    await hapki(['export', at('ca.p12'), '--alias', 'ca', '--storepass', 'env:CAPASS', '--what', 'key', '--out', at('ca-key.pem'), '--outpass', 'env:CAPASS'], { env });
    await request('legacy');
    await openssl(['x509', '-req', '-in', at('legacy.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca-key.pem'), '-passin', 'pass:ca-secret', '-set_serial', '0x7e57ab1e', '-days', '30', '-out', at('legacy.pem')]);
    // the PKCS#12's certificates are encrypted: its password is asked for, only now that it is needed
    const noPass = await hapki(['revoke', '--ca', at('ca.p12'), '--cert', at('legacy.pem')]);
    expect(noPass.stderr).toMatch(ONE_LINE_ERROR('ERR_PASSWORD_REQUIRED'));
    // a certificate under this CA's name and a serial the record lacks, but signed by another key
    await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at('imposter.key'), '-subj', '/O=Example/CN=Revoking Root', '-set_serial', '0x1badcafe', '-days', '3', '-out', at('imposter.pem')]);
    const record = readFileSync(at('ca.p12.issued.jsonl'), 'utf8');
    const imposter = await hapki(['revoke', '--ca', at('ca.p12'), '--cert', at('imposter.pem'), '--ca-storepass', 'env:CAPASS'], { env });
    expect(imposter.stderr).toMatch(ONE_LINE_ERROR('ERR_NOT_FOUND'));
    expect(readFileSync(at('ca.p12.issued.jsonl'), 'utf8')).toBe(record);
    const revoked = await hapki(['revoke', '--ca', at('ca.p12'), '--cert', at('legacy.pem'), '--ca-storepass', 'env:CAPASS', '--reason', 'superseded', '--json'], { env });
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(JSON.parse(revoked.stdout)).toMatchObject({ serial: '7e57ab1e', subject: 'CN=legacy.example.com', revoked: { reason: 'superseded' } });
    // now in the record: a second revoke needs no password and changes nothing
    const again = await hapki(['revoke', '--ca', at('ca.p12'), '--serial', '7e57ab1e']);
    expect(again.code, again.stderr).toBe(0);
    expect((await hapki(['ca', 'issued', '--ca', at('ca.p12')])).stdout).toMatch(/serial 7e57ab1e {2}REVOKED [^\n]* \(superseded\)[\s\S]*?by unrecorded/);
    const crl = await hapki(['crl', ...CA, '--out', at('legacy.crl')], { env });
    expect(crl.code, crl.stderr).toBe(0);
    const checked = await tool('openssl', ['verify', '-crl_check', '-CRLfile', at('legacy.crl'), '-CAfile', at('ca.pem'), at('legacy.pem')]);
    expect(checked.stdout + checked.stderr).toMatch(/certificate revoked/);
  });

  // regression: crl --days 99999999 was ERR_INTERNAL ("Invalid time value"), and --days 3000000
  // wrote a CRL whose nextUpdate openssl reads as "Bad time value"
  it('crl --days beyond 100 years is ERR_INVALID_ARGUMENT and writes nothing; 36500 days gives a nextUpdate openssl reads', async () => {
    for (const days of ['99999999', '3000000']) {
      const result = await hapki(['crl', ...CA, '--out', at(`far-${days}.crl`), '--days', days], { env });
      expect(result.stderr).toMatch(ONE_LINE_ERROR('ERR_INVALID_ARGUMENT'));
      expect(() => readFileSync(at(`far-${days}.crl`))).toThrow();
    }
    const longest = await hapki(['crl', ...CA, '--out', at('longest.crl'), '--days', '36500'], { env });
    expect(longest.code, longest.stderr).toBe(0);
    const next = await openssl(['crl', '-in', at('longest.crl'), '-inform', 'DER', '-noout', '-nextupdate']);
    expect(next.stdout).toMatch(/nextUpdate=\w{3} +\d+ [\d:]+ 21\d\d GMT/);
  });
});

describe('a revocation reason updated as RFC 5280 and the root programs allow', () => {
  // Regression: "revoking twice changes nothing" also kept a certificate revoked as superseded (or
  // on hold) when its key was later found compromised: the CRL said superseded for ever, and a
  // certificateHold could never be made permanent.
  it('superseded then keyCompromise, and certificateHold then cessationOfOperation: the CRL carries the new reasons, with the first dates', async () => {
    expect((await sign('later-compromised')).code).toBe(0);
    expect((await sign('held')).code).toBe(0);
    const first = JSON.parse((await hapki(['revoke', '--ca', at('ca.p12'), '--cert', at('later-compromised.pem'), '--reason', 'superseded', '--json'])).stdout);
    expect((await hapki(['revoke', '--ca', at('ca.p12'), '--cert', at('held.pem'), '--reason', 'certificateHold'])).code).toBe(0);
    const updated = JSON.parse((await hapki(['revoke', '--ca', at('ca.p12'), '--cert', at('later-compromised.pem'), '--reason', 'keyCompromise', '--json'])).stdout);
    expect(updated.revoked).toEqual({ reason: 'keyCompromise', at: first.revoked.at });
    expect((await hapki(['revoke', '--ca', at('ca.p12'), '--cert', at('held.pem'), '--reason', 'cessationOfOperation'])).code).toBe(0);
    // keyCompromise is not weakened again, and no other change is taken
    const again = JSON.parse((await hapki(['revoke', '--ca', at('ca.p12'), '--cert', at('later-compromised.pem'), '--reason', 'superseded', '--json'])).stdout);
    expect(again.revoked.reason).toBe('keyCompromise');
    expect((await hapki(['crl', ...CA, '--out', at('updated.crl')], { env })).code).toBe(0);
    const text = (await openssl(['crl', '-in', at('updated.crl'), '-inform', 'DER', '-noout', '-text'])).stdout;
    const held = JSON.parse((await hapki(['ca', 'issued', '--ca', at('ca.p12'), '--json'])).stdout).find((c: { subject: string }) => c.subject === 'CN=held.example.com') as { serial: string };
    // openssl writes the serial in upper case, with or without leading zeros: the entry runs to the next one
    const entry = (serial: string): string => {
      const start = new RegExp(`Serial Number: 0*${serial.replace(/^0+/, '')}\\n`, 'i').exec(text);
      expect(start, `serial ${serial} in the CRL`).not.toBeNull();
      return text.slice(start!.index + start![0].length).split('Serial Number:')[0]!;
    };
    expect(entry(first.serial)).toContain('Key Compromise');
    expect(entry(held.serial)).toContain('Cessation Of Operation');
    expect(entry(held.serial)).not.toContain('Hold');
  });
});

describe('a revocation reason fits the kind of certificate revoked (RFC 5280 5.3.1)', () => {
  const revoke = (target: string[], reason: string) => hapki(['revoke', '--ca', at('ca.p12'), ...target, '--reason', reason, '--json']);
  const recorded = async (subject: string): Promise<{ serial: string; revoked?: { reason: string; at: string } }> =>
    JSON.parse((await hapki(['ca', 'issued', '--ca', at('ca.p12'), '--json'])).stdout).find((c: { subject: string }) => c.subject === subject);

  async function subCa(name: string): Promise<string> {
    const signed = await sign(name, '--profile', 'ca', '--allow-ca', '--subject', `CN=${name} Sub CA`);
    expect(signed.code, signed.stderr).toBe(0);
    return (await recorded(`CN=${name} Sub CA`)).serial;
  }

  // Regression: cACompromise on an end-entity certificate was recorded and published
  it('cACompromise on an end-entity certificate is ERR_INVALID_ARGUMENT, first or as an update; the record unchanged', async () => {
    expect((await sign('leaf-ca-reason')).code).toBe(0);
    const first = await revoke(['--cert', at('leaf-ca-reason.pem')], 'cACompromise');
    expect(first.stderr).toMatch(ONE_LINE_ERROR('ERR_INVALID_ARGUMENT'));
    expect(first.stderr).toMatch(/end-entity certificate: cACompromise is for a CA certificate.*give keyCompromise/);
    expect((await recorded('CN=leaf-ca-reason.example.com')).revoked).toBeUndefined();
    expect((await revoke(['--cert', at('leaf-ca-reason.pem')], 'superseded')).code).toBe(0);
    const update = await revoke(['--serial', (await recorded('CN=leaf-ca-reason.example.com')).serial], 'cACompromise');
    expect(update.stderr).toMatch(ONE_LINE_ERROR('ERR_INVALID_ARGUMENT'));
    expect((await recorded('CN=leaf-ca-reason.example.com')).revoked?.reason).toBe('superseded');
  });

  // Regression: a sub-CA revoked as keyCompromise (or superseded) could not be made cACompromise
  it('a CA certificate revoked as keyCompromise, or superseded, becomes cACompromise; that is not weakened back; openssl reads the CRL', async () => {
    const compromised = await subCa('Compromised');
    const retired = await subCa('Retired');
    expect((await revoke(['--serial', compromised], 'keyCompromise')).code).toBe(0);
    expect((await revoke(['--serial', retired], 'superseded')).code).toBe(0);
    const first = (await recorded('CN=Compromised Sub CA')).revoked!;
    const updated = JSON.parse((await revoke(['--serial', compromised], 'cACompromise')).stdout);
    expect(updated.revoked).toEqual({ reason: 'cACompromise', at: first.at });
    expect(JSON.parse((await revoke(['--cert', at('Retired.pem')], 'cACompromise')).stdout).revoked.reason).toBe('cACompromise');
    expect(JSON.parse((await revoke(['--serial', compromised], 'keyCompromise')).stdout).revoked.reason).toBe('cACompromise');
    expect((await hapki(['crl', ...CA, '--out', at('ca-reasons.crl')], { env })).code).toBe(0);
    const text = (await openssl(['crl', '-in', at('ca-reasons.crl'), '-inform', 'DER', '-CAfile', at('ca.pem'), '-noout', '-text'])).stdout;
    for (const serial of [compromised, retired]) {
      const start = new RegExp(`Serial Number: 0*${serial.replace(/^0+/, '')}\\n`, 'i').exec(text);
      expect(start, `serial ${serial} in the CRL`).not.toBeNull();
      expect(text.slice(start!.index + start![0].length).split('Serial Number:')[0]).toContain('CA Compromise');
    }
  });

  it('a CA certificate may be revoked as cACompromise at once, and an end-entity one keyCompromise', async () => {
    const serial = await subCa('Direct');
    expect(JSON.parse((await revoke(['--serial', serial], 'cACompromise')).stdout).revoked.reason).toBe('cACompromise');
    expect((await sign('leaf-key-reason')).code).toBe(0);
    expect(JSON.parse((await revoke(['--cert', at('leaf-key-reason.pem')], 'keyCompromise')).stdout).revoked.reason).toBe('keyCompromise');
  });
});
