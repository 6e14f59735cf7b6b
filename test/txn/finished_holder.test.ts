import { spawnSync } from 'node:child_process';
import { existsSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localTransport } from '../../src/transport/local_transport.js';
import type { FileTransport } from '../../src/transport/file_transport.js';
import type { LockHolder } from '../../src/txn/holder.js';
import { acquireLock, releaseLock } from '../../src/txn/locks.js';
import { lockPathOf } from '../../src/txn/names.js';
import { recoverDirectories } from '../../src/txn/recover.js';
import { tempDir } from '../helpers/tools.js';

// regression: ten `hapki import` runs on one keystore at once: now and then one of them said
// "warning: an interrupted change of store.jks (by pid N ...) was recovered: nothing had been
// replaced yet", though nothing had been interrupted. The writer it waited for had read as the
// lock's holder, then finished (its lock removed) and exited before the waiting one looked at its
// pid: a pid gone was taken for a holder killed with the lock held. The race is made here without
// timing: the lock file is read, then removed, as the finishing holder does, before the pid check.
const dir = tempDir('hapki-finished-holder-');

/** A pid nobody has any more: a process that has run and exited. */
function exitedPid(): number {
  const child = spawnSync('/bin/sh', ['-c', 'echo $$']);
  return Number(String(child.stdout).trim());
}

/** The real transport, except that reading the lock file also removes it afterwards (its holder releasing it and exiting). */
function holderFinishingAfterRead(real: FileTransport, lockPath: string): FileTransport {
  let finished = false;
  const readFile: FileTransport['readFile'] = async (path, limit) => {
    const bytes = await real.readFile(path, limit);
    if (path === lockPath && !finished) {
      finished = true;
      unlinkSync(lockPath);
    }
    return bytes;
  };
  return new Proxy(real, {
    get(target, key) {
      if (key === 'readFile') return readFile;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('a lock whose holder finished while we looked', () => {
  const holderOf = (txn: string, pid: number): LockHolder => ({ host: hostname(), pid, start: '', since: new Date().toISOString(), txn, files: [] });

  it('is not a dead change set: the waiting writer takes the lock, and nothing is "recovered"', async () => {
    const target = join(dir, 'store.jks');
    const lock = lockPathOf(target);
    writeFileSync(lock, JSON.stringify(holderOf('aaaaaaaaaaaaaaaa', exitedPid())), { mode: 0o600 });
    const attempt = await acquireLock(holderFinishingAfterRead(localTransport(), lock), target, holderOf('bbbbbbbbbbbbbbbb', process.pid), Date.now() + 5_000);
    if (!('held' in attempt)) throw new Error(`taken for a dead change set: ${JSON.stringify(attempt.stale)}`);
    expect(attempt.held.txn).toBe('bbbbbbbbbbbbbbbb');
    await releaseLock(attempt.held);
    expect(existsSync(lock)).toBe(false);
  });

  it('a lock still there, of a holder that is gone, is still a dead change set to recover', async () => {
    const target = join(dir, 'killed.jks');
    const lock = lockPathOf(target);
    writeFileSync(lock, JSON.stringify(holderOf('cccccccccccccccc', exitedPid())), { mode: 0o600 });
    const attempt = await acquireLock(localTransport(), target, holderOf('dddddddddddddddd', process.pid), Date.now() + 5_000);
    expect('stale' in attempt && attempt.stale.txn).toBe('cccccccccccccccc');
    unlinkSync(lock);
  });

  it('hapki recover (and every command that settles a directory first) leaves it alone too: nothing reported recovered', async () => {
    const sub = tempDir('hapki-finished-recover-');
    const target = join(sub, 'store.p12');
    writeFileSync(target, 'keystore');
    const lock = lockPathOf(target);
    writeFileSync(lock, JSON.stringify(holderOf('eeeeeeeeeeeeeeee', exitedPid())), { mode: 0o600 });
    const result = await recoverDirectories(holderFinishingAfterRead(localTransport(), lock), [sub]);
    expect(result.recovered).toEqual([]);
    expect(existsSync(target)).toBe(true);
  });
});
