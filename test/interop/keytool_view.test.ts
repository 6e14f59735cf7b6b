import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writePkcs12 } from '../../src/keystore/pkcs12/write.js';
import { hapki } from '../helpers/cli.js';
import { opensslKeyAndCert } from '../helpers/keys.js';
import { keytool, openssl, tempDir } from '../helpers/tools.js';

/**
 * `hapki list --json` against `keytool -list -v` on stores keytool made, every key type it makes
 * (RSA 2048-4096, EC P-256/P-384/P-521, Ed25519), trusted certificates, secret keys, aliases
 * with capitals, spaces and non-ASCII letters, key passwords apart from the store password:
 * same aliases, entry types, fingerprints, serials, validity and creation dates.
 */
const dir = tempDir('hapki-keytool-view-');
const STOREPASS = 'store-pass-1';
const KEYPASS = 'key-pass-22';
const env = { P: STOREPASS, K: KEYPASS };
const at = (name: string): string => join(dir, name);

type StoreType = 'JKS' | 'JCEKS' | 'PKCS12';

interface View {
  alias: string;
  type: string;
  fingerprints: string[];
  serials: string[];
  validity: string[];
  created?: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** keytool -list -v, in UTC and English, by lower-cased alias. */
async function keytoolView(file: string, type: StoreType): Promise<Map<string, View>> {
  const { stdout } = await keytool(['-J-Duser.timezone=UTC', '-list', '-v', '-keystore', file, '-storetype', type, '-storepass', STOREPASS]);
  const views = new Map<string, View>();
  for (const section of stdout.split(/^Alias name: /m).slice(1)) {
    const alias = section.slice(0, section.indexOf('\n')).trim();
    const created = /Creation date: (\w{3}) (\d+), (\d{4})/.exec(section);
    views.set(alias.toLowerCase(), {
      alias: alias.toLowerCase(),
      type: /Entry type: (\w+)/.exec(section)![1]!,
      fingerprints: [...section.matchAll(/SHA256: ([0-9A-F:]+)/g)].map((m) => m[1]!.replace(/:/g, '').toLowerCase()),
      serials: [...section.matchAll(/Serial number: ([0-9a-f]+)/g)].map((m) => m[1]!.replace(/^0+/, '')),
      // "Valid from: Tue Dec 01 14:48:18 UTC 2026 until: ..." to ISO seconds
      validity: [...section.matchAll(/(?:from|until): \w{3} (\w{3}) (\d{2}) (\d{2}:\d{2}:\d{2}) UTC (\d{4})/g)].map(
        (m) => `${m[4]}-${String(MONTHS.indexOf(m[1]!) + 1).padStart(2, '0')}-${m[2]}T${m[3]}`,
      ),
      ...(created ? { created: `${created[3]}-${String(MONTHS.indexOf(created[1]!) + 1).padStart(2, '0')}-${created[2]!.padStart(2, '0')}` } : {}),
    });
  }
  return views;
}

const TYPE = { 'private-key': 'PrivateKeyEntry', 'trusted-cert': 'trustedCertEntry', 'secret-key': 'SecretKeyEntry' } as const;

interface Listed {
  alias: string;
  type: keyof typeof TYPE;
  chain: { sha256: string; serial: string; notBefore: string; notAfter: string }[];
  algorithm?: string;
  bits?: number;
  created?: string;
}

async function hapkiList(file: string, extra: string[] = []): Promise<Listed[]> {
  const result = await hapki(['list', file, '--storepass', 'env:P', '--json', ...extra], { env });
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { entries: Listed[] }).entries;
}

function asView(entry: Listed, withCreated: boolean): View {
  return {
    alias: entry.alias.toLowerCase(),
    type: TYPE[entry.type],
    fingerprints: entry.chain.map((c) => c.sha256),
    serials: entry.chain.map((c) => c.serial.replace(/^0+/, '')),
    validity: entry.chain.flatMap((c) => [c.notBefore.slice(0, 19), c.notAfter.slice(0, 19)]),
    ...(withCreated && entry.created ? { created: entry.created.slice(0, 10) } : {}),
  };
}

const KEYS: readonly [string, string[]][] = [
  ['rsa2048', ['-keyalg', 'RSA', '-keysize', '2048']],
  ['RSA 3072 Key', ['-keyalg', 'RSA', '-keysize', '3072']],
  ['ec-p256', ['-keyalg', 'EC', '-groupname', 'secp256r1']],
  ['EC P-384', ['-keyalg', 'EC', '-groupname', 'secp384r1']],
  ['ec p521 ü', ['-keyalg', 'EC', '-groupname', 'secp521r1']],
  ['Ed25519', ['-keyalg', 'Ed25519']],
];

