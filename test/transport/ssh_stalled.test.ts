import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { FIXTURE_PASSWORD, FIXTURES } from '../helpers/fixtures.js';
import { hapkiStoppedAt } from '../helpers/stopped_at.js';
import { createSshLab, installedSftpServer, type SshHost, type SshLab } from '../helpers/sshd.js';

/**
 * A host whose SFTP server stops answering while the SSH connection stays up (the sftp-server
 * stopped, swapped out, stuck on a dead disk): sshd still answers keepalives, so only a bound on
 * each SFTP request ends the wait. Before, hapki waited for ever.
 */
const env = { STOREPASS: FIXTURE_PASSWORD };
let lab: SshLab;
let host: SshHost;
let pidFile: string;
let sshConfig: string;
/** The same host without the tight stall bound: for the steps after the stall, which a loaded machine must not fail. */
let relaxedConfig: string;

beforeAll(async () => {
  lab = createSshLab();
  pidFile = join(lab.dir, 'sftp-server.pids');
  // the sftp-server as sshd runs it, writing its pid first: the test stops only the servers it started
  const wrapper = join(lab.dir, 'sftp-server.sh');
  writeFileSync(wrapper, `#!/bin/sh\necho $$ >> '${pidFile}'\nexec ${installedSftpServer()}\n`);
  chmodSync(wrapper, 0o755);
  host = await lab.addHost('stalled', { sftpServer: wrapper });
  sshConfig = join(lab.dir, 'ssh_config');
  // a bound of 6 s: a stopped server never answers, and a live one on a loaded CI machine answers well within it
  writeFileSync(sshConfig, 'Host *\n  ServerAliveInterval 2\n  ServerAliveCountMax 3\n', { mode: 0o600 });
  relaxedConfig = join(lab.dir, 'ssh_config_relaxed');
  writeFileSync(relaxedConfig, 'Host *\n', { mode: 0o600 });
});
afterAll(() => {
  signalServers('SIGCONT');
  lab?.stop();
});

function signalServers(signal: NodeJS.Signals): void {
  let text = '';
  try {
    text = readFileSync(pidFile, 'utf8');
  } catch {
    return;
  }
  for (const pid of text.split('\n').filter(Boolean)) {
    try {
      process.kill(Number(pid), signal);
    } catch {
      // gone already
    }
  }
}


/** hapki stopped at a write-path step (HAPKI_TEST_STOP_AT); there the host's SFTP servers are stopped, then hapki goes on. */
const stallAt = (args: string[], step: string): ReturnType<typeof hapkiStoppedAt> => hapkiStoppedAt(args, step, () => signalServers('SIGSTOP'), env);

describe('a stalled SFTP server (real sshd, its sftp-server stopped)', () => {
  it('mid-change: ERR_SSH_CONNECT within ServerAliveInterval × ServerAliveCountMax, the keystore old; recover and a rerun finish it', async () => {
    const dir = join(host.root, 'srv', 'mid');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'gw.p12');
    copyFileSync(join(FIXTURES, 'gateway.p12'), file);
    const before = readFileSync(file);
    const location = `ssh://root@127.0.0.1:${host.port}${file}`;
    const flags = ['--known-hosts', lab.knownHosts, '--ssh-identity', lab.clientKey, '--ssh-config', sshConfig];
    const args = ['import', location, '--trusted', join(FIXTURES, 'ca.pem'), '--alias', 'extra', '--storepass', 'env:STOREPASS', ...flags];
    writeFileSync(pidFile, '');
    const run = await stallAt(args, 'locked');
    expect(run.acted).toBe(true);
    expect(run.stderr).toMatch(ONE_LINE_ERROR('ERR_SSH_CONNECT'));
    expect(run.stderr).toContain('no answer within 6s while trying to finish an SFTP request (the SFTP server on the host is stalled)');
    signalServers('SIGCONT');
    expect(readFileSync(file).equals(before)).toBe(true);
    const relaxed = flags.map((f) => (f === sshConfig ? relaxedConfig : f));
    const recover = await hapki(['recover', `ssh://root@127.0.0.1:${host.port}${dir}`, ...relaxed], { env });
    // the lock left on the host (its connection closed) is a dead process's: recovered, no error
    expect(recover.stderr).not.toMatch(/ERR_/);
    expect(recover.code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['gw.p12']);
    const again = await hapki(args.map((f) => (f === sshConfig ? relaxedConfig : f)), { env });
    expect(again.code, again.stderr).toBe(0);
    const listed = await hapki(['list', location, '--storepass', 'env:STOREPASS', ...relaxed], { env });
    expect(listed.stdout).toContain('extra');
  });

  it('stalled from the start: ERR_SSH_CONNECT naming the host, not a wait without end', async () => {
    const dir = join(host.root, 'srv', 'start');
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(FIXTURES, 'gateway.p12'), join(dir, 'gw.p12'));
    writeFileSync(pidFile, '');
    // every sftp-server is stopped as soon as its pid is written, before it answers SFTP's first message
    const watcher = setInterval(() => signalServers('SIGSTOP'), 2);
    try {
      const r = await hapki(['list', `ssh://root@127.0.0.1:${host.port}${join(dir, 'gw.p12')}`, '--storepass', 'env:STOREPASS', '--known-hosts', lab.knownHosts, '--ssh-identity', lab.clientKey, '--ssh-config', sshConfig], { env });
      expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_SSH_CONNECT'));
      expect(r.stderr).toContain(`ssh://root@127.0.0.1:${host.port}: no answer within 6s`);
    } finally {
      clearInterval(watcher);
      signalServers('SIGCONT');
    }
  });
});
