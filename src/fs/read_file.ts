import { MAX_INPUT_BYTES, readLocalFileBytes } from '../transport/local_file.js';
import { remoteFile } from '../transport/remote_file.js';

/**
 * Reads a regular file of bounded size. A FIFO, a device (/dev/zero) or a directory is refused
 * before reading, so hapki never blocks on a named pipe nor reads without end; a pipe handed over
 * as /dev/fd/N (the shell's `<(...)`) is read to its end, within the same bound. An `ssh://` location
 * is read over SFTP, with the same checks.
 */
export async function readFileBytes(path: string, maxBytes = MAX_INPUT_BYTES): Promise<Uint8Array> {
  const remote = remoteFile(path);
  if (remote) return remote.transport.readFile(remote.path, maxBytes);
  return readLocalFileBytes(path, maxBytes);
}
