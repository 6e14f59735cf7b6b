import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { FIXTURE_PASSWORD, FIXTURES } from '../helpers/fixtures.js';
import { createSshLab, type SshHost, type SshLab } from '../helpers/sshd.js';

let lab: SshLab;
let host: SshHost;

beforeAll(async () => {
  lab = createSshLab();
  host = await lab.addHost('gw1');
  mkdirSync(join(host.root, 'opt', 'msas'), { recursive: true });
  copyFileSync(join(FIXTURES, 'gateway.jks'), join(host.root, 'opt', 'msas', 'gateway.jks'));
});

afterAll(() => lab?.stop());

const ssh = (): string[] => ['--known-hosts', lab.knownHosts, '--ssh-identity', lab.clientKey, '--ssh-user', 'root'];

describe('ssh:// locations on the command line', () => {
  it('lists a keystore on another host as it lists a local one', async () => {
    const local = await hapki(['list', join(FIXTURES, 'gateway.jks'), '--storepass', 'env:P', '--json'], { env: { P: FIXTURE_PASSWORD } });
    const remote = await hapki(['list', `ssh://127.0.0.1:${host.port}${host.root}/opt/msas/gateway.jks`, '--storepass', 'env:P', '--json', ...ssh()], { env: { P: FIXTURE_PASSWORD } });
    expect(remote.stderr).toBe('');
    expect(remote.code).toBe(0);
    expect(remote.stdout).toBe(local.stdout);
  });

  it('fails in one line naming the host for an unknown host key, a missing file and a bad location', async () => {
    lab.writeKnownHosts([]);
    try {
      const unknown = await hapki(['list', `ssh://127.0.0.1:${host.port}/x.jks`, ...ssh()]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(ONE_LINE_ERROR('ERR_SSH_HOST_UNKNOWN'));
      expect(unknown.stderr).toContain('SHA256:');
    } finally {
      lab.writeKnownHosts();
    }
    const missing = await hapki(['list', `ssh://127.0.0.1:${host.port}${host.root}/absent.jks`, ...ssh()]);
    expect(missing.stderr).toMatch(ONE_LINE_ERROR('ERR_FILE_NOT_FOUND'));
    expect(missing.stderr).toContain(`127.0.0.1:${host.port}`);
    const bad = await hapki(['list', 'ssh://host:99999/x.jks', ...ssh()]);
    expect(bad.stderr).toMatch(ONE_LINE_ERROR('ERR_SSH_LOCATION'));
  });
});
