import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { opensslKeyMatchesCert } from '../helpers/keys.js';
import { keytool, openssl, tempDir, tool } from '../helpers/tools.js';

const env = { STOREPASS: 'changeit' };
const dir = tempDir();
const pass = ['--storepass', 'env:STOREPASS'];

function onlyFiles(): string[] {
  return readdirSync(dir).sort();
}

describe('hapki export', () => {
  // regression: `--no-encrypt --outpass` wrote the key in the clear although a password was given
  // for it; --legacy into JKS or DER and --no-encrypt into PKCS#12 were dropped without a word
  it.each([
    ['export --no-encrypt --outpass', ['export', join(FIXTURES, 'gateway.jks'), '--alias', 'server1', '--what', 'key', '--out', 'c1.pem', '--no-encrypt', '--outpass', 'env:STOREPASS'], '--no-encrypt'],
    ['convert --no-encrypt --outpass', ['convert', join(FIXTURES, 'gateway.jks'), 'c2.pem', '--no-encrypt', '--outpass', 'env:STOREPASS'], '--no-encrypt'],
    ['convert --no-encrypt into PKCS#12', ['convert', join(FIXTURES, 'gateway.jks'), 'c3.p12', '--no-encrypt'], '--no-encrypt'],
    ['convert --legacy into JKS', ['convert', join(FIXTURES, 'gateway.p12'), 'c4.jks', '--legacy'], '--legacy'],
    ['export --legacy into DER', ['export', join(FIXTURES, 'gateway.jks'), '--alias', 'server1', '--what', 'key', '--out-format', 'der', '--out', 'c5.der', '--legacy'], '--legacy'],
  ])('%s: a usage error, nothing written', async (_name, args, named) => {
    const sub = tempDir('hapki-conflict-');
    const r = await hapki([...args, ...pass], { env, cwd: sub });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_USAGE'));
    expect(r.stderr).toContain(named);
    expect(readdirSync(sub)).toEqual([]);
  });

  // regression: a key-only PKCS#12 was written without a word, and keytool -importkeystore stops
  // on it with a NullPointerException; openssl reads it, so it is still written, with a warning
  it('a private key without its certificate into PKCS#12 (export --what key, convert of a bare key): one warning that Java tools cannot import it; keytool indeed cannot, openssl can', async () => {
    const keyOnly = join(dir, 'key-only.p12');
    const r = await hapki(['export', join(FIXTURES, 'gateway.jks'), '--alias', 'server1', '--what', 'key', '--out-format', 'pkcs12', '--out', keyOnly, '--outpass', 'env:STOREPASS', ...pass], { env });
    expect(r.code, r.stderr).toBe(0);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('hapki: warning:'));
    expect(warnings).toEqual([expect.stringMatching(/^hapki: warning: [^\n]*key-only\.p12: private key "server1" has no certificate: [^\n]*Java tools cannot import[^\n]*--what all/)]);
    expect((await openssl(['pkcs12', '-in', keyOnly, '-nocerts', '-nodes', '-passin', 'pass:changeit'])).stdout).toContain('BEGIN PRIVATE KEY');
    const imported = await tool('keytool', ['-J-Duser.language=en', '-importkeystore', '-srckeystore', keyOnly, '-srcstoretype', 'PKCS12', '-srcstorepass', 'changeit', '-destkeystore', join(dir, 'from-key-only.jks'), '-deststoretype', 'JKS', '-deststorepass', 'changeit', '-noprompt']);
    expect(imported.code).not.toBe(0);
    expect(imported.stdout + imported.stderr).toMatch(/NullPointerException|null/i);
    // the same key converted from a bare PEM key: the same warning
    const pem = join(dir, 'bare-key.pem');
    expect((await hapki(['export', join(FIXTURES, 'gateway.jks'), '--alias', 'server1', '--what', 'key', '--out', pem, '--no-encrypt', ...pass], { env })).code).toBe(0);
    const converted = await hapki(['convert', pem, join(dir, 'bare-key.p12'), '--outpass', 'env:STOREPASS'], { env });
    expect(converted.code, converted.stderr).toBe(0);
    expect(converted.stderr).toMatch(/^hapki: warning: [^\n]*bare-key\.p12: private key [^\n]* no certificate: [^\n]*Java tools cannot import/m);
    // with its certificate: no warning, and keytool takes it
    const entry = join(dir, 'entry.p12');
    const whole = await hapki(['export', join(FIXTURES, 'gateway.jks'), '--alias', 'server1', '--what', 'all', '--out-format', 'pkcs12', '--out', entry, '--outpass', 'env:STOREPASS', ...pass], { env });
    expect(whole.stderr).not.toMatch(/warning/);
    expect((await keytool(['-importkeystore', '-srckeystore', entry, '-srcstoretype', 'PKCS12', '-srcstorepass', 'changeit', '-destkeystore', join(dir, 'from-entry.jks'), '-deststoretype', 'JKS', '-deststorepass', 'changeit', '-noprompt'])).code).toBe(0);
  });

  it('exports the private key of a JKS entry (what keytool cannot), unencrypted on request, mode 0600', async () => {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    const r1 = await hapki(['export', join(FIXTURES, 'gateway.jks'), '--alias', 'server1', '--what', 'key', '--out', key, '--no-encrypt', ...pass], { env });
    expect(r1.code).toBe(0);
    expect(r1.stderr).toMatch(/unencrypted/);
    expect(statSync(key).mode & 0o777).toBe(0o600);
    const r2 = await hapki(['export', join(FIXTURES, 'gateway.jks'), '--alias', 'server1', '--what', 'cert', '--out', cert, ...pass], { env });
    expect(r2.code).toBe(0);
    expect(await opensslKeyMatchesCert(key, cert)).toBe(true);
  });

  it('encrypts an exported key with the store password by default; openssl opens it with that password', async () => {
    const key = join(dir, 'enc-key.pem');
    expect((await hapki(['export', join(FIXTURES, 'gateway.p12'), '--alias', 'server1', '--what', 'key', '--out', key, ...pass], { env })).code).toBe(0);
    expect(readFileSync(key, 'utf8')).toContain('BEGIN ENCRYPTED PRIVATE KEY');
    await openssl(['pkey', '-in', key, '-passin', 'pass:changeit', '-noout']);
  });

  it('exports the chain as a PEM bundle and one entry into a new PKCS#12 keytool lists', async () => {
    const p12 = join(dir, 'one.p12');
    const r = await hapki(['export', join(FIXTURES, 'gateway.jceks'), '--alias', 'server1', '--out-format', 'pkcs12', '--out', p12, '--outpass', 'env:OUT', ...pass], { env: { ...env, OUT: 'other-pass' } });
    expect(r.code).toBe(0);
    const listing = await keytool(['-list', '-keystore', p12, '-storetype', 'PKCS12', '-storepass', 'other-pass']);
    expect(listing.stdout).toMatch(/server1,.*PrivateKeyEntry/);
    expect(listing.stdout).toMatch(/Your keystore contains 1 entry/);
  });

  it('an alias that is not there: ERR_ALIAS_NOT_FOUND listing the aliases, and no file', async () => {
    const out = join(dir, 'never.pem');
    const r = await hapki(['export', join(FIXTURES, 'gateway.p12'), '--alias', 'nosuch', '--out', out, ...pass], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_ALIAS_NOT_FOUND'));
    expect(r.stderr).toContain('server1');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses to overwrite without --force; with --force keeps the old file as .bak', async () => {
    const out = join(dir, 'exists.pem');
    writeFileSync(out, 'precious');
    const args = ['export', join(FIXTURES, 'gateway.p12'), '--alias', 'server1', '--what', 'cert', '--out', out, ...pass];
    const r = await hapki(args, { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_FILE_EXISTS'));
    expect(readFileSync(out, 'utf8')).toBe('precious');
    expect((await hapki([...args, '--force'], { env })).code).toBe(0);
    expect(readFileSync(`${out}.bak`, 'utf8')).toBe('precious');
    expect(readFileSync(out, 'utf8')).toContain('BEGIN CERTIFICATE');
  });
});

describe('hapki convert', () => {
  it('JKS to PKCS#12 by the output extension; keytool lists every entry', async () => {
    const out = join(dir, 'converted.p12');
    const r = await hapki(['convert', join(FIXTURES, 'gateway.jks'), out, ...pass], { env });
    expect(r.code).toBe(0);
    const listing = await keytool(['-list', '-keystore', out, '-storetype', 'PKCS12', '-storepass', 'changeit']);
    expect(listing.stdout).toMatch(/server1,.*PrivateKeyEntry/);
    expect(listing.stdout).toMatch(/example-root,.*trustedCertEntry/);
  });

  it('says which entries the target cannot hold (a secret key into PEM) and keeps the rest', async () => {
    const out = join(dir, 'from-jceks.pem');
    const r = await hapki(['convert', join(FIXTURES, 'gateway.jceks'), out, '--no-encrypt', ...pass], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/left out "session-key": PEM cannot hold secret-key entries/);
    const text = readFileSync(out, 'utf8');
    expect(text.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(text).toContain('BEGIN PRIVATE KEY');
  });

  it('writes a legacy PKCS#12 that openssl opens only with -legacy', async () => {
    const out = join(dir, 'legacy.p12');
    expect((await hapki(['convert', join(FIXTURES, 'gateway.p12'), out, '--legacy', ...pass], { env })).code).toBe(0);
    const info = await openssl(['pkcs12', '-in', out, '-info', '-noout', '-legacy', '-passin', 'pass:changeit']);
    expect(info.stderr).toMatch(/pbeWithSHA1And40BitRC2-CBC/);
    expect(info.stderr).toMatch(/pbeWithSHA1And3-KeyTripleDES-CBC/);
  });

  it('a conversion that cannot be done leaves no file behind', async () => {
    const before = onlyFiles();
    const out = join(dir, 'multi.der');
    const r = await hapki(['convert', join(FIXTURES, 'gateway.p12'), out, ...pass], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_UNSUPPORTED_ENTRY'));
    expect(onlyFiles()).toEqual(before);
  });

  it('an unknown output extension without --to is a usage error', async () => {
    const r = await hapki(['convert', join(FIXTURES, 'gateway.p12'), join(dir, 'x.bin'), ...pass], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_USAGE'));
  });
});

describe('rewriting a keystore in place', () => {
  it('keeps a legacy PKCS#12 legacy, so the old readers it was made for can still open it', async () => {
    const store = join(dir, 'legacy-in-place.p12');
    writeFileSync(store, readFileSync(join(FIXTURES, 'gateway-legacy.p12')));
    const r = await hapki(['import', store, '--alias', 'another-ca', '--trusted', join(FIXTURES, 'ca.pem'), '--force', ...pass], { env });
    expect(r.code).toBe(0);
    const info = await openssl(['pkcs12', '-in', store, '-info', '-noout', '-legacy', '-passin', 'pass:changeit']);
    expect(info.stderr).toMatch(/MAC: sha1/);
    expect(info.stderr).toMatch(/pbeWithSHA1And40BitRC2-CBC|pbeWithSHA1And3-KeyTripleDES-CBC/);
    expect(info.stderr).not.toMatch(/PBES2/);
  });
});

describe('convert refuses to hide what it could not check', () => {
  it('a store read without its password is not converted (its keys would keep the old password under a new MAC)', async () => {
    const out = join(dir, 'laundered.jks');
    const r = await hapki(['convert', join(FIXTURES, 'gateway.jks'), out, '--outpass', 'env:STOREPASS'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ERR_PASSWORD_REQUIRED\)\n$/);
    expect(existsSync(out)).toBe(false);
  });

  it('says which aliases it had to rename where the target ignores case', async () => {
    const pem = readFileSync(join(FIXTURES, 'ca.pem'), 'utf8');
    const other = readFileSync(join(FIXTURES, 'gateway.pem'), 'utf8');
    const leaf = other.slice(other.lastIndexOf('-----BEGIN CERTIFICATE-----'));
    const bundle = join(dir, 'cased.pem');
    writeFileSync(bundle, `Bag Attributes\n    friendlyName: Partner\n${pem}Bag Attributes\n    friendlyName: partner\n${leaf}`);
    const r = await hapki(['convert', bundle, join(dir, 'cased.jks'), '--outpass', 'env:STOREPASS'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/alias "partner" is taken in JKS, where aliases ignore case: written as "partner-2"/);
  });
});
