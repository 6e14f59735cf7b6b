import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { algorithmIdentifier, octetString, sequence } from '../../src/asn1/der_writer.js';
import { OID } from '../../src/asn1/oids.js';
import { sha256Hex } from '../../src/crypto/digest.js';
import { encodePbeParameters, pbeEncrypt } from '../../src/keystore/jks/pbe_md5_des3.js';
import { readJceks, readJks } from '../../src/keystore/jks/read.js';
import { sealSecretKey } from '../../src/keystore/jks/sealed_object.js';
import { writeJceks, writeJks } from '../../src/keystore/jks/write.js';
import type { Keystore, KeystoreEntry, PrivateKeyEntry } from '../../src/keystore/model.js';
import { opensslKeyAndCert } from '../helpers/keys.js';
import { keytool, keytoolFingerprints, mustRun, openssl, tempDir } from '../helpers/tools.js';

/**
 * keytool (JDK 17) is the judge: stores it makes must read as it lists them, and stores we
 * write must list, sign CSRs and give back their secret keys in the JDK.
 */
const dir = tempDir('hapki-jks-');
const STOREPASS = 'storepass1';
const KEYPASS = 'keypass22';

type Format = 'JKS' | 'JCEKS';

interface Listed {
  type: string;
  fingerprints: string[];
}

/** `keytool -list -v` by alias: entry type and SHA-256 fingerprints in chain order. */
function parseListing(stdout: string): Map<string, Listed> {
  const out = new Map<string, Listed>();
  for (const section of stdout.split(/^Alias name: /m).slice(1)) {
    const alias = section.slice(0, section.indexOf('\n')).trim();
    const type = /Entry type: (\w+)/.exec(section)?.[1] ?? '?';
    out.set(alias, { type, fingerprints: keytoolFingerprints(section) });
  }
  return out;
}

async function list(file: string, format: Format, storepass = STOREPASS): Promise<Map<string, Listed>> {
  const { stdout } = await keytool(['-list', '-v', '-keystore', file, '-storetype', format, '-storepass', storepass]);
  return parseListing(stdout);
}

function fingerprints(entry: KeystoreEntry): string[] {
  if (entry.type === 'private-key') return entry.chain.map(sha256Hex);
  if (entry.type === 'trusted-cert') return [sha256Hex(entry.certificate)];
  return [];
}

const KEYTOOL_TYPE: Record<KeystoreEntry['type'], string> = {
  'private-key': 'PrivateKeyEntry',
  'trusted-cert': 'trustedCertEntry',
  'secret-key': 'SecretKeyEntry',
};

