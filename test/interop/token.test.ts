import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { keytool, keytoolFingerprints, tempDir } from '../helpers/tools.js';

const dir = tempDir('hapki-token-interop-');
const env = { STOREPASS: 'changeit', TOKENPASS: 'tokenpass', WRONG: 'not-it' };
const NODES = [
  { file: 'node1.jks', type: 'JKS' },
  { file: 'node2.p12', type: 'PKCS12' },
  { file: 'node3.jceks', type: 'JCEKS' },
] as const;
const paths = NODES.map((n) => join(dir, n.file));
const TO = paths.flatMap((p) => ['--to', p]);
const STOREPASS = ['--to-storepass', 'env:STOREPASS'];

interface ListedEntry {
  type: string;
  sha256: string;
}

/** keytool -list -v, as alias -> entry type and the SHA-256 of its (first) certificate. */
async function keytoolEntries(path: string): Promise<Record<string, ListedEntry>> {
  const { stdout } = await keytool(['-list', '-v', '-keystore', path, '-storepass', 'changeit']);
  const entries: Record<string, ListedEntry> = {};
  for (const block of stdout.split(/^Alias name: /m).slice(1)) {
    const alias = block.slice(0, block.indexOf('\n')).trim();
    entries[alias] = { type: /Entry type: (\w+)/.exec(block)![1]!, sha256: keytoolFingerprints(block)[0]! };
  }
  return entries;
}

const fileHash = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
const hashes = (): string[] => paths.map(fileHash);

async function issueToken(name: string): Promise<string> {
  const out = join(dir, name);
  const r = await hapki(['token', 'issue', '--self-signed', '--subject', `CN=${name},O=Example`, '--bits', '2048', '--out', out, '--outpass', 'env:TOKENPASS'], { env });
  expect(r.code, r.stderr).toBe(0);
  return /sha256: +([0-9a-f]{64})/.exec(r.stdout)![1]!;
}

async function check(): Promise<{ code: number; stdout: string; stderr: string }> {
  return hapki(['token', 'check', '--instances', join(dir, 'cluster.txt')], { env });
}

let before: Record<string, ListedEntry>[];
let firstToken: string;
let secondToken: string;

beforeAll(async () => {
  await keytool(['-genkeypair', '-alias', 'partner', '-keyalg', 'EC', '-dname', 'CN=partner.example.com', '-keystore', join(dir, 'partner.p12'), '-storetype', 'PKCS12', '-storepass', 'changeit']);
  await keytool(['-exportcert', '-rfc', '-alias', 'partner', '-keystore', join(dir, 'partner.p12'), '-storepass', 'changeit', '-file', join(dir, 'partner.pem')]);
  for (const [i, node] of NODES.entries()) {
    const common = ['-keystore', paths[i]!, '-storetype', node.type, '-storepass', 'changeit', '-keypass', 'changeit'];
    await keytool(['-genkeypair', '-alias', 'ssl', '-keyalg', 'RSA', '-keysize', '2048', '-dname', `CN=node${i + 1}.example.com`, ...common]);
    await keytool(['-importcert', '-noprompt', '-alias', 'partner-ca', '-file', join(dir, 'partner.pem'), ...common]);
  }
  // a key whose password is not the store password: hapki cannot open it, and must keep it as it is
  await keytool(['-genkeypair', '-alias', 'own-pass', '-keyalg', 'EC', '-dname', 'CN=own', '-keystore', paths[0]!, '-storetype', 'JKS', '-storepass', 'changeit', '-keypass', 'ownpass1']);
  // one instance per line, relative paths, the PKCS#12 one with its own password source
  writeFileSync(join(dir, 'cluster.txt'), '# the MSAS cluster\nnode1.jks\nnode2.p12 env:STOREPASS\n\nnode3.jceks  # JCEKS lists without its password\n');
  before = await Promise.all(paths.map(keytoolEntries));
  firstToken = await issueToken('token1.p12');
  secondToken = await issueToken('token2.p12');
});

