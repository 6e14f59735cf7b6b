import { createHash } from 'node:crypto';
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { tempDir } from '../helpers/tools.js';

const dir = join(tempDir('hapki-cli-plan-'), 'lab');
const cluster = join(dir, 'cluster.yaml');

function snapshot(): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const stat = statSync(join(dir, name));
    out.set(name, stat.isFile() ? `${createHash('sha256').update(readFileSync(join(dir, name))).digest('hex')} ${stat.mtimeMs} ${stat.mode}` : 'dir');
  }
  return out;
}

beforeAll(async () => {
  expect((await hapki(['lab', dir])).code).toBe(0);
});

describe('hapki plan', () => {
  it('shows every change and changes nothing: no file added, no byte or mtime changed', async () => {
    const before = snapshot();
    const r = await hapki(['plan', cluster]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toBe(`${cluster}: 20 changes to 9 keystores`);
    expect(r.stdout).toContain('gateways/msas2/gateway.jks (msas2)\n  ~ issue a certificate for "server": CN=msas2.example.com\n      names: DNS:msas2.example.com, DNS:lbrhost.example.com\n');
    expect(r.stdout).toContain('standby2/truststore.p12 (standby2, new file)\n  + create the trust store (PKCS12)\n  + trust "admin.example.com": CN=admin.example.com\n');
    expect(r.stdout).toContain('gateways/msas1/gateway.jks (msas1)');
    expect(r.stdout).toMatch(/ {2}~ install the token "token": CN=msas-token, O=Example\n {6}added key entry "token" sha256 [0-9a-f]{64}\n/);
    expect(snapshot()).toEqual(before);
  });

  it('a cluster file\'s file: password open to others: one warning, once for the two stores that share it', async () => {
    const secret = join(dir, 'secrets/gateway.pass');
    chmodSync(secret, 0o644);
    try {
      const r = await hapki(['plan', cluster]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/^hapki: warning: password of msas1 [^\n]*: the password file [^\n]*secrets\/gateway\.pass is open to group and others \(mode 0644\): chmod 600 it\n$/);
    } finally {
      chmodSync(secret, 0o600);
    }
    expect((await hapki(['plan', cluster])).stderr).toBe('');
  });

  it('prints the steps as JSON, with no key material', async () => {
    const r = await hapki(['plan', cluster, '--json']);
    const json = JSON.parse(r.stdout);
    expect(Object.keys(json)).toEqual(['cluster', 'steps', 'warnings']);
    expect(json.steps[0]).toEqual({ kind: 'issue-token', node: 'token', file: join(dir, 'token/token.p12'), summary: 'issue the token certificate "token": CN=msas-token, O=Example', details: [expect.stringMatching(/^valid until /)] });
  });

  it('reports a cluster file mistake on one line, with the file and line: ERR_CLUSTER_FILE', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, readFileSync(cluster, 'utf8').replace('      keystore: gateways/msas2/gateway.jks\n', ''));
    for (const command of ['plan', 'apply']) {
      const r = await hapki([command, bad]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_CLUSTER_FILE'));
      expect(r.stderr).toMatch(/^hapki: .*bad\.yaml:\d+: gateway\.instances\[1\]\.keystore: required \(ERR_CLUSTER_FILE\)\n$/);
    }
  });

  it('says which node a wrong password belongs to, and writes nothing', async () => {
    const bad = join(dir, 'wrong-pass.yaml');
    writeFileSync(bad, readFileSync(cluster, 'utf8').replace('password: file:secrets/gateway.pass\n      alias: server\n      hostnames: [msas2', 'password: env:WRONG\n      alias: server\n      hostnames: [msas2'));
    const before = snapshot();
    const r = await hapki(['apply', bad], { env: { WRONG: 'nope' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^hapki: msas2 \(gateways\/msas2\/gateway\.jks\): .* \(ERR_KEYSTORE_PASSWORD\)\n$/);
    const after = snapshot();
    after.delete('wrong-pass.yaml');
    before.delete('wrong-pass.yaml');
    expect(after).toEqual(before);
  });

  it('has help with examples and exit codes', async () => {
    for (const command of ['plan', 'apply']) {
      const r = await hapki([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Examples:[\s\S]*Exit codes:/);
    }
  });
});
