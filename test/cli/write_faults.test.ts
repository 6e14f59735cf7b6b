import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/crypto/digest.js';
import { createLab } from '../../src/cluster/create_lab.js';
import { writeKeystore } from '../../src/keystore/write_keystore.js';
import { instanceStore } from '../token/fixtures.js';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { openssl, tempDir } from '../helpers/tools.js';

const root = tempDir('hapki-write-faults-');
const env = { STOREPASS: 'changeit' };
const mnt = join(root, 'mnt');
mkdirSync(mnt);
/** Root in this VM can mount a small tmpfs: a real disk that fills up, a real read-only file system. */
const canMount = process.getuid?.() === 0 && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt]).status === 0;
afterAll(() => {
  if (canMount) spawnSync('umount', [mnt]);
});

const snapshot = (dir: string): Record<string, string> =>
  Object.fromEntries((readdirSync(dir, { recursive: true }) as string[]).sort().flatMap((f) => {
    try {
      return [[f, sha256Hex(readFileSync(join(dir, f)))]];
    } catch {
      return [];
    }
  }));

let cert = '';
beforeAll(async () => {
  cert = join(root, 'ca.pem');
  await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(root, 'ca.key'), '-subj', '/CN=fault-ca', '-days', '2', '-out', cert]);
});

