import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hapki } from '../helpers/cli.js';
import { opensslKeyAndCert } from '../helpers/keys.js';
import { keytool, mustRun, openssl, tempDir } from '../helpers/tools.js';

/**
 * PKCS#12 files the JDK writes under its keystore.pkcs12.* security properties (the MAC and PBE
 * algorithms and counts an administrator may choose), and the JDK's password-less trust store:
 * hapki reads what keytool lists, opens the key openssl agrees with, and rewriting a trust store
 * in place leaves it readable by a JVM that has no password for it.
 */
const dir = tempDir('hapki-jdk-p12-');
const PASS = 'jdk-pass-1';
const env = { P: PASS };
const at = (name: string): string => join(dir, name);
let ca: { key: string; cert: string };

beforeAll(async () => {
  ca = await opensslKeyAndCert(dir, 'ca', 'p256');
});

const P = (name: string, value: string): string => `-J-Dkeystore.pkcs12.${name}=${value}`;

describe('keytool under keystore.pkcs12.* settings', () => {
  it.each([
    ['HmacPBESHA512/256 MAC, PBEWithSHA1AndDESede keys', [P('macAlgorithm', 'HmacPBESHA512/256'), P('keyProtectionAlgorithm', 'PBEWithSHA1AndDESede')]],
    ['HmacPBESHA512/224 MAC', [P('macAlgorithm', 'HmacPBESHA512/224')]],
    ['HmacPBESHA384 MAC, PBEWithHmacSHA1AndAES_128 keys', [P('macAlgorithm', 'HmacPBESHA384'), P('keyProtectionAlgorithm', 'PBEWithHmacSHA1AndAES_128')]],
    ['HmacPBESHA512 MAC, PBEWithHmacSHA512AndAES_256 keys and certificates', [P('macAlgorithm', 'HmacPBESHA512'), P('keyProtectionAlgorithm', 'PBEWithHmacSHA512AndAES_256'), P('certProtectionAlgorithm', 'PBEWithHmacSHA512AndAES_256')]],
    ['HmacPBESHA224 MAC, RC2-128 keys, RC4-128 certificates', [P('macAlgorithm', 'HmacPBESHA224'), P('keyProtectionAlgorithm', 'PBEWithSHA1AndRC2_128'), P('certProtectionAlgorithm', 'PBEWithSHA1AndRC4_128')]],
    ['no MAC, certificates in the clear', [P('macAlgorithm', 'NONE'), P('certProtectionAlgorithm', 'NONE')]],
    ['every count 1', [P('keyPbeIterationCount', '1'), P('certPbeIterationCount', '1'), P('macIterationCount', '1')]],
  ])('%s', async (label, props) => {
    const file = at(`${label.replace(/\W+/g, '_')}.p12`);
    const common = [...props, '-storetype', 'PKCS12', '-keystore', file, '-storepass', PASS];
    await keytool([...common, '-genkeypair', '-alias', 'Gateway', '-keyalg', 'EC', '-groupname', 'secp384r1', '-dname', 'CN=gw.example.com']);
    await keytool([...common, '-importcert', '-noprompt', '-alias', 'ca', '-file', ca.cert]);
    await keytool([...common, '-genseckey', '-alias', 'aes', '-keyalg', 'AES', '-keysize', '128']);
    const listed = await hapki(['list', file, '--storepass', 'env:P', '--json'], { env });
    expect(listed.code, listed.stderr).toBe(0);
    const entries = (JSON.parse(listed.stdout) as { entries: { alias: string; type: string; algorithm?: string }[] }).entries;
    // (keytool itself writes the key's friendlyName in lower case)
    expect(entries.map((e) => [e.alias.toLowerCase(), e.type, e.algorithm]).sort()).toEqual([
      ['aes', 'secret-key', 'AES'],
      ['ca', 'trusted-cert', undefined],
      ['gateway', 'private-key', 'EC P-384'],
    ]);
    const out = `${file}.key.pem`;
    const exported = await hapki(['export', file, '--alias', 'gateway', '--what', 'key', '--no-encrypt', '--out', out, '--storepass', 'env:P'], { env });
    expect(exported.code, exported.stderr).toBe(0);
    const cert = `${file}.crt`;
    await keytool(['-exportcert', '-rfc', '-alias', 'gateway', '-file', cert, '-keystore', file, '-storepass', PASS]);
    expect((await openssl(['pkey', '-in', out, '-pubout'])).stdout).toBe((await openssl(['x509', '-in', cert, '-pubkey', '-noout'])).stdout);
  });
});

/** Loads a PKCS#12 in the JDK with a null password, as a JVM with no trustStorePassword does, and prints its aliases. */
const LOAD_WITHOUT_PASSWORD = `
import java.io.FileInputStream;
import java.security.KeyStore;
import java.util.Collections;
import java.util.TreeSet;
public class LoadTrust {
  public static void main(String[] a) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(a[0])) { ks.load(in, null); }
    System.out.println(new TreeSet<>(Collections.list(ks.aliases())));
  }
}
`;

