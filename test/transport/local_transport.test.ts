import { spawnSync } from 'node:child_process';
import { lstatSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localTransport } from '../../src/transport/local_transport.js';
import { tempDir } from '../helpers/tools.js';

const dir = tempDir('hapki-local-transport-');

describe('LocalTransport.chmod', () => {
  // Regression: chmod(2) by name follows a symbolic link swapped in for the file (a
  // group-writable keystore directory) and made the file it pointed to (/etc/shadow, when root
  // runs hapki) as readable as a certificate. The write path now gives a staged file its mode on
  // the open file (createExclusive); the transport's chmod, which callers may still use, must not
  // follow a link either.
  it('changes the file itself, never what a symbolic link in its place points to', async () => {
    const secret = join(dir, 'shadow');
    writeFileSync(secret, 'secret', { mode: 0o600 });
    const swapped = join(dir, '.out.pem.hapki-0123456789abcdef.tmp');
    symlinkSync(secret, swapped);
    await expect(localTransport().chmod(swapped, 0o644)).rejects.toMatchObject({ code: 'ERR_IO' });
    expect(statSync(secret).mode & 0o777).toBe(0o600);
    expect(lstatSync(swapped).isSymbolicLink()).toBe(true);
  });

  it('refuses a FIFO without blocking, and changes a regular file', async () => {
    const fifo = join(dir, 'fifo');
    expect(spawnSync('mkfifo', ['-m', '600', fifo]).status).toBe(0);
    await expect(localTransport().chmod(fifo, 0o644)).rejects.toMatchObject({ code: 'ERR_IO' });
    expect(statSync(fifo).mode & 0o777).toBe(0o600);
    const file = join(dir, 'file');
    writeFileSync(file, 'x', { mode: 0o600 });
    await localTransport().chmod(file, 0o640);
    expect(statSync(file).mode & 0o777).toBe(0o640);
  });
});
