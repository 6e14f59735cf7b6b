import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { keytool, keytoolFingerprints, openssl, tempDir } from '../helpers/tools.js';

/**
 * `hapki import` run again with what the keystore already holds (a script or an Ansible task run
 * twice): nothing is rewritten and the backup of the state before the first run is kept.
 * The node keystore is keytool's and the CA is openssl's.
 */
const dir = tempDir('hapki-import-rerun-');
const env = { GW: 'gw-pass-1' };
const at = (name: string): string => join(dir, name);
const pass = ['--storepass', 'env:GW'];
let rootFingerprint: string;

beforeAll(async () => {
  await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at('ca.key'), '-subj', '/CN=Rerun Root', '-days', '30',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', at('ca.pem')]);
  await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at('other.key'), '-subj', '/CN=Other Root', '-days', '30',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-out', at('other.pem')]);
  await keytool(['-genkeypair', '-alias', 'msas1', '-keyalg', 'EC', '-groupname', 'secp256r1', '-dname', 'CN=msas1.example.com', '-keystore', at('gw.jks'), '-storetype', 'JKS', '-storepass', env.GW, '-keypass', env.GW]);
  await keytool(['-certreq', '-alias', 'msas1', '-keystore', at('gw.jks'), '-storepass', env.GW, '-file', at('msas1.csr')]);
  await openssl(['x509', '-req', '-in', at('msas1.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial', '-days', '10', '-out', at('msas1.pem')]);
  rootFingerprint = (await openssl(['x509', '-in', at('ca.pem'), '-noout', '-fingerprint', '-sha256'])).stdout.split('=')[1]!.trim();
}, 120_000);

const state = (file: string): { bytes: Buffer; mtimeMs: number } => ({ bytes: readFileSync(file), mtimeMs: statSync(file).mtimeMs });

describe('import run again', () => {
  it('the same reply again: exit 0, "nothing changed", the keystore and its backup untouched', async () => {
    const first = await hapki(['import', at('gw.jks'), '--alias', 'msas1', '--reply', at('msas1.pem'), '--ca', at('ca.pem'), '--trust-root', rootFingerprint, ...pass], { env });
    expect(first.code, first.stderr).toBe(0);
    const installed = state(at('gw.jks'));
    const backup = state(at('gw.jks.bak'));
    const again = await hapki(['import', at('gw.jks'), '--alias', 'msas1', '--reply', at('msas1.pem'), '--json', ...pass], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ written: [], done: ['"msas1" holds this reply already (chain of 2): nothing changed'] });
    expect(state(at('gw.jks'))).toEqual(installed);
    // the backup is still the keystore as keytool made it, before the first import
    expect(state(at('gw.jks.bak'))).toEqual(backup);
    const listing = await keytool(['-list', '-v', '-alias', 'msas1', '-keystore', at('gw.jks'), '-storepass', env.GW]);
    expect(listing.stdout).toMatch(/Certificate chain length: 2/);
  });

  it('the same trusted certificate under the same alias: unchanged; another certificate there is still refused', async () => {
    const store = at('gw.jks');
    const added = await hapki(['import', store, '--alias', 'partner', '--trusted', at('other.pem'), ...pass], { env });
    expect(added.code, added.stderr).toBe(0);
    const before = state(store);
    for (const force of [[], ['--force']]) {
      const again = await hapki(['import', store, '--alias', 'partner', '--trusted', at('other.pem'), '--json', ...force, ...pass], { env });
      expect(again.code, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout).written).toEqual([]);
      expect(again.stderr).toMatch(/"partner" holds this certificate already: nothing changed/);
      expect(state(store)).toEqual(before);
    }
    const other = await hapki(['import', store, '--alias', 'partner', '--trusted', at('ca.pem'), ...pass], { env });
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(ONE_LINE_ERROR('ERR_ALIAS_EXISTS'));
    expect(keytoolFingerprints((await keytool(['-list', '-v', '-alias', 'partner', '-keystore', store, '-storepass', env.GW])).stdout)).toHaveLength(1);
  });

  it('a keystore given as the reply or the trusted certificate is named as one, with the way out; nothing is written', async () => {
    const before = readFileSync(at('gw.jks'));
    await keytool(['-genkeypair', '-alias', 'other', '-keyalg', 'EC', '-groupname', 'secp256r1', '-dname', 'CN=other', '-keystore', at('other.p12'), '-storetype', 'PKCS12', '-storepass', env.GW]);
    for (const [option, file, format] of [['--reply', 'gw.jks', 'JKS'], ['--trusted', 'other.p12', 'PKCS12']] as const) {
      const r = await hapki(['import', at('gw.jks'), '--alias', 'x', option, at(file), ...pass], { env });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_INVALID_ARGUMENT'));
      expect(r.stderr).toContain(`${at(file)}: a ${format} keystore, not certificates: export what it holds first (hapki export`);
    }
    expect(readFileSync(at('gw.jks'))).toEqual(before);
  });

  it('a changed reply is still written, with the backup turned over', async () => {
    await openssl(['x509', '-req', '-in', at('msas1.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial', '-days', '20', '-out', at('msas1-renewed.pem')]);
    const before = readFileSync(at('gw.jks'));
    const renewed = await hapki(['import', at('gw.jks'), '--alias', 'msas1', '--reply', at('msas1-renewed.pem'), '--json', ...pass], { env });
    expect(renewed.code, renewed.stderr).toBe(0);
    expect(JSON.parse(renewed.stdout).written).toEqual([at('gw.jks')]);
    expect(readFileSync(at('gw.jks.bak'))).toEqual(before);
    expect(existsSync(at('gw.jks'))).toBe(true);
  });
});
