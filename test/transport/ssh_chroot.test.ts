import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { FIXTURE_PASSWORD, FIXTURES } from '../helpers/fixtures.js';
import { createSshLab, createTestUser, type SshHost, type SshLab } from '../helpers/sshd.js';
import { keytool, openssl, tempDir } from '../helpers/tools.js';

/**
 * A chrooted SFTP account, as sshd sets one up for file drops: `ChrootDirectory` (a root-owned
 * tree the account cannot write at its top) with `ForceCommand internal-sftp` and a nologin shell,
 * so no command runs and paths are the jail's. hapki's ssh:// keystore handling works there with
 * SFTP alone: read, the atomic write by posix-rename with its .bak, locks, a kill at any step
 * settled by the next run or `hapki recover`, a change over two files recovered from its journal.
 * Where the account may not write (the jail's root) it is one ERR_SSH_PERMISSION line naming the
 * directory; it was ERR_IO "cannot tell which user the connection acts as".
 */
const USER = 'hapkichroot';
const env = { STOREPASS: FIXTURE_PASSWORD, TOKENPASS: 'tokenpass' };
let lab: SshLab;
let host: SshHost;
let jail: string;
let removeUser: () => void;
let uid: number;
let work: string;

beforeAll(async () => {
  removeUser = createTestUser(USER, '/usr/sbin/nologin', 'the chroot tests create a user');
  uid = Number(execFileSync('id', ['-u', USER], { encoding: 'utf8' }).trim());
  // sshd takes a jail only where every directory above it is root's and writable by no one else: not under /tmp
  jail = mkdtempSync('/run/hapki-chroot-');
  chmodSync(jail, 0o755);
  lab = createSshLab();
  host = await lab.addHost('jail', { sftpServer: 'internal-sftp', config: [`Match User ${USER}`, `  ChrootDirectory ${jail}`, '  ForceCommand internal-sftp'] });
  work = tempDir('hapki-chroot-work-');
  await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(work, 'c.key'), '-subj', '/CN=jailed', '-days', '2', '-out', join(work, 'c.pem')]);
  const issued = await hapki(['token', 'issue', '--self-signed', '--subject', 'CN=jail-token', '--kty', 'ec', '--out', join(work, 'token.p12'), '--outpass', 'env:TOKENPASS'], { env });
  expect(issued.code, issued.stderr).toBe(0);
}, 120_000);

afterAll(() => {
  lab?.stop();
  if (jail) rmSync(jail, { recursive: true, force: true });
  removeUser?.();
});

const flags = (): string[] => ['--known-hosts', lab.knownHosts, '--ssh-identity', lab.clientKey];
/** A path in the jail as the account names it over SFTP. */
const url = (path: string): string => `ssh://${USER}@127.0.0.1:${host.port}${path}`;

/** A directory of the account's in the jail holding gw0.jks, gw1.jks (the fixture): its path in the jail and on this machine. */
function accountDir(name: string): { inJail: string; here: string } {
  const here = join(jail, name);
  mkdirSync(here);
  chownSync(here, uid, uid);
  for (const f of ['gw0.jks', 'gw1.jks']) {
    copyFileSync(join(FIXTURES, 'gateway.jks'), join(here, f));
    chownSync(join(here, f), uid, uid);
  }
  return { inJail: `/${name}`, here };
}
const aliases = async (file: string): Promise<string[]> =>
  [...(await keytool(['-list', '-keystore', file, '-storepass', FIXTURE_PASSWORD])).stdout.matchAll(/^([^,\n]+), [^,]+, [^,]+, (?:PrivateKeyEntry|trustedCertEntry),/gm)].map((m) => m[1]!).sort();
const debris = (dir: string): string[] => readdirSync(dir).filter((f) => f.includes('.hapki-'));

describe('a chrooted SFTP-only account (ChrootDirectory, ForceCommand internal-sftp)', () => {
  it('import: the keystore replaced whole, owner kept, the old one as .bak, nothing left', async () => {
    const { inJail, here } = accountDir('import');
    const before = await aliases(join(here, 'gw0.jks'));
    const r = await hapki(['import', url(`${inJail}/gw0.jks`), '--trusted', join(work, 'c.pem'), '--alias', 'jailed', '--storepass', 'env:STOREPASS', ...flags()], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(await aliases(join(here, 'gw0.jks'))).toEqual([...before, 'jailed'].sort());
    expect(await aliases(join(here, 'gw0.jks.bak'))).toEqual(before);
    expect(statSync(join(here, 'gw0.jks')).uid).toBe(uid);
    expect(debris(here)).toEqual([]);
  });

  it('killed at each step of an import: the rerun settles it and finishes; the .bak is the content before', async () => {
    const { inJail, here } = accountDir('killed');
    let expected = await aliases(join(here, 'gw0.jks'));
    for (const step of ['locked', 'staging', 'staged', 'rechecked', 'replaced-1', 'renamed-1', 'committed']) {
      const args = ['import', url(`${inJail}/gw0.jks`), '--trusted', join(work, 'c.pem'), '--alias', `k-${step}`, '--storepass', 'env:STOREPASS', ...flags()];
      const killed = await hapki(args, { env: { ...env, HAPKI_TEST_CRASH_AT: step } });
      expect(killed.code, step).not.toBe(0);
      const rerun = await hapki(args, { env });
      expect(rerun.code, `${step}: ${rerun.stderr}`).toBe(0);
      expect(await aliases(join(here, 'gw0.jks.bak')), step).toEqual(expected);
      expected = [...expected, `k-${step}`].sort();
      expect(await aliases(join(here, 'gw0.jks')), step).toEqual(expected);
      expect(debris(here), step).toEqual([]);
    }
  }, 120_000);

  it('a change over two keystores killed once its journal is written: hapki recover ssh://… finishes it from the journal', async () => {
    const { inJail, here } = accountDir('journal');
    const args = ['token', 'distribute', join(work, 'token.p12'), '--storepass', 'env:TOKENPASS', '--to', url(`${inJail}/gw0.jks`), '--to', url(`${inJail}/gw1.jks`), '--to-storepass', 'env:STOREPASS', ...flags()];
    const killed = await hapki(args, { env: { ...env, HAPKI_TEST_CRASH_AT: 'journaled' } });
    expect(killed.code).not.toBe(0);
    expect(debris(here).some((f) => f.endsWith('.journal'))).toBe(true);
    const recovered = await hapki(['recover', url(inJail), ...flags()]);
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(recovered.stdout).toMatch(/rolled-forward/);
    for (const f of ['gw0.jks', 'gw1.jks']) expect(await aliases(join(here, f)), f).toContain('token');
    expect(debris(here)).toEqual([]);
  });

  it('a write where the account may not write (the jail\'s root): one ERR_SSH_PERMISSION line naming the directory, nothing made', async () => {
    const { inJail, here } = accountDir('rootless');
    const r = await hapki(['convert', url(`${inJail}/gw0.jks`), url('/gw.p12'), '--storepass', 'env:STOREPASS', '--outpass', 'env:STOREPASS', ...flags()], { env });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_SSH_PERMISSION'));
    expect(r.stderr).toContain('permission denied to create files in / ');
    expect(readdirSync(jail).filter((f) => f !== 'rootless' && !statSync(join(jail, f)).isDirectory())).toEqual([]);
    expect(debris(here)).toEqual([]);
  });
});
