import { existsSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { keytool, tempDir } from '../helpers/tools.js';

const root = tempDir('hapki-cli-lab-');

describe('hapki lab', () => {
  it('makes the sample cluster: self-signed JKS instances keytool reads, secrets 0600, and says what to run next', async () => {
    const dir = join(root, 'lab');
    const r = await hapki(['lab', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`made a sample cluster in ${dir}:\n  ${dir}/secrets/ca.pass\n`);
    expect(r.stdout).toContain(`\nnext:\n  hapki plan ${dir}/cluster.yaml\n  hapki apply ${dir}/cluster.yaml\n  hapki audit --cluster ${dir}/cluster.yaml\n`);
    for (const secret of ['ca', 'gateway', 'replication', 'token']) {
      const path = join(dir, 'secrets', `${secret}.pass`);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(readFileSync(path, 'utf8')).toMatch(/^[A-Za-z0-9_-]{24}\n$/);
    }
    expect(statSync(join(dir, 'secrets')).mode & 0o777).toBe(0o700);
    const listing = (await keytool(['-list', '-v', '-keystore', join(dir, 'gateways/msas1/gateway.jks'), '-storepass:file', join(dir, 'secrets/gateway.pass')])).stdout;
    expect(listing).toContain('Keystore type: JKS');
    expect(listing).toContain('Alias name: server\n');
    expect(listing).toContain('Entry type: PrivateKeyEntry');
    expect(listing).toContain('Owner: CN=msas1.example.com\nIssuer: CN=msas1.example.com\n');
    expect(listing).toContain('Your keystore contains 1 entry');
    const ca = (await keytool(['-list', '-keystore', join(dir, 'ca/ca.p12'), '-storepass:file', join(dir, 'secrets/ca.pass')])).stdout;
    expect(ca).toContain('ca, ');
    expect(readFileSync(join(dir, 'cluster.yaml'), 'utf8')).toContain('names: [lbrhost.example.com]');
  });

  it('refuses a directory that is not empty, unless --force', async () => {
    const dir = join(root, 'busy');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine\n');
    const r = await hapki(['lab', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_FILE_EXISTS'));
    expect(r.stderr).toContain('is not empty (use --force');
    const forced = await hapki(['lab', dir, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine\n');
    const again = await hapki(['lab', dir, '--force']);
    expect(again.code, again.stderr).toBe(0);
    expect(statSync(join(dir, 'gateways/msas1/gateway.jks.bak')).isFile()).toBe(true);
  });

  it('apply refuses to create a keystore under an empty password (an empty secrets file), before writing anything', async () => {
    const dir = join(root, 'empty-secret');
    expect((await hapki(['lab', dir])).code).toBe(0);
    writeFileSync(join(dir, 'secrets/token.pass'), '\n');
    const before = readFileSync(join(dir, 'gateways/msas1/gateway.jks'));
    const r = await hapki(['apply', join(dir, 'cluster.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_PASSWORD_SOURCE'));
    expect(r.stderr).toContain('token (token/token.p12): the password is empty');
    expect(existsSync(join(dir, 'token'))).toBe(false);
    expect(readFileSync(join(dir, 'gateways/msas1/gateway.jks')).equals(before)).toBe(true);
  });

  it('has help with examples and exit codes', async () => {
    const r = await hapki(['lab', '--help']);
    expect(r.stdout).toMatch(/Examples:[\s\S]*Exit codes:/);
  });
});

describe('apply keeps to the CA\'s name policy for the token certificate too', () => {
  // regression: the token certificate apply issues skipped the policy its nodes' certificates meet
  it('a token subject naming a host outside the cluster file\'s policy is ERR_POLICY; nothing is written', async () => {
    const dir = join(root, 'token-policy');
    expect((await hapki(['lab', dir])).code).toBe(0);
    const file = join(dir, 'cluster.yaml');
    const yaml = readFileSync(file, 'utf8');
    const edited = yaml.replace('subject: "CN=msas-token,O=Example"', 'subject: "CN=www.bank.test,O=Example"').replace(/^ {2}alias: ca$/m, '  alias: ca\n  policy: { domains: [example.com] }');
    expect(edited).toContain('www.bank.test');
    expect(edited).toContain('policy: { domains: [example.com] }');
    writeFileSync(file, edited);
    const r = await hapki(['apply', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_POLICY'));
    expect(r.stderr).toContain('DNS:www.bank.test');
    expect(existsSync(join(dir, 'token'))).toBe(false);
  });
});