function pemToDer(path: string): Uint8Array {
  const text = readFileSync(path, 'utf8');
  return new Uint8Array(Buffer.from(text.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
}

/** A tiny Java program that opens a JCEKS key through the KeyStore API and prints it. */
const READ_SECRET_JAVA = `
import java.io.FileInputStream;
import java.security.Key;
import java.security.KeyStore;
import java.util.HexFormat;
public class ReadSecret {
  public static void main(String[] a) throws Exception {
    KeyStore ks = KeyStore.getInstance("JCEKS");
    try (FileInputStream in = new FileInputStream(a[0])) { ks.load(in, a[1].toCharArray()); }
    Key k = ks.getKey(a[2], a[3].toCharArray());
    System.out.println(k.getAlgorithm() + " " + k.getFormat() + " " + HexFormat.of().formatHex(k.getEncoded()));
  }
}
`;

async function javaReadSecret(file: string, alias: string, keypass: string): Promise<string> {
  const source = join(dir, 'ReadSecret.java');
  writeFileSync(source, READ_SECRET_JAVA);
  const { stdout } = await mustRun('java', [source, file, STOREPASS, alias, keypass]);
  return stdout.trim();
}

async function certreqVerifies(file: string, format: Format, alias: string, keypass: string): Promise<void> {
  const csr = join(dir, `${format}-${alias}.csr`);
  await keytool(['-certreq', '-alias', alias, '-keystore', file, '-storetype', format, '-storepass', STOREPASS, '-keypass', keypass, '-file', csr]);
  const { stderr, stdout } = await openssl(['req', '-in', csr, '-verify', '-noout']);
  expect(`${stdout}${stderr}`).toMatch(/verify OK/i);
}

describe.each(['JKS', 'JCEKS'] as const)('keytool-made %s keystores', (format) => {
  const file = join(dir, `keytool.${format.toLowerCase()}`);

  beforeAll(async () => {
    const common = ['-keystore', file, '-storetype', format, '-storepass', STOREPASS];
    await keytool(['-genkeypair', '-alias', 'rsa', '-keyalg', 'RSA', '-keysize', '2048', '-dname', 'CN=rsa.example', '-validity', '30', '-keypass', STOREPASS, ...common]);
    await keytool(['-genkeypair', '-alias', 'EC-Key', '-keyalg', 'EC', '-groupname', 'secp256r1', '-dname', 'CN=ec.example', '-validity', '30', '-keypass', KEYPASS, ...common]);
    const cert = join(dir, `${format}-rsa.cer`);
    await keytool(['-exportcert', '-alias', 'rsa', '-file', cert, ...common]);
    await keytool(['-importcert', '-noprompt', '-alias', 'trusted', '-file', cert, ...common]);
    if (format === 'JCEKS') {
      await keytool(['-genseckey', '-alias', 'aes', '-keyalg', 'AES', '-keysize', '256', '-keypass', STOREPASS, ...common]);
    }
  });

  it('reads with the fingerprints keytool lists, and opens every key', async () => {
    const listed = await list(file, format);
    const read = format === 'JKS' ? readJks : readJceks;
    const store = await read(new Uint8Array(readFileSync(file)), { password: STOREPASS, keyPasswords: { 'ec-key': KEYPASS } });
    expect(store.integrityChecked).toBe(true);
    expect(store.warnings).toEqual([]);
    expect(new Set(store.entries.map((e) => e.alias))).toEqual(new Set(listed.keys()));
    for (const entry of store.entries) {
      const want = listed.get(entry.alias)!;
      expect(KEYTOOL_TYPE[entry.type]).toBe(want.type);
      expect(fingerprints(entry)).toEqual(want.fingerprints);
      if (entry.type !== 'trusted-cert') expect(entry.key).toBeDefined();
    }
    const ec = store.entries.find((e) => e.alias === 'ec-key') as PrivateKeyEntry;
    expect(ec.password).toBe(KEYPASS);
    if (format === 'JCEKS') {
      const aes = store.entries.find((e) => e.alias === 'aes');
      expect(aes).toMatchObject({ type: 'secret-key', algorithm: 'AES' });
      const javaSays = await javaReadSecret(file, 'aes', STOREPASS);
      expect(javaSays).toBe(`AES RAW ${Buffer.from((aes as { key: Uint8Array }).key).toString('hex')}`);
    }
  });

  it('lists without a password, leaving the keys sealed', async () => {
    const read = format === 'JKS' ? readJks : readJceks;
    const store = await read(new Uint8Array(readFileSync(file)));
    expect(store.integrityChecked).toBe(false);
    expect(store.warnings).toEqual([`integrity of ${format} keystore not checked: no password given`]);
    for (const entry of store.entries) {
      if (entry.type !== 'trusted-cert') expect(entry.sealed?.reason).toBe('no-password');
    }
  });
});

describe('keystores written by hapki', () => {
  let material: { rsa: PrivateKeyEntry; ec: PrivateKeyEntry; dsa: PrivateKeyEntry; ca: Uint8Array };

  beforeAll(async () => {
    const rsa = await opensslKeyAndCert(dir, 'w-rsa', 'rsa');
    const ec = await opensslKeyAndCert(dir, 'w-ec', 'p256');
    const ca = await opensslKeyAndCert(dir, 'w-ca', 'p256');
    // DSA keys come from keytool (WebCrypto cannot make or use them; they must pass through as PKCS#8).
    const dsaStore = join(dir, 'dsa-source.jks');
    await keytool(['-genkeypair', '-alias', 'dsa', '-keyalg', 'DSA', '-keysize', '2048', '-dname', 'CN=dsa.example', '-validity', '30',
      '-keystore', dsaStore, '-storetype', 'JKS', '-storepass', STOREPASS, '-keypass', STOREPASS]);
    const dsaRead = await readJks(new Uint8Array(readFileSync(dsaStore)), { password: STOREPASS });
    material = {
      rsa: { type: 'private-key', alias: 'RSA-Server', key: pemToDer(rsa.key), chain: [pemToDer(rsa.cert)] },
      ec: { type: 'private-key', alias: 'ec', key: pemToDer(ec.key), chain: [pemToDer(ec.cert)], password: KEYPASS },
      dsa: dsaRead.entries[0] as PrivateKeyEntry,
      ca: pemToDer(ca.cert),
    };
  });

  function storeFor(format: Format): Keystore {
    const entries: KeystoreEntry[] = [
      { ...material.rsa },
      { ...material.ec },
      { ...material.dsa },
      { type: 'trusted-cert', alias: 'ca', certificate: material.ca },
    ];
    if (format === 'JCEKS') {
      entries.push({ type: 'secret-key', alias: 'aes', algorithm: 'AES', key: new Uint8Array(Buffer.from('00112233445566778899aabbccddeeff', 'hex')) });
      entries.push({ type: 'secret-key', alias: 'hmac', algorithm: 'HmacSHA256', key: new Uint8Array(32).fill(0x42), password: KEYPASS });
    }
    return { format, entries, integrityChecked: true, warnings: [] };
  }

  it.each(['JKS', 'JCEKS'] as const)('%s: keytool lists every entry with our fingerprints and types', async (format) => {
    const store = storeFor(format);
    const file = join(dir, `hapki.${format.toLowerCase()}`);
    writeFileSync(file, await (format === 'JKS' ? writeJks : writeJceks)(store, { password: STOREPASS }));
    const listed = await list(file, format);
    expect([...listed.keys()].sort()).toEqual(store.entries.map((e) => e.alias.toLowerCase()).sort());
    for (const entry of store.entries) {
      const want = listed.get(entry.alias.toLowerCase())!;
      expect(want.type).toBe(KEYTOOL_TYPE[entry.type]);
      expect(want.fingerprints).toEqual(fingerprints(entry));
    }
  });

  it.each(['JKS', 'JCEKS'] as const)('%s: keytool signs CSRs with our RSA, EC and DSA keys', async (format) => {
    const file = join(dir, `hapki.${format.toLowerCase()}`);
    await certreqVerifies(file, format, 'rsa-server', STOREPASS);
    await certreqVerifies(file, format, 'ec', KEYPASS);
    await certreqVerifies(file, format, 'dsa', STOREPASS);
  });

  it('JCEKS: the JDK opens our secret keys (through its serial filter) and exports them to PKCS12', async () => {
    const file = join(dir, 'hapki.jceks');
    expect(await javaReadSecret(file, 'aes', STOREPASS)).toBe('AES RAW 00112233445566778899aabbccddeeff');
    expect(await javaReadSecret(file, 'hmac', KEYPASS)).toBe(`HmacSHA256 RAW ${'42'.repeat(32)}`);
    const p12 = join(dir, 'from-hapki.p12');
    for (const [alias, keypass] of [['aes', STOREPASS], ['hmac', KEYPASS]] as const) {
      await keytool(['-importkeystore', '-srckeystore', file, '-srcstoretype', 'JCEKS', '-srcstorepass', STOREPASS, '-srcalias', alias,
        '-srckeypass', keypass, '-destkeystore', p12, '-deststoretype', 'PKCS12', '-deststorepass', STOREPASS]);
    }
    const listed = await list(p12, 'PKCS12' as Format);
    expect(listed.get('aes')?.type).toBe('SecretKeyEntry');
    expect(listed.get('hmac')?.type).toBe('SecretKeyEntry');
  });

  it('JCEKS: the JDK agrees on the key derivation when both salt halves are equal', async () => {
    const salt = new Uint8Array(Buffer.from('a1b2c3d4a1b2c3d4', 'hex'));
    const params = { salt, iterations: 1000 };
    const epki = sequence(algorithmIdentifier(OID.pbeWithMD5AndTripleDES, encodePbeParameters(params)), octetString(pbeEncrypt(material.ec.key!, KEYPASS, params)));
    const sealedSecret = sealSecretKey('AES', new Uint8Array(16).fill(7), KEYPASS, params);
    const store: Keystore = {
      format: 'JCEKS',
      entries: [
        { type: 'private-key', alias: 'eq', chain: material.ec.chain, sealed: { format: 'JCEKS', data: epki, reason: 'no-password' } },
        { type: 'secret-key', alias: 'eqs', algorithm: 'unknown', sealed: { format: 'JCEKS', data: sealedSecret, reason: 'no-password' } },
      ],
      integrityChecked: true,
      warnings: [],
    };
    const file = join(dir, 'equal-halves.jceks');
    writeFileSync(file, await writeJceks(store, { password: STOREPASS }));
    await certreqVerifies(file, 'JCEKS', 'eq', KEYPASS);
    expect(await javaReadSecret(file, 'eqs', KEYPASS)).toBe(`AES RAW ${'07'.repeat(16)}`);
    const back = await readJceks(new Uint8Array(readFileSync(file)), { password: STOREPASS, keyPassword: KEYPASS });
    expect((back.entries[0] as PrivateKeyEntry).key).toEqual(material.ec.key);
  });
});
