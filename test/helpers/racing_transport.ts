import { renameSync, symlinkSync } from 'node:fs';
import type { FileTransport } from '../../src/transport/file_transport.js';

/**
 * A real transport with another user in the directory: right after the write path creates its
 * staged file (`.<name>.hapki-<txn>.tmp`), that file is swapped for a symbolic link to `victim`,
 * as someone who may write in the directory could do between two requests. The swap runs on the
 * local disk, so the transport's files must be local ones (an SFTP server on this machine).
 */
export function swappingStagedFile(real: FileTransport, victim: string): FileTransport {
  const createExclusive: FileTransport['createExclusive'] = async (path, bytes, mode, owner) => {
    await real.createExclusive(path, bytes, mode, owner);
    if (/\.hapki-[0-9a-f]{16}\.tmp$/.test(path)) {
      renameSync(path, `${path}.theirs`);
      symlinkSync(victim, path);
    }
  };
  return new Proxy(real, {
    get(target, key) {
      if (key === 'createExclusive') return createExclusive;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
