import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labClusterYaml } from '../../src/cluster/lab_layout.js';
import { loadClusterFile, parseClusterFile } from '../../src/cluster/load_cluster_file.js';
import { ClusterFileError } from '../../src/errors.js';
import { tempDir } from '../helpers/tools.js';

const MINIMAL = `ca:
  keystore: ca/ca.p12
  password: env:CAPASS
gateway:
  name: msas
  instances:
    - name: msas1
      keystore: gw/msas1.jks
      password: file:secrets/store.pass
    - name: msas2
      keystore: gw/msas2.jks
      password: file:secrets/store.pass
`;

function problems(text: string): string[] {
  try {
    parseClusterFile(text, 'cluster.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ClusterFileError);
    expect(error).toMatchObject({ code: 'ERR_CLUSTER_FILE' });
    return [...(error as ClusterFileError).problems];
  }
  throw new Error('the cluster file was accepted');
}

describe('parseClusterFile', () => {
  it('fills in defaults and resolves paths against the file\'s directory', () => {
    const cluster = parseClusterFile(MINIMAL, '/etc/hapki/cluster.yaml');
    expect(cluster.ca).toEqual({ keystore: '/etc/hapki/ca/ca.p12', password: { kind: 'env', name: 'CAPASS' }, alias: 'ca' });
    expect(cluster.gateway.instances[1]).toEqual({ name: 'msas2', keystore: '/etc/hapki/gw/msas2.jks', password: { kind: 'file', path: '/etc/hapki/secrets/store.pass' }, alias: 'server', hostnames: [] });
    expect(cluster.renewal).toEqual({ windowDays: 30, days: 397 });
    expect(cluster.audit).toEqual({ warnDays: 30, critDays: 7 });
    expect(cluster.loadBalancer.names).toEqual([]);
    expect(cluster.replication).toBeUndefined();
    expect(cluster.warnings).toEqual([]);
  });

  it('reads the lab\'s file, every section', () => {
    const cluster = parseClusterFile(labClusterYaml(), '/lab/cluster.yaml');
    expect(cluster.ca.create).toEqual({ subject: 'CN=Example Lab Root CA,O=Example', key: { kty: 'rsa', bits: 3072 }, days: 3650 });
    expect(cluster.replication?.mode).toBe('direct');
    expect(cluster.replication?.slaves.map((s) => s.truststore)).toEqual(['/lab/standby1/truststore.p12', '/lab/standby2/truststore.p12']);
    expect(cluster.replication?.master.truststorePassword).toEqual({ kind: 'file', path: '/lab/secrets/replication.pass' });
    expect(cluster.token).toMatchObject({ alias: 'token', days: 730, keystore: '/lab/token/token.p12', key: { kty: 'rsa', bits: 3072 } });
    expect(cluster.renewal).toEqual({ windowDays: 30, days: 397 });
  });

  it('points a missing field at its parent\'s line', () => {
    const text = MINIMAL.replace('      keystore: gw/msas2.jks\n', '');
    expect(problems(text)).toEqual(['cluster.yaml:10: gateway.instances[1].keystore: required']);
  });

  it('names unknown keys, with the keys it expected', () => {
    expect(problems(`${MINIMAL}renewal:\n  windw: 30d\n`)).toEqual(['cluster.yaml:14: renewal.windw: unknown key (expected window, days)']);
  });

  it('names wrong types and bad values', () => {
    const text = `${MINIMAL.replace('    - name: msas1\n', '    - name: msas1\n      hostnames: msas1.example.com\n')}replication:\n  mode: star\n  master: { name: a, keystore: a.p12, password: env:P, truststore: t.p12 }\n  slaves: []\nrenewal: { window: soon, days: 0 }\n`;
    expect(problems(text)).toEqual([
      'cluster.yaml:8: gateway.instances[0].hostnames: must be a list',
      'cluster.yaml:15: replication.mode: must be one of direct, ca',
      'cluster.yaml:17: replication.slaves: needs at least 1 item',
      'cluster.yaml:18: renewal.window: must be a duration: 30d, 4w, 12h or a number of days',
      'cluster.yaml:18: renewal.days: must be at least 1',
    ]);
  });

  it('refuses a validity in days that issuance would refuse, with its line, whatever YAML number form', () => {
    const text = `${MINIMAL.replace('ca:\n', 'ca:\n  create: { subject: CN=CA, days: 36501 }\n')}token: { subject: CN=T, keystore: t.p12, password: env:P, days: 0x7fffffffffffffff }\nrenewal: { days: 99999999 }\n`;
    expect(problems(text)).toEqual([
      'cluster.yaml:2: ca.create.days: must be at most 36500',
      'cluster.yaml:14: token.days: must be at most 36500',
      'cluster.yaml:15: renewal.days: must be at most 36500',
    ]);
  });

  it('puts the first problem and a count in the message', () => {
    const error = (() => {
      try {
        parseClusterFile('gateway: {}\n', 'c.yaml');
      } catch (e) {
        return e as ClusterFileError;
      }
      throw new Error('accepted');
    })();
    expect(error.message).toBe('c.yaml:1: gateway.name: required (and 2 more problems)');
    expect(error.problems).toEqual(['c.yaml:1: gateway.name: required', 'c.yaml:1: gateway.instances: required', 'c.yaml:1: ca: required']);
  });

  it('checks password sources, subjects and names', () => {
    const text = MINIMAL.replace('password: env:CAPASS', 'password: hunter2').replace('    - name: msas2\n', '    - name: msas2\n      hostnames: ["not a host"]\n') + 'token: { subject: "no name here", keystore: t.p12, password: "env:" }\n';
    const found = problems(text);
    expect(found[0]).toBe('cluster.yaml:3: ca.password: a password source is env:NAME, file:PATH or pass:TEXT');
    expect(found[1]).toMatch(/^cluster\.yaml:11: gateway\.instances\[1\]\.hostnames\[0\]: subject alternative name "not a host"/);
    expect(found[2]).toMatch(/^cluster\.yaml:14: token\.subject: /);
    expect(found[3]).toBe('cluster.yaml:14: token.password: env: needs a variable name');
    expect(found.join('\n')).not.toContain('hunter2');
  });

  it('refuses two nodes with one name or one file, and a renewal window longer than a certificate lasts', () => {
    const text = MINIMAL.replace('name: msas2', 'name: msas1').replace('gw/msas2.jks', 'gw/msas1.jks') + 'renewal: { window: 400d }\n';
    expect(problems(text)).toEqual([
      'cluster.yaml:10: gateway.instances[1].name: the same name as gateway.instances[0].name',
      'cluster.yaml:11: gateway.instances[1].keystore: the same file as gateway.instances[0].keystore',
      'cluster.yaml:13: renewal.window: must be shorter than the 397 days a certificate is issued for, or every apply would renew',
    ]);
  });

  // regression: every syntax error was said to be on line 1 (the error's line was never computed)
  it('reports YAML syntax errors with their line', () => {
    expect(problems('ca:\n  keystore: [a\n')[0]).toMatch(/^cluster\.yaml:\d+: YAML: /);
    expect(problems('ca:\n  keystore: ca.p12\n  alias: ca: x\n')).toEqual(['cluster.yaml:3: YAML: Nested mappings are not allowed in compact mappings']);
    // an unclosed quote is found where the file ends; its text (a password) is never quoted
    expect(problems('ca:\n  keystore: ca.p12\n  alias: ca\n  password: "pass:hunter2\n')).toEqual(['cluster.yaml:5: YAML: Missing closing "quote']);
    expect(problems('ca: 1\nca: 2\n')[0]).toMatch(/^cluster\.yaml:\d: YAML: /);
  });

  // regression: the pass: warning said "prefer env: or file:" while the password sat in a file every user could read
  it('a cluster file holding pass: sources and open to others also warns about its mode; a private one does not', async () => {
    const dir = tempDir();
    const file = join(dir, 'cluster.yaml');
    writeFileSync(file, MINIMAL.replace('env:CAPASS', 'pass:s3cret'), { mode: 0o644 });
    chmodSync(file, 0o644);
    const open = await loadClusterFile(file);
    expect(open.warnings).toContain(`${file} holds passwords itself (pass:) and is open to group and others (mode 0644): chmod 600 it`);
    expect(open.warnings.join('\n')).not.toContain('s3cret');
    chmodSync(file, 0o600);
    expect((await loadClusterFile(file)).warnings).toEqual([`${file}: ca.password holds a password itself (pass:); prefer env: or file:`]);
    // no pass: source: a readable cluster file is no secret
    writeFileSync(file, MINIMAL);
    chmodSync(file, 0o644);
    expect((await loadClusterFile(file)).warnings).toEqual([]);
  });

  it('warns about pass: sources, without the password', () => {
    const cluster = parseClusterFile(MINIMAL.replace('env:CAPASS', 'pass:s3cret'), 'cluster.yaml');
    expect(cluster.warnings).toEqual(['cluster.yaml: ca.password holds a password itself (pass:); prefer env: or file:']);
    expect(cluster.literalPasswords).toEqual(['ca.password']);
    expect(parseClusterFile(MINIMAL, 'cluster.yaml').literalPasswords).toEqual([]);
  });

  it('loads from a file, and a missing file is ERR_FILE_NOT_FOUND', async () => {
    const dir = tempDir('hapki-cluster-file-');
    writeFileSync(join(dir, 'cluster.yaml'), MINIMAL);
    expect((await loadClusterFile(join(dir, 'cluster.yaml'))).ca.keystore).toBe(join(dir, 'ca/ca.p12'));
    await expect(loadClusterFile(join(dir, 'nope.yaml'))).rejects.toMatchObject({ code: 'ERR_FILE_NOT_FOUND' });
  });
});
