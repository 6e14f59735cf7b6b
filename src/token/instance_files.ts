import { randomBytes } from 'node:crypto';
import { posix, resolve } from 'node:path';
import { IoError, RemoteIoError, SshError } from '../errors.js';
import { localTransport } from '../transport/local_transport.js';
import { readFileBytes } from '../fs/read_file.js';
import type { FileTransport } from '../transport/file_transport.js';
import { remoteFile } from '../transport/remote_file.js';

/**
 * How a token distribution reads instance files while it plans (the local disk or a host over
 * SSH; the cluster plan reads instances as it will leave them, from memory). Writing is not
 * here: distributeToken commits every instance as one change set (src/txn/).
 */
export interface TokenFileLayer {
  read(path: string): Promise<Uint8Array>;
  /** Fails (ERR_IO) when the file could not be replaced: not a regular file, or its directory not writable. */
  assertWritable(path: string): Promise<void>;
}

/** The file layer over the instance files where they are (local, or ssh:// locations). */
export function localTokenFiles(): TokenFileLayer {
  return {
    read: readFileBytes,
    async assertWritable(spec) {
      const remote = remoteFile(spec);
      const transport: FileTransport = remote?.transport ?? localTransport();
      const path = remote?.path ?? resolve(spec);
      const info = await transport.lstat(path);
      if (info?.type === 'symlink') return; // the change set checks whose link it is
      if (!info || info.type !== 'file') throw new IoError(`${spec} is not a regular file`);
      // a real write, not access(): root passes access() on read-only mounts and 0555 directories alike;
      // named like a staged file, so recovery removes it if we die here
      const probe = posix.join(posix.dirname(path), `.${posix.basename(path)}.hapki-${randomBytes(8).toString('hex')}.tmp`);
      try {
        await transport.createExclusive(probe, new Uint8Array(0), 0o600);
      } catch (cause) {
        if (cause instanceof SshError || cause instanceof RemoteIoError) throw cause;
        throw new IoError(`cannot write in ${posix.dirname(spec)}: ${(cause as Error).message}`, { cause });
      } finally {
        await transport.unlink(probe).catch(() => undefined);
      }
      const bak = await transport.lstat(`${path}.bak`);
      if (bak && bak.type !== 'file' && bak.type !== 'symlink') throw new IoError(`${spec}.bak is in the way: it is not a regular file`);
    },
  };
}
