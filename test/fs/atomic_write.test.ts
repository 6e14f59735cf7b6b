import { chmodSync, chownSync, lstatSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/fs/atomic_write.js';
import { tempDir } from '../helpers/tools.js';

const dir = tempDir();

describe('writeFileAtomic', () => {
  it('creates a new file with the mode asked for, and refuses to replace one without force', async () => {
    const path = join(dir, 'new.p12');
    await writeFileAtomic(path, 'one', { mode: 0o600 });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    await expect(writeFileAtomic(path, 'two')).rejects.toMatchObject({ code: 'ERR_FILE_EXISTS' });
    expect(readFileSync(path, 'utf8')).toBe('one');
  });

  it("gives a forced replacement of another file to the caller, mode 0600 for secrets, the old content kept as a 0600 backup", async () => {
    const path = join(dir, 'svc.jks');
    writeFileSync(path, 'old');
    chmodSync(path, 0o644);
    const owned = process.getuid?.() === 0;
    if (owned) chownSync(path, 65534, 65534);
    await writeFileAtomic(path, 'new', { force: true, secret: true });
    const after = statSync(path);
    expect(after.mode & 0o777).toBe(0o600);
    expect(statSync(`${path}.bak`).mode & 0o777).toBe(0o600);
    if (owned) expect([after.uid, statSync(`${path}.bak`).uid]).toEqual([0, 0]);
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(readFileSync(`${path}.bak`, 'utf8')).toBe('old');
  });

  it('replaces the file a symbolic link points to, and the link stays a link', async () => {
    const real = join(dir, 'real.p12');
    const link = join(dir, 'link.p12');
    writeFileSync(real, 'old');
    symlinkSync(real, link);
    await writeFileAtomic(link, 'new', { force: true });
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toBe('new');
  });

  it('leaves no temporary file when the write fails', async () => {
    const before = readdirSync(dir).sort();
    await expect(writeFileAtomic(join(dir, 'no-such-dir', 'x.p12'), 'x')).rejects.toMatchObject({ code: 'ERR_IO' });
    expect(readdirSync(dir).sort()).toEqual(before);
  });
});