describe('faults: one coded line, every file old or new', () => {
  it.runIf(canMount)('a full disk: import fails with ERR_IO saying so, the keystore is unchanged, no temp file is left', async () => {
    const dir = join(mnt, 'full');
    mkdirSync(dir);
    const ks = join(dir, 'gw.jks');
    writeFileSync(ks, await writeKeystore(await instanceStore('JKS', 'gw'), { password: 'changeit' }));
    try {
      writeFileSync(join(mnt, 'filler'), Buffer.alloc(4 * 1024 * 1024));
    } catch {
      // the disk is full now
    }
    const before = snapshot(dir);
    const r = await hapki(['import', ks, '--alias', 'ca', '--trusted', cert, '--storepass', 'env:STOREPASS'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_IO'));
    expect(r.stderr).toMatch(/no space left/);
    expect(snapshot(dir)).toEqual(before);
    expect(readdirSync(dir).filter((f) => f.includes('.hapki-'))).toEqual([]);
  });

  it.runIf(canMount)('a read-only file system: apply fails with ERR_IO (not ERR_INTERNAL), nothing changes', async () => {
    const lab = join(root, 'lab');
    await createLab(lab);
    const ro = join(mnt, 'lab');
    spawnSync('rm', ['-f', join(mnt, 'filler')]);
    cpSync(lab, ro, { recursive: true });
    const before = snapshot(ro);
    expect(spawnSync('mount', ['-o', 'remount,ro', mnt]).status).toBe(0);
    try {
      const r = await hapki(['apply', join(ro, 'cluster.yaml')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_IO'));
      expect(r.stderr).toMatch(/read-only file system/);
      expect(snapshot(ro)).toEqual(before);
    } finally {
      spawnSync('mount', ['-o', 'remount,rw', mnt]);
    }
  }, 120_000);

  it('a live lock holder: ERR_LOCKED naming it after --lock-timeout, the keystore unchanged', async () => {
    const dir = join(root, 'locked');
    mkdirSync(dir);
    const ks = join(dir, 'gw.jks');
    writeFileSync(ks, await writeKeystore(await instanceStore('JKS', 'gw'), { password: 'changeit' }));
    const holder = spawn('sleep', ['60']);
    try {
      writeFileSync(join(dir, '.gw.jks.hapki-lock'), JSON.stringify({ host: hostname(), pid: holder.pid, start: '', since: '2026-12-01T00:00:00Z', txn: 'a'.repeat(16), files: [] }));
      const before = snapshot(dir);
      const r = await hapki(['import', ks, '--alias', 'ca', '--trusted', cert, '--storepass', 'env:STOREPASS', '--lock-timeout', '1'], { env });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_LOCKED'));
      expect(r.stderr).toContain(`pid ${holder.pid} on ${hostname()}`);
      expect(snapshot(dir)).toEqual(before);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('an unsafe path is refused with ERR_UNSAFE_PATH as one line', async () => {
    const dir = join(root, 'unsafe');
    mkdirSync(dir);
    mkdirSync(join(dir, 'out.pem'));
    const ks = join(dir, 'gw.jks');
    writeFileSync(ks, await writeKeystore(await instanceStore('JKS', 'gw'), { password: 'changeit' }));
    const e = await hapki(['export', ks, '--alias', 'ssl', '--what', 'cert', '--out', join(dir, 'out.pem'), '--force', '--storepass', 'env:STOREPASS'], { env });
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(ONE_LINE_ERROR('ERR_UNSAFE_PATH'));
  });

  it("a directory that is missing, or that the user may not write in, is said about the user's file, not hapki's lock", async () => {
    const dir = join(root, 'no-dir');
    mkdirSync(dir);
    const ks = join(dir, 'gw.jks');
    writeFileSync(ks, await writeKeystore(await instanceStore('JKS', 'gw'), { password: 'changeit' }), { mode: 0o644 });
    const missing = await hapki(['export', ks, '--alias', 'ssl', '--what', 'cert', '--out', join(dir, 'absent', 'out.pem'), '--storepass', 'env:STOREPASS'], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(ONE_LINE_ERROR('ERR_IO'));
    expect(missing.stderr).toContain(`cannot write ${join(dir, 'absent', 'out.pem')}: the directory ${join(dir, 'absent')} does not exist`);
    expect(missing.stderr).not.toContain('hapki-lock');
    if (!isRoot) return;
    // the keystore is the user's, its directory root's: keytool would write in place, hapki says why it cannot
    chmodSync(root, 0o755);
    chmodSync(dir, 0o755);
    chownSync(ks, 65534, 65534);
    const denied = spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, join(REPO_ROOT, 'bin', 'hapki.js'), 'import', ks, '--alias', 'ca', '--trusted', cert, '--storepass', 'env:STOREPASS'], { env: { PATH: process.env['PATH'] ?? '', ...env }, encoding: 'utf8' });
    expect(denied.status).toBe(1);
    expect(denied.stderr).toMatch(ONE_LINE_ERROR('ERR_IO'));
    expect(denied.stderr).toContain(`cannot write ${ks}: no permission to create files in ${dir}`);
    expect(denied.stderr).not.toContain('hapki-lock');
  });
});

const isRoot = process.getuid?.() === 0;

describe('as root, in a directory another user can write in', () => {
  const setup = async (name: string): Promise<{ dir: string; ks: string; victim: string }> => {
    const dir = join(root, name);
    mkdirSync(dir);
    chmodSync(dir, 0o1777 & ~0o1000);
    const ks = join(dir, 'gw.jks');
    writeFileSync(ks, await writeKeystore(await instanceStore('JKS', 'gw'), { password: 'changeit' }), { mode: 0o640 });
    const victim = join(root, `${name}-victim`);
    writeFileSync(victim, 'precious');
    return { dir, ks, victim };
  };
  const plant = (target: string, link: string): void => {
    symlinkSync(target, link);
    expect(spawnSync('chown', ['-h', 'nobody', link]).status).toBe(0);
  };

  it.runIf(isRoot)("import does not follow another user's symbolic link at <keystore>.bak: the backup replaces it, with the keystore's owner and mode", async () => {
    const { ks, victim } = await setup('bak-link');
    plant(victim, `${ks}.bak`);
    const r = await hapki(['import', ks, '--alias', 'ca', '--trusted', cert, '--storepass', 'env:STOREPASS'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    const bak = lstatSync(`${ks}.bak`);
    expect([bak.isSymbolicLink(), bak.uid, bak.mode & 0o777]).toEqual([false, 0, 0o640]);
    expect(statSync(ks).mode & 0o777).toBe(0o640);
  });

  // Regression: a keystore rewritten in place by a user who could not give it back to its owner
  // went to that user silently (import as an admin in the keystore's group): the service user that
  // owned it could no longer read it after its next restart.
  it.runIf(isRoot)("import by a user who cannot keep the keystore's owner fails (ERR_IO), one line, the keystore still the owner's and unchanged", async () => {
    const dir = join(root, 'owner-kept');
    mkdirSync(dir);
    chmodSync(root, 0o755);
    chmodSync(dir, 0o777);
    const ks = join(dir, 'gw.jks');
    writeFileSync(ks, await writeKeystore(await instanceStore('JKS', 'gw'), { password: 'changeit' }), { mode: 0o666 });
    chmodSync(ks, 0o666);
    const before = sha256Hex(readFileSync(ks));
    const r = spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, join(REPO_ROOT, 'bin', 'hapki.js'), 'import', ks, '--alias', 'ca', '--trusted', cert, '--storepass', 'env:STOREPASS'], { env: { PATH: process.env['PATH'] ?? '', ...env }, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_IO'));
    expect(r.stderr).toContain(`cannot write ${ks}: it belongs to uid 0, gid 0`);
    const after = statSync(ks);
    expect([after.uid, after.gid, after.mode & 0o777, sha256Hex(readFileSync(ks))]).toEqual([0, 0, 0o666, before]);
    expect(readdirSync(dir).filter((f) => f.includes('.hapki-') || f.endsWith('.bak'))).toEqual([]);
    // root keeps the owner of the file it rewrites
    chownSync(ks, 65534, 65534);
    const asRoot = await hapki(['import', ks, '--alias', 'ca', '--trusted', cert, '--storepass', 'env:STOREPASS'], { env });
    expect(asRoot.code, asRoot.stderr).toBe(0);
    expect([statSync(ks).uid, statSync(ks).gid]).toEqual([65534, 65534]);
  });

  it.runIf(isRoot)("export --force does not write through another user's symbolic link (ERR_UNSAFE_PATH), and does not hand the key to a file another user made", async () => {
    const { dir, ks, victim } = await setup('out-link');
    plant(victim, join(dir, 'key.pem'));
    const r = await hapki(['export', ks, '--alias', 'ssl', '--what', 'key', '--no-encrypt', '--out', join(dir, 'key.pem'), '--force', '--storepass', 'env:STOREPASS'], { env });
    expect(r.code).toBe(1);
    // after the warning about an unencrypted key, one error line
    expect(r.stderr.replace(/^hapki: warning: [^\n]*\n/, '')).toMatch(ONE_LINE_ERROR('ERR_UNSAFE_PATH'));
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    const planted = join(dir, 'theirs.pem');
    writeFileSync(planted, 'made by someone else', { mode: 0o666 });
    chownSync(planted, 65534, 65534);
    chmodSync(planted, 0o666);
    const again = await hapki(['export', ks, '--alias', 'ssl', '--what', 'key', '--no-encrypt', '--out', planted, '--force', '--storepass', 'env:STOREPASS'], { env });
    expect(again.code, again.stderr).toBe(0);
    const out = statSync(planted);
    expect([out.uid, out.gid, out.mode & 0o777]).toEqual([0, 0, 0o600]);
    expect(readFileSync(planted, 'utf8')).toContain('PRIVATE KEY');
  });
});
