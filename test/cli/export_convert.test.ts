import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { opensslKeyMatchesCert } from '../helpers/keys.js';
import { keytool, openssl, tempDir } from '../helpers/tools.js';

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

  // regression: a key-only PKCS#12 was written (first silently, then with a warning), and keytool
  // -importkeystore stops on it with a NullPointerException. Every PKCS#12 hapki makes is now one
  // keytool and openssl both import: a key without its certificate is refused, as JKS refuses it.
  it('a private key without its certificate into a new PKCS#12 (export --what key, convert of a bare key): ERR_UNSUPPORTED_ENTRY naming --what all and PEM/DER, nothing written; what hapki writes instead, keytool and openssl both import', async () => {
    const sub = tempDir('hapki-key-only-');
    const keyOnly = join(sub, 'key-only.p12');
    const r = await hapki(['export', join(FIXTURES, 'gateway.jks'), '--alias', 'server1', '--what', 'key', '--out-format', 'pkcs12', '--out', keyOnly, '--outpass', 'env:STOREPASS', ...pass], { env });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_UNSUPPORTED_ENTRY'));
    expect(r.stderr).toMatch(/private key "server1" has no certificate[^\n]*keytool[^\n]*--what all[^\n]*PEM or DER/);
    expect(readdirSync(sub)).toEqual([]);
    // the same key converted from a bare PEM key: refused the same
    const pem = join(sub, 'bare-key.pem');
    expect((await hapki(['export', join(FIXTURES, 'gateway.jks'), '--alias', 'server1', '--what', 'key', '--out', pem, '--no-encrypt', ...pass], { env })).code).toBe(0);
    const converted = await hapki(['convert', pem, join(sub, 'bare-key.p12'), '--outpass', 'env:STOREPASS'], { env });
    expect(converted.stderr).toMatch(ONE_LINE_ERROR('ERR_UNSUPPORTED_ENTRY'));
    expect(readdirSync(sub)).toEqual(['bare-key.pem']);
    // the bare key as the error suggests: PEM and DER, which openssl reads
    expect((await openssl(['pkey', '-in', pem, '-noout'])).code).toBe(0);
    const der = join(sub, 'key.der');
    expect((await hapki(['export', join(FIXTURES, 'gateway.jks'), '--alias', 'server1', '--what', 'key', '--out-format', 'der', '--out', der, '--outpass', 'env:STOREPASS', ...pass], { env })).code).toBe(0);
    expect((await openssl(['pkey', '-inform', 'DER', '-in', der, '-passin', 'pass:changeit', '-noout'])).code).toBe(0);
    // with its certificate (--what all): keytool imports it and openssl reads key and certificate
    const entry = join(sub, 'entry.p12');
    const whole = await hapki(['export', join(FIXTURES, 'gateway.jks'), '--alias', 'server1', '--what', 'all', '--out-format', 'pkcs12', '--out', entry, '--outpass', 'env:STOREPASS', ...pass], { env });
    expect(whole.code, whole.stderr).toBe(0);
    expect(whole.stderr).not.toMatch(/warning/);
    expect((await keytool(['-importkeystore', '-srckeystore', entry, '-srcstoretype', 'PKCS12', '-srcstorepass', 'changeit', '-destkeystore', join(sub, 'from-entry.jks'), '-deststoretype', 'JKS', '-deststorepass', 'changeit', '-noprompt'])).code).toBe(0);
    const dump = await openssl(['pkcs12', '-in', entry, '-nodes', '-passin', 'pass:changeit']);
    expect(dump.stdout).toContain('BEGIN PRIVATE KEY');
    expect(dump.stdout).toContain('BEGIN CERTIFICATE');
  });

  // a key-only PKCS#12 that openssl made is the user's own file: rewriting it in place (a trusted
  // certificate added) keeps its key, it is not a new file hapki makes
  it('a key-only PKCS#12 made by openssl (-nocerts) is still updated in place: import --trusted keeps its bare key', async () => {
    const sub = tempDir('hapki-nocerts-');
    const key = join(sub, 'k.pem');
    expect((await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key])).code).toBe(0);
    const p12 = join(sub, 'nocerts.p12');
    expect((await openssl(['pkcs12', '-export', '-nocerts', '-inkey', key, '-name', 'bare', '-out', p12, '-passout', 'pass:changeit'])).code).toBe(0);
    const r = await hapki(['import', p12, '--trusted', join(FIXTURES, 'ca.pem'), '--alias', 'ca', ...pass], { env });
    expect(r.code, r.stderr).toBe(0);
    const listed = await hapki(['list', p12, '--json', ...pass], { env });
    expect((JSON.parse(listed.stdout) as { entries: { alias: string; type: string }[] }).entries.map((e) => [e.alias, e.type]).sort()).toEqual([['bare', 'private-key'], ['ca', 'trusted-cert']]);
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