describe.each(['JKS', 'JCEKS', 'PKCS12'] as const)('a %s store keytool made', (type) => {
  const file = at(`keytool.${type.toLowerCase()}`);
  // keytool ignores -keypass for PKCS#12 (with a warning): its keys are under the store password
  const keypass = type === 'PKCS12' ? STOREPASS : KEYPASS;

  beforeAll(async () => {
    const common = ['-keystore', file, '-storetype', type, '-storepass', STOREPASS];
    for (const [alias, args] of KEYS) {
      await keytool(['-genkeypair', '-alias', alias, ...args, '-dname', `CN=${alias}`, '-validity', '40', '-keypass', alias === 'rsa2048' ? STOREPASS : keypass, ...common]);
    }
    await keytool(['-exportcert', '-alias', 'rsa2048', '-file', at(`${type}.cer`), ...common]);
    await keytool(['-importcert', '-noprompt', '-alias', 'Trusted CA Ü', '-file', at(`${type}.cer`), ...common]);
    if (type !== 'JKS') {
      for (const [alias, algorithm, size] of [['aes', 'AES', '256'], ['HMAC Key', 'HmacSHA256', '256'], ['des3', 'DESede', '168']] as const) {
        await keytool(['-genseckey', '-alias', alias, '-keyalg', algorithm, '-keysize', size, '-keypass', keypass, ...common]);
      }
    }
  }, 120_000);

  it('hapki list --json shows what keytool -list -v shows, creation dates included', async () => {
    const kt = await keytoolView(file, type);
    const listed = await hapkiList(file);
    const views = listed.map((e) => asView(e, true));
    // a PKCS#12 records no date for a trusted certificate: keytool shows the day it loads the file
    if (type === 'PKCS12') for (const view of kt.values()) if (view.type === 'trustedCertEntry') delete view.created;
    expect(new Map(views.map((v) => [v.alias, v]))).toEqual(kt);
    expect(listed.filter((e) => e.type === 'private-key').map((e) => [e.alias.toLowerCase(), e.algorithm, e.bits])).toEqual(
      expect.arrayContaining([
        ['rsa2048', 'RSA', 2048],
        ['rsa 3072 key', 'RSA', 3072],
        ['ec-p256', 'EC P-256', 256],
        ['ec p-384', 'EC P-384', 384],
        ['ec p521 ü', 'EC P-521', 521],
        ['ed25519', 'Ed25519', 255],
      ]),
    );
  });

  it('--keypass as a JKS script gives it opens every key, those under the store password too (keytool ignores -keypass for PKCS#12)', async () => {
    const listed = await hapkiList(file, ['--keypass', 'env:K']);
    expect(listed.filter((e) => e.type === 'private-key')).toHaveLength(6);
    if (type !== 'JKS') {
      // secret keys open with it too: their Java algorithm and size
      expect(listed.filter((e) => e.type === 'secret-key').map((e) => [e.alias.toLowerCase(), e.algorithm, e.bits]).sort()).toEqual([
        ['aes', 'AES', 256],
        ['des3', 'DESede', 168],
        ['hmac key', 'HmacSHA256', 256],
      ]);
    }
    // the key under the store password, and one under the key password, both export
    for (const alias of ['rsa2048', 'EC P-384']) {
      const out = at(`${type}-${alias.replace(/\W/g, '')}.key.pem`);
      const result = await hapki(['export', file, '--alias', alias, '--what', 'key', '--no-encrypt', '--keypass', 'env:K', '--storepass', 'env:P', '--out', out], { env });
      expect(result.code, result.stderr).toBe(0);
      const cert = at(`${type}-${alias.replace(/\W/g, '')}.crt`);
      await keytool(['-exportcert', '-rfc', '-alias', alias, '-file', cert, '-keystore', file, '-storetype', type, '-storepass', STOREPASS]);
      expect((await openssl(['pkey', '-in', out, '-pubout'])).stdout).toBe((await openssl(['x509', '-in', cert, '-pubkey', '-noout'])).stdout);
    }
  });
});

describe('creation dates survive a rewrite', () => {
  it('a PKCS#12 key entry keytool dates 2021-03-04 keeps that date through hapki import, and into JKS through convert', async () => {
    const { key, cert } = await opensslKeyAndCert(dir, 'dated', 'p256');
    const der = (path: string): Uint8Array => new Uint8Array(Buffer.from(readFileSync(path, 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64'));
    const created = new Date('2021-03-04T05:06:07.000Z');
    const file = at('dated.p12');
    writeFileSync(
      file,
      await writePkcs12(
        { format: 'PKCS12', integrityChecked: true, warnings: [], entries: [{ type: 'private-key', alias: 'gw', key: der(key), chain: [der(cert)], created }] },
        { password: STOREPASS },
      ),
    );
    const before = await keytoolView(file, 'PKCS12');
    expect(before.get('gw')?.created).toBe('2021-03-04');

    const ca = await opensslKeyAndCert(dir, 'other-ca', 'p256');
    const imported = await hapki(['import', file, '--alias', 'ca', '--trusted', ca.cert, '--storepass', 'env:P'], { env });
    expect(imported.code, imported.stderr).toBe(0);
    const after = await keytoolView(file, 'PKCS12');
    expect(after.get('gw')?.created).toBe('2021-03-04');
    expect(after.get('ca')?.type).toBe('trustedCertEntry');
    expect((await hapkiList(file)).find((e) => e.alias === 'gw')?.created).toBe(created.toISOString());

    const jks = at('dated.jks');
    const converted = await hapki(['convert', file, jks, '--storepass', 'env:P'], { env });
    expect(converted.code, converted.stderr).toBe(0);
    expect((await keytoolView(jks, 'JKS')).get('gw')?.created).toBe('2021-03-04');
  });
});
