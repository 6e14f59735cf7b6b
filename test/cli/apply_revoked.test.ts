import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { openssl, tempDir } from '../helpers/tools.js';

const dir = join(tempDir('hapki-apply-revoked-'), 'lab');
const cluster = join(dir, 'cluster.yaml');
const ca = join(dir, 'ca/ca.p12');

describe('apply and the CA record', () => {
  it('apply records what it signs; a certificate revoked in the record is re-issued by the next apply', async () => {
    expect((await hapki(['lab', dir])).code).toBe(0);
    expect((await hapki(['ca', 'set', '--ca', ca, '--crl-url', 'http://pki.example.com/ca.crl'])).code).toBe(0);
    const applied = await hapki(['apply', cluster]);
    expect(applied.code, applied.stderr).toBe(0);
    const issued = JSON.parse((await hapki(['ca', 'issued', '--ca', ca, '--json'])).stdout) as { serial: string; subject: string; by: string; names: string[] }[];
    expect(issued.length).toBeGreaterThanOrEqual(2);
    expect(issued.every((c) => c.by === 'apply')).toBe(true);
    const msas1 = issued.find((c) => c.subject === 'CN=msas1.example.com')!;
    expect(msas1.names).toEqual(expect.arrayContaining(['DNS:msas1.example.com', 'DNS:lbrhost.example.com']));
    // the token certificate apply issued into its home keystore is recorded too
    const token = JSON.parse((await hapki(['list', join(dir, 'token/token.p12'), '--storepass', `file:${join(dir, 'secrets/token.pass')}`, '--json'])).stdout);
    const tokenPem = (await openssl(['pkcs12', '-in', join(dir, 'token/token.p12'), '-nokeys', '-clcerts', '-passin', `file:${join(dir, 'secrets/token.pass')}`])).stdout;
    expect((await openssl(['x509', '-noout', '-ext', 'crlDistributionPoints'], tokenPem)).stdout).toContain('URI:http://pki.example.com/ca.crl');
    const tokenSha = (token as { entries: { chain: { sha256: string }[] }[] }).entries[0]!.chain[0]!.sha256;
    expect(issued.filter((c) => (c as unknown as { profile: string }).profile === 'token')).toEqual([expect.objectContaining({ subject: 'CN=msas-token, O=Example', by: 'apply', sha256: tokenSha })]);

    expect((await hapki(['revoke', '--ca', ca, '--serial', msas1.serial, '--reason', 'keyCompromise'])).code).toBe(0);
    const plan = await hapki(['plan', cluster]);
    expect(plan.stdout).toContain('why: revoked by the CA');
    expect((await hapki(['apply', cluster])).code).toBe(0);
    const after = JSON.parse((await hapki(['ca', 'issued', '--ca', ca, '--json'])).stdout) as { subject: string; revoked?: unknown }[];
    expect(after.filter((c) => c.subject === 'CN=msas1.example.com' && !c.revoked)).toHaveLength(1);
    expect((await hapki(['plan', cluster])).stdout).toContain('no changes');
  });

  it('the cluster file\'s ca.policy refuses a node name outside it unless the node names it (allowed by construction)', async () => {
    const text = readFileSync(cluster, 'utf8').replace(/^ca:\n/m, 'ca:\n  policy: { domains: [corp.example.net] }\n');
    writeFileSync(cluster, text);
    // every name is a node's or the load balancer's: allowed by construction
    expect((await hapki(['plan', cluster])).code).toBe(0);
    writeFileSync(cluster, text.replace(/policy: \{ domains: \[corp\.example\.net\] \}/, 'policy: { domains: ["bad domain"] }'));
    expect((await hapki(['plan', cluster])).stderr).toMatch(ONE_LINE_ERROR('ERR_CLUSTER_FILE'));
  });
});
