import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestWithNewKey } from '../../src/issue/create_key_entry.js';
import { emptyKeystore, type KeystoreFormat } from '../../src/keystore/model.js';
import { writeKeystore } from '../../src/keystore/write_keystore.js';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { createSshLab, type SshHost, type SshLab } from '../helpers/sshd.js';
import { tempDir } from '../helpers/tools.js';

/**
 * `trust mesh` and `trust check` with every node's keystore on an sshd "host" of its own: each
 * keystore has its own password, given one line each on standard input (so the passwords are
 * resolved in order before the stores are read, all hosts at once).
 */
const local = tempDir('hapki-trust-ssh-');
let lab: SshLab;
const hosts: SshHost[] = [];
const NODES = [
  { file: 'master.p12', format: 'PKCS12', cn: 'master', password: 'pw-master' },
  { file: 'slave1.jks', format: 'JKS', cn: 'slave1', password: 'pw-slave1' },
  { file: 'slave2.p12', format: 'PKCS12', cn: 'slave2', password: 'pw-slave2' },
] as const;
const TRUST_PASSWORD = 'pw-trust';

const url = (i: number, file: string): string => `ssh://root@127.0.0.1:${hosts[i]!.port}${join(hosts[i]!.root, file)}`;
const ssh = (): string[] => ['--ssh-identity', lab.clientKey, '--known-hosts', lab.knownHosts];
const nodeArgs = (): string[] => ['--master', url(0, NODES[0].file), '--slave', url(1, NODES[1].file), '--slave', url(2, NODES[2].file)];
const nodePasswords = NODES.map((n) => n.password).join('\n');

beforeAll(async () => {
  lab = createSshLab();
  for (const [i, node] of NODES.entries()) {
    hosts.push(await lab.addHost(`node${i}`));
    const { store } = await requestWithNewKey(emptyKeystore(node.format as KeystoreFormat), { alias: node.cn, subject: `CN=${node.cn}.example.com`, key: { kty: 'ec', curve: 'P-256' } });
    writeFileSync(join(hosts[i]!.root, node.file), await writeKeystore(store, { password: node.password }));
  }
});

afterAll(() => lab?.stop());

/** Established TCP connections to a loopback port, from this machine's /proc/net/tcp (state 01). */
function connectionsTo(port: number): number {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync('/proc/net/tcp', 'utf8').split('\n').filter((line) => {
    const f = line.trim().split(/\s+/);
    return f[2] === `0100007F:${hex}` && f[3] === '01';
  }).length;
}

/** The pid of a host's listening sshd (its PidFile). */
const sshdPid = (host: SshHost): number => Number(readFileSync(join(lab.dir, host.name, 'sshd.pid'), 'utf8'));

describe('hapki trust mesh over ssh://', () => {
  it('reads the three nodes on their hosts at once: while the master\'s host does not answer, the slaves\' hosts are already connected', async () => {
    const out = join(local, 'mesh');
    // the master's sshd stops answering (its connections wait in the backlog): only a command that
    // reads the hosts in parallel reaches the slaves' hosts now
    process.kill(sshdPid(hosts[0]!), 'SIGSTOP');
    let bothConnected = false;
    const run = hapki(['trust', 'mesh', ...nodeArgs(), '--out-dir', out, '--storepass', 'stdin', '--outpass', 'stdin', ...ssh()], { input: `${nodePasswords}\n${TRUST_PASSWORD}\n` });
    try {
      for (let i = 0; i < 400 && !bothConnected; i++) {
        bothConnected = connectionsTo(hosts[1]!.port) > 0 && connectionsTo(hosts[2]!.port) > 0;
        if (!bothConnected) await new Promise((r) => setTimeout(r, 25));
      }
    } finally {
      process.kill(sshdPid(hosts[0]!), 'SIGCONT');
    }
    const r = await run;
    expect(bothConnected).toBe(true);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^master\.p12 trusts: slave1\.jks \(CN=slave1\.example\.com\), slave2\.p12 \(CN=slave2\.example\.com\)\n/m);
    expect(r.stdout).toMatch(/^slave1\.jks trusts: master\.p12 \(CN=master\.example\.com\)\n/m);
    expect(r.stdout).toMatch(/^slave2\.p12 trusts: master\.p12 \(CN=master\.example\.com\)\n/m);
    const list = await hapki(['list', join(out, 'master-truststore.p12'), '--storepass', 'env:P', '--json'], { env: { P: TRUST_PASSWORD } });
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).entries.map((e: { alias: string }) => e.alias).sort()).toEqual(['slave1.example.com', 'slave2.example.com']);
  });

  it('trust check reads node keystores and their trust stores on the hosts (--parallel 2), passwords in order', async () => {
    // each node's trust store beside its keystore on its host
    for (const [i, node] of NODES.entries()) {
      const stem = node.file.replace(/\.[^.]+$/, '');
      writeFileSync(join(hosts[i]!.root, `${stem}-truststore.p12`), readFileSync(join(local, 'mesh', `${stem}-truststore.p12`)));
    }
    const stores = NODES.flatMap((node, i) => ['--trust-store-for', `${node.file}=${url(i, `${node.file.replace(/\.[^.]+$/, '')}-truststore.p12`)}`]);
    const r = await hapki(['trust', 'check', ...nodeArgs(), ...stores, '--storepass', 'stdin', '--trustpass', 'stdin', '--parallel', '2', ...ssh()], {
      input: `${nodePasswords}\n${TRUST_PASSWORD}\n${TRUST_PASSWORD}\n${TRUST_PASSWORD}\n`,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('PASS master.p12 -> slave1.jks\nPASS slave1.jks -> master.p12\nPASS master.p12 -> slave2.p12\nPASS slave2.p12 -> master.p12\n');
  });

  it('an unreachable host: one ERR_SSH_CONNECT line naming it, and nothing written', async () => {
    const out = join(local, 'unreachable');
    hosts[2]!.kill();
    try {
      const r = await hapki(['trust', 'mesh', ...nodeArgs(), '--out-dir', out, '--storepass', 'stdin', '--outpass', 'stdin', ...ssh()], { input: `${nodePasswords}\n${TRUST_PASSWORD}\n` });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_SSH_CONNECT'));
      expect(r.stderr).toContain(`ssh://root@127.0.0.1:${hosts[2]!.port}`);
      expect(r.stdout).toBe('');
      expect(existsSync(out)).toBe(false);
    } finally {
      await hosts[2]!.start();
    }
  });
});
