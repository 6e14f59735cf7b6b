import { copyFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
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

  // Regression (critical): csr --new-key asked the LOCAL file system whether an ssh:// keystore
  // existed, took every remote keystore for absent, and replaced it with a new store holding only
  // the new key: every other entry was lost, with exit 0.
  it('csr --new-key into a keystore on another host adds the key and keeps every entry; a missing one is created', async () => {
    const dir = join(host.root, 'opt', 'newkey');
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(FIXTURES, 'gateway.jks'), join(dir, 'gateway.jks'));
    const env = { P: FIXTURE_PASSWORD };
    const at = (name: string): string => `ssh://127.0.0.1:${host.port}${dir}/${name}`;
    const aliases = async (name: string): Promise<string[]> => {
      const listed = await hapki(['list', at(name), '--storepass', 'env:P', '--json', ...ssh()], { env });
      expect(listed.code, listed.stderr).toBe(0);
      return (JSON.parse(listed.stdout) as { entries: { alias: string }[] }).entries.map((e) => e.alias).sort();
    };
    const before = await aliases('gateway.jks');
    const r = await hapki(['csr', '--new-key', '--keystore', at('gateway.jks'), '--alias', 'fresh', '--kty', 'ec', '--subject', 'CN=fresh.example.com', '--storepass', 'env:P', '--out', at('fresh.csr'), ...ssh()], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(await aliases('gateway.jks')).toEqual([...before, 'fresh'].sort());
    // a request file already there is not overwritten without --force, there as here
    const again = await hapki(['csr', '--new-key', '--keystore', at('gateway.jks'), '--alias', 'second', '--kty', 'ec', '--subject', 'CN=second.example.com', '--storepass', 'env:P', '--out', at('fresh.csr'), ...ssh()], { env });
    expect(again.stderr).toMatch(ONE_LINE_ERROR('ERR_FILE_EXISTS'));
    expect(await aliases('gateway.jks')).toEqual([...before, 'fresh'].sort());
    const created = await hapki(['csr', '--new-key', '--keystore', at('new.jks'), '--alias', 'only', '--kty', 'ec', '--subject', 'CN=only.example.com', '--storepass', 'env:P', '--out', at('only.csr'), ...ssh()], { env });
    expect(created.code, created.stderr).toBe(0);
    expect(await aliases('new.jks')).toEqual(['only']);
  });

  // Regression: a remote instance named twice was reported as "<cwd>/ssh:/host/... is named twice"
  // (its location made a local path), and ./a.jks beside a.jks was not seen as the same name
  it('token distribute to one remote keystore named twice is refused naming its location', async () => {
    const dir = `${host.root}/opt/msas`;
    const env = { P: FIXTURE_PASSWORD };
    for (const second of ['./gateway.jks', 'x/../gateway.jks', 'gateway.jks']) {
      const r = await hapki(['token', 'distribute', join(FIXTURES, 'gateway.p12'), '--storepass', 'env:P', '--alias', 'token',
        '--to', `ssh://127.0.0.1:${host.port}${dir}/gateway.jks`, '--to', `ssh://127.0.0.1:${host.port}${dir}/${second}`, '--to-storepass', 'env:P', ...ssh()], { env });
      expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_INVALID_ARGUMENT'));
      expect(r.stderr).toContain(`hapki: ssh://127.0.0.1:${host.port}${dir}/gateway.jks is named twice`);
    }
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
    expect(bad.code).toBe(2); // a malformed argument is a usage error, as commander's own
  });

  it('token distribute to a host that refuses the connection fails with the SSH code and the host, not the token code', async () => {
    const local = join(lab.dir, 'local-gateway.jks');
    copyFileSync(join(FIXTURES, 'gateway.jks'), local);
    const port = await closedPort();
    const env = { P: FIXTURE_PASSWORD };
    const r = await hapki(['token', 'distribute', join(FIXTURES, 'gateway.p12'), '--storepass', 'env:P', '--alias', 'token',
      '--to', local, '--to', `ssh://127.0.0.1:${port}/opt/msas/gateway.jks`, '--to-storepass', 'env:P', ...ssh()], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_SSH_CONNECT'));
    expect(r.stderr).toContain(`127.0.0.1:${port}`);
    expect(r.stderr).not.toContain('ERR_TOKEN_DISTRIBUTE_FAILED');
  });
});

/** A loopback port nothing listens on: the OS picks it, then it is closed again. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
