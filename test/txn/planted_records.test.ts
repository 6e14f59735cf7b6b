import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitChangeSet, contentHash } from '../../src/txn/change_set.js';
import { recoverTree } from '../../src/txn/recover_paths.js';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tools.js';

// Regression: a journal or lock file names the files to replace and the staged files to put there.
// hapki recover (and any command settling a directory first) acted on whatever journal or lock it
// found, whoever wrote it: another user who can write in a shared directory (/tmp, a sticky
// drop directory) planted one and had root rename their file over /etc/passwd.

const base = tempDir('hapki-planted-');
chmodSync(base, 0o755);
let n = 0;
/** A shared directory as /tmp is: anybody may create files in it, nobody may replace another's. */
const sticky = (): string => {
  const dir = join(base, `s${++n}`);
  mkdirSync(dir);
  chmodSync(dir, 0o1777);
  return dir;
};
const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;
const TXN = '0123456789abcdef';

/** What another user (nobody) leaves in the shared directory: their content and a journal saying it replaces `victim`. */
function plantJournal(dir: string, victim: string, journalPath: string, owner: number): string {
  const evil = join(dir, `.x.hapki-${TXN}.tmp`);
  writeFileSync(evil, 'root::0:0:owned:/root:/bin/sh\n');
  const journal = {
    version: 1, txn: TXN, created: '2026-01-01T00:00:00Z',
    files: [{ location: 'local', path: victim, old: contentHash(readFileSync(victim)), new: contentHash(readFileSync(evil)), temp: evil }],
  };
  writeFileSync(journalPath, JSON.stringify(journal));
  chownSync(evil, owner, owner);
  chownSync(journalPath, owner, owner);
  return evil;
}

const victimFile = (): string => {
  const victim = join(base, `passwd${++n}`);
  writeFileSync(victim, 'root:x:0:0:root:/root:/bin/bash\n', { mode: 0o644 });
  return victim;
};

describe("another user's journal or lock is never acted on", () => {
  it.runIf(isRoot)("hapki recover leaves another user's journal alone: the file it names is not replaced", async () => {
    const dir = sticky();
    const victim = victimFile();
    plantJournal(dir, victim, join(dir, `.x.hapki-${TXN}.journal`), NOBODY);
    const r = await hapki(['recover', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('root:x:0:0:root:/root:/bin/bash\n');
    expect(r.stdout).toContain(`left ${join(dir, `.x.hapki-${TXN}.journal`)}: another user's hapki file`);
    expect(existsSync(join(dir, `.x.hapki-${TXN}.journal`))).toBe(true);
  });

  it.runIf(isRoot)("a lock of another user's dead process is not taken over (ERR_LOCKED), and the journal it names is not settled", async () => {
    const dir = sticky();
    const victim = victimFile();
    const elsewhere = join(base, `home${++n}`);
    mkdirSync(elsewhere);
    chownSync(elsewhere, NOBODY, NOBODY);
    plantJournal(dir, victim, join(elsewhere, `.j.hapki-${TXN}.journal`), NOBODY);
    const dead = spawnSync('true').pid;
    const target = join(dir, 'out.pem');
    const lock = join(dir, '.out.pem.hapki-lock');
    writeFileSync(lock, JSON.stringify({ host: hostname(), pid: dead, start: '', since: '2026-01-01T00:00:00Z', txn: TXN, files: [{ location: 'local', path: target }], journal: { location: 'local', path: join(elsewhere, `.j.hapki-${TXN}.journal`) } }));
    chownSync(lock, NOBODY, NOBODY);
    await expect(commitChangeSet([{ path: target, action: 'write', content: 'mine' }], { lockTimeoutMs: 0 })).rejects.toMatchObject({ code: 'ERR_LOCKED' });
    expect(readFileSync(victim, 'utf8')).toBe('root:x:0:0:root:/root:/bin/bash\n');
    expect(existsSync(target)).toBe(false);
    const recovered = await recoverTree(dir);
    expect(recovered.foreign).toEqual([lock]);
    expect(recovered.recovered).toEqual([]);
    expect(readFileSync(victim, 'utf8')).toBe('root:x:0:0:root:/root:/bin/bash\n');
  });

  it.runIf(isRoot)("a command writing beside another user's journal fails with ERR_LOCKED, one line, rather than settle it", async () => {
    const dir = sticky();
    const victim = victimFile();
    plantJournal(dir, victim, join(dir, `.out.pem.hapki-${TXN}.journal`), NOBODY);
    const r = await hapki(['ca', 'init', '--kty', 'ec', '--subject', 'CN=planted', '--out', join(dir, 'out.pem'), '--outpass', 'env:P', '--lock-timeout', '0'], { env: { P: 'changeit-1' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_LOCKED'));
    expect(readFileSync(victim, 'utf8')).toBe('root:x:0:0:root:/root:/bin/bash\n');
  });

  it('a journal of our own whose staged file is not the one the write path names is not settled (ERR_RECOVERY_FAILED)', async () => {
    const dir = sticky();
    const victim = victimFile();
    const evil = plantJournal(dir, victim, join(dir, `.x.hapki-${TXN}.journal`), process.getuid?.() ?? 0);
    // the staged file must be .<target>.hapki-<txn>.tmp beside the target; this one is beside x
    expect(evil).not.toBe(join(base, `.${victim.split('/').pop()}.hapki-${TXN}.tmp`));
    await expect(recoverTree(dir)).rejects.toMatchObject({ code: 'ERR_RECOVERY_FAILED' });
    expect(readFileSync(victim, 'utf8')).toBe('root:x:0:0:root:/root:/bin/bash\n');
  });

  // Regression: recover waited for another user's empty guard to age (10 s each) and then removed
  // it, or, not being root, failed on it (ERR_IO: the sticky bit forbids removing it), and so did
  // every command settling the directory first: anybody could block recover in /tmp for good.
  it.runIf(isRoot)("another user's guards and temp files are left alone: recover neither waits for them nor fails on them", async () => {
    const dir = sticky();
    const theirs = ['.f.hapki-lock.takeover', `.g.hapki-${TXN}.recovering`, `.h.pem.hapki-${TXN}.tmp`].map((name) => join(dir, name));
    for (const file of theirs) {
      writeFileSync(file, '');
      chownSync(file, NOBODY, NOBODY);
    }
    const asRoot = await recoverTree(dir);
    expect(asRoot.foreign).toEqual(theirs.slice(0, 2));
    expect(asRoot.removed).toEqual([]);
    // another unprivileged user, who may not remove them
    const r = spawnSync('setpriv', ['--reuid=65533', '--regid=65533', '--clear-groups', '--', process.execPath, join(REPO_ROOT, 'bin', 'hapki.js'), 'recover', dir], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '' } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`left ${theirs[0]}: another user's hapki file`);
    for (const file of theirs) expect(existsSync(file)).toBe(true);
  });
});