describe("the JDK's password-less PKCS#12 trust store", () => {
  it('takes a trusted certificate from hapki import without a password, and stays readable without one (with --storepass too)', async () => {
    const store = at('truststore.p12');
    await keytool([P('macAlgorithm', 'NONE'), P('certProtectionAlgorithm', 'NONE'), '-importcert', '-noprompt', '-alias', 'first', '-file', ca.cert, '-storetype', 'PKCS12', '-keystore', store, '-storepass', PASS]);
    const source = at('LoadTrust.java');
    writeFileSync(source, LOAD_WITHOUT_PASSWORD);
    expect((await mustRun('java', [source, store])).stdout.trim()).toBe('[first]');

    const second = await opensslKeyAndCert(dir, 'second', 'p256');
    const added = await hapki(['import', store, '--alias', 'second', '--trusted', second.cert]);
    expect(added.code, added.stderr).toBe(0);
    const third = await opensslKeyAndCert(dir, 'third', 'rsa');
    const withPassword = await hapki(['import', store, '--alias', 'third', '--trusted', third.cert, '--storepass', 'env:P'], { env });
    expect(withPassword.code, withPassword.stderr).toBe(0);

    expect((await mustRun('java', [source, store])).stdout.trim()).toBe('[first, second, third]');
    const info = await openssl(['pkcs12', '-in', store, '-info', '-noout', '-passin', 'pass:']);
    expect(info.stdout + info.stderr).toMatch(/MAC is absent/);
    expect(info.stdout + info.stderr).not.toMatch(/Encrypted data/);
  });

  it('a key added to it (csr --new-key) needs the password, and then the store is protected as usual', async () => {
    const store = at('truststore-key.p12');
    await keytool([P('macAlgorithm', 'NONE'), P('certProtectionAlgorithm', 'NONE'), '-importcert', '-noprompt', '-alias', 'first', '-file', ca.cert, '-storetype', 'PKCS12', '-keystore', store, '-storepass', PASS]);
    const made = await hapki(['csr', '--new-key', '--keystore', store, '--alias', 'gw', '--subject', 'CN=gw.example.com', '--kty', 'ec', '--storepass', 'env:P', '--out', at('gw.csr')], { env });
    expect(made.code, made.stderr).toBe(0);
    const info = await openssl(['pkcs12', '-in', store, '-info', '-noout', '-passin', `pass:${PASS}`]);
    expect(info.stdout + info.stderr).toMatch(/MAC: sha256/);
    const listing = (await keytool(['-list', '-keystore', store, '-storepass', PASS])).stdout;
    expect(listing).toMatch(/gw, .*PrivateKeyEntry/);
    expect(listing).toMatch(/first, .*trustedCertEntry/);
  });
});

describe('CLI conventions on these paths', () => {
  it('csr --new-key into a file whose extension names no format asks for --store-format, the option csr has', async () => {
    const result = await hapki(['csr', '--new-key', '--keystore', at('gateway.bin'), '--alias', 'gw', '--subject', 'CN=gw', '--storepass', 'env:P', '--out', at('x.csr')], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^hapki: cannot tell the output format from "[^"]+": give --store-format \(pkcs12\|jks\|jceks\|pem\|der\) \(ERR_USAGE\)\n$/);
    const named = await hapki(['csr', '--new-key', '--keystore', at('gateway.bin'), '--store-format', 'pkcs12', '--alias', 'gw', '--subject', 'CN=gw', '--kty', 'ec', '--storepass', 'env:P', '--out', at('x.csr')], { env });
    expect(named.code, named.stderr).toBe(0);
    expect((await keytool(['-list', '-keystore', at('gateway.bin'), '-storepass', PASS])).stdout).toMatch(/Keystore type: PKCS12[\s\S]*gw, .*PrivateKeyEntry/);
  });

  it('keytool\'s store names (.keystore, .truststore, .ks, none at all, as cacerts) are PKCS12, keytool\'s default type: convert, export and csr --new-key write one', async () => {
    const source = at('names-source.p12');
    await keytool(['-genkeypair', '-alias', 'gw', '-keyalg', 'EC', '-dname', 'CN=gw.example.com', '-storetype', 'PKCS12', '-keystore', source, '-storepass', PASS]);
    await keytool(['-importcert', '-noprompt', '-alias', 'ca', '-file', ca.cert, '-storetype', 'PKCS12', '-keystore', source, '-storepass', PASS]);
    for (const name of ['server.keystore', 'client.truststore', 'node.ks', 'cacerts']) {
      const converted = await hapki(['convert', source, at(name), '--storepass', 'env:P'], { env });
      expect(converted.code, converted.stderr).toBe(0);
      expect(converted.stderr).toContain('(PKCS12)');
      // keytool -list without -storetype, as its users type it
      const listing = (await keytool(['-list', '-keystore', at(name), '-storepass', PASS])).stdout;
      expect(listing).toMatch(/Keystore type: PKCS12[\s\S]*ca, .*trustedCertEntry[\s\S]*gw, .*PrivateKeyEntry/);
    }
    const exported = await hapki(['export', source, '--alias', 'gw', '--what', 'all', '--out', at('gw-only.keystore'), '--storepass', 'env:P'], { env });
    expect(exported.code, exported.stderr).toBe(0);
    expect((await keytool(['-list', '-keystore', at('gw-only.keystore'), '-storepass', PASS])).stdout).toMatch(/Keystore type: PKCS12[\s\S]*gw, .*PrivateKeyEntry/);
    const made = await hapki(['csr', '--new-key', '--keystore', at('new.keystore'), '--alias', 'gw', '--subject', 'CN=gw', '--kty', 'ec', '--storepass', 'env:P', '--out', at('new.csr')], { env });
    expect(made.code, made.stderr).toBe(0);
    expect((await keytool(['-list', '-keystore', at('new.keystore'), '-storepass', PASS])).stdout).toMatch(/Keystore type: PKCS12[\s\S]*gw, .*PrivateKeyEntry/);
  });

  it('.pkcs12 names PKCS#12 for convert as .p12 does', async () => {
    const result = await hapki(['convert', ca.cert, at('ca.pkcs12'), '--outpass', 'env:P'], { env });
    expect(result.code, result.stderr).toBe(0);
    expect((await keytool(['-list', '-keystore', at('ca.pkcs12'), '-storepass', PASS])).stdout).toMatch(/Keystore type: PKCS12[\s\S]*trustedCertEntry/);
  });
});
