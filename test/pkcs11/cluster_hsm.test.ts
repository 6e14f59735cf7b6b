import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { softHsm, USER_PIN } from '../helpers/softhsm.js';
import { keytool, openssl, tempDir } from '../helpers/tools.js';

/** `apply` on the lab with the cluster CA in SoftHSM: ca.keystore a pkcs11: URI, ca.password the PIN. */
const hsm = softHsm();
const root = tempDir('hapki-hsm-lab-');
const lab = join(root, 'lab');
const env = { ...hsm.env, HSM_PIN: USER_PIN };
const CA = 'pkcs11:token=lab-ca;object=ca';

function run(args: string[]) {
  return hapki(args, { env, cwd: root });
}

beforeAll(async () => {
  await hsm.initToken('lab-ca');
  expect((await run(['lab', lab])).code).toBe(0);
  const made = await run(['ca', 'init', '--subject', 'CN=Lab HSM Root CA,O=Example', '--key', CA, '--pin', 'env:HSM_PIN', '--kty', 'ec', '--cert-out', join(root, 'hsm-ca.pem')]);
  expect(made.code, made.stderr).toBe(0);
  const yaml = readFileSync(join(lab, 'cluster.yaml'), 'utf8');
  const hsmCa = `ca:\n  keystore: '${CA}'\n  password: env:HSM_PIN\n  pkcs11Module: ${hsm.module}\n\n`;
  writeFileSync(join(lab, 'cluster.yaml'), yaml.replace(/^ca:\n[\s\S]*?\n(?=loadBalancer:)/m, hsmCa));
});

describe('apply with the cluster CA in SoftHSM', () => {
  it('issues every node certificate through the HSM, keytool and openssl accept them, and a plan afterwards finds nothing to change', async () => {
    const applied = await run(['apply', join(lab, 'cluster.yaml')]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/issue a certificate for "server"/);
    const listing = (await keytool(['-list', '-v', '-alias', 'server', '-keystore', join(lab, 'gateways/msas1/gateway.jks'), '-storepass:file', join(lab, 'secrets/gateway.pass')])).stdout;
    expect(listing).toContain('Issuer: CN=Lab HSM Root CA, O=Example');
    expect(listing).toContain('DNSName: lbrhost.example.com');
    expect(listing).toContain('Certificate chain length: 2');
    const pem = (await keytool(['-exportcert', '-rfc', '-alias', 'server', '-keystore', join(lab, 'gateways/msas2/gateway.jks'), '-storepass:file', join(lab, 'secrets/gateway.pass')])).stdout;
    writeFileSync(join(root, 'msas2.pem'), pem);
    expect((await openssl(['verify', '-CAfile', join(root, 'hsm-ca.pem'), join(root, 'msas2.pem')])).stdout).toContain('msas2.pem: OK');
    const again = await run(['plan', join(lab, 'cluster.yaml')]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/nothing to change|no changes/i);
  });

  it('a wrong PIN in the cluster file is ERR_PKCS11_PIN naming the CA', async () => {
    const r = await hapki(['plan', join(lab, 'cluster.yaml')], { env: { ...env, HSM_PIN: '000000' }, cwd: root });
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_PKCS11_PIN'));
    expect(r.stderr).toContain('ca (pkcs11:token=lab-ca;object=ca)');
  });
});
