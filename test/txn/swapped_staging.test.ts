import { chownSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localTransport } from '../../src/transport/local_transport.js';
import { commitChangeSet } from '../../src/txn/change_set.js';
import { swappingStagedFile } from '../helpers/racing_transport.js';
import { tempDir } from '../helpers/tools.js';

const isRoot = process.getuid?.() === 0;

// Regression: the staged file's owner and mode were set by name after it was created (chown,
// chmod), so whoever could write in the directory could swap it for a link to /etc/shadow in
// between: root's hapki then gave that file the keystore's owner and mode.
describe('a staged file swapped for a symbolic link before its owner and mode are set', () => {
  it.runIf(isRoot)('leaves the file the link points to as it was, and writes nothing', async () => {
    const dir = tempDir('hapki-swap-');
    const victim = join(dir, 'shadow');
    writeFileSync(victim, 'root:$6$secret:::', { mode: 0o600 });
    const ks = join(dir, 'gw.p12');
    writeFileSync(ks, 'old', { mode: 0o644 });
    chownSync(ks, 65534, 65534);
    const transport = swappingStagedFile(localTransport(), victim);
    await expect(commitChangeSet([{ path: ks, transport, action: 'update', content: 'new' }])).rejects.toMatchObject({ code: 'ERR_IO' });
    const after = statSync(victim);
    expect([after.uid, after.gid, after.mode & 0o777, readFileSync(victim, 'utf8')]).toEqual([0, 0, 0o600, 'root:$6$secret:::']);
    expect(readFileSync(ks, 'utf8')).toBe('old');
  });
});