describe('hapki token distribute with keystores made by keytool', () => {
  it('--dry-run prints the plan and writes nothing', async () => {
    const hashed = hashes();
    const r = await hapki(['token', 'distribute', join(dir, 'token1.p12'), '--storepass', 'env:TOKENPASS', ...TO, ...STOREPASS, '--dry-run'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`node1.jks (JKS): token added (key entry ${firstToken.slice(0, 16)})`);
    expect(r.stdout).toContain('dry run: nothing written');
    expect(hashes()).toEqual(hashed);
  });

  it('puts the same key and chain under the same alias in JKS, PKCS#12 and JCEKS, keeping every other entry', async () => {
    const r = await hapki(['token', 'distribute', join(dir, 'token1.p12'), '--storepass', 'env:TOKENPASS', ...TO, ...STOREPASS], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('wrote node1.jks, node2.p12, node3.jceks');
    for (const [i, path] of paths.entries()) {
      const after = await keytoolEntries(path);
      expect(after['token'], path).toEqual({ type: 'PrivateKeyEntry', sha256: firstToken });
      const { token: _token, ...others } = after;
      expect(others, path).toEqual(before[i]);
      const { stdout } = await keytool(['-list', '-v', '-alias', 'token', '-keystore', path, '-storepass', 'changeit']);
      expect(stdout).toMatch(/KeyUsage \[\s+DigitalSignature\s+Key_Encipherment\s+Data_Encipherment\s+\]/);
    }
    // keytool can use the token key, and the key with its own password is still there under it
    await keytool(['-certreq', '-alias', 'token', '-keystore', paths[0]!, '-storepass', 'changeit', '-file', join(dir, 'token.csr')]);
    await keytool(['-certreq', '-alias', 'own-pass', '-keystore', paths[0]!, '-storepass', 'changeit', '-keypass', 'ownpass1', '-file', join(dir, 'own.csr')]);
    const c = await check();
    expect(c.code, c.stdout + c.stderr).toBe(0);
    expect(c.stdout).toContain('identical on 3 instances');
  });

  it('writes nothing when the third instance cannot be opened (wrong password), and says which and why', async () => {
    const hashed = hashes();
    const r = await hapki(['token', 'distribute', join(dir, 'token2.p12'), '--storepass', 'env:TOKENPASS', ...TO, ...STOREPASS, '--storepass-for', 'node3.jceks=env:WRONG'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_TOKEN_DISTRIBUTE_FAILED'));
    expect(r.stdout).toMatch(/^FAILED node3\.jceks: .*\(ERR_KEYSTORE_PASSWORD\)$/m);
    expect(hashes()).toEqual(hashed);
  });

  it('rotates without an outage: stage, activate, retire, with token check passing at each step', async () => {
    const list = join(dir, 'cluster.txt');
    const step = async (flag: string, token = 'token2.p12'): Promise<string> => {
      const args = flag === '--retire' ? ['token', 'distribute', '--alias', 'token'] : ['token', 'distribute', join(dir, token), '--storepass', 'env:TOKENPASS'];
      const r = await hapki([...args, '--instances', list, ...STOREPASS, flag], { env });
      expect(r.code, r.stderr).toBe(0);
      const c = await check();
      expect(c.code, `${flag}: ${c.stdout}${c.stderr}`).toBe(0);
      return r.stdout;
    };

    await step('--stage');
    for (const path of paths) {
      const e = await keytoolEntries(path);
      expect(e['token']).toEqual({ type: 'PrivateKeyEntry', sha256: firstToken });
      expect(e['token-next']).toEqual({ type: 'trustedCertEntry', sha256: secondToken });
    }
    expect(await step('--stage')).toContain('nothing to write');

    const retireTooEarly = await hapki(['token', 'distribute', '--alias', 'token', '--instances', list, ...STOREPASS, '--retire', '--dry-run'], { env });
    expect(retireTooEarly.code).toBe(0); // nothing to retire yet: no instance has a previous certificate
    expect(retireTooEarly.stdout).toContain('node1.jks (JKS): unchanged');

    await step('--activate');
    for (const [i, path] of paths.entries()) {
      const e = await keytoolEntries(path);
      expect(e['token']).toEqual({ type: 'PrivateKeyEntry', sha256: secondToken });
      expect(e['token-previous']).toEqual({ type: 'trustedCertEntry', sha256: firstToken });
      expect(e['token-next']).toBeUndefined();
      expect(Object.keys(e).sort()).toEqual([...Object.keys(before[i]!), 'token', 'token-previous'].sort());
    }
    expect(await step('--activate')).toContain('nothing to write');

    await step('--retire');
    for (const path of paths) {
      const e = await keytoolEntries(path);
      expect(e['token']).toEqual({ type: 'PrivateKeyEntry', sha256: secondToken });
      expect(e['token-previous']).toBeUndefined();
    }
    await keytool(['-certreq', '-alias', 'token', '-keystore', paths[2]!, '-storepass', 'changeit', '-file', join(dir, 'token2.csr')]);
  });

  it('token check fails, naming the instance, after keytool replaces the token entry there', async () => {
    const common = ['-keystore', paths[1]!, '-storepass', 'changeit'];
    await keytool(['-delete', '-alias', 'token', ...common]);
    await keytool(['-genkeypair', '-alias', 'token', '-keyalg', 'RSA', '-keysize', '2048', '-dname', 'CN=rogue-token', ...common]);
    const c = await check();
    expect(c.code).toBe(1);
    expect(c.stderr).toMatch(ONE_LINE_ERROR('ERR_TOKEN_DRIFT'));
    expect(c.stderr).toContain('node2.p12');
    expect(c.stdout).toMatch(/^node2\.p12 +differs /m);
    expect(c.stdout).toContain(`node2.p12: "token" is `);
    expect(c.stdout).toContain(`where the majority has ${secondToken.slice(0, 16)}`);
    const json = await hapki(['token', 'check', '--instances', join(dir, 'cluster.txt'), '--json'], { env });
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, majority: { sha256: secondToken }, instances: [{ name: 'node1.jks', status: 'ok' }, { name: 'node2.p12', status: 'differs' }, { name: 'node3.jceks', status: 'ok' }] });
  });
});
