import type { FileTransport } from '../fs/transport.js';
import { parseLocation } from './location.js';
import { sharedSshPool } from './ssh/pool.js';

/**
 * The one place a location string becomes a transport and a path on it: `ssh://` and scp-form
 * locations go to the host's SFTP transport (one connection per host per command, from the
 * shared pool); anything else is undefined, meaning the local disk.
 */
export function remoteFile(spec: string): { transport: FileTransport; path: string } | undefined {
  const location = parseLocation(spec);
  if (location.kind === 'local') return undefined;
  const transport = sharedSshPool().transport({ host: location.host, ...(location.user ? { user: location.user } : {}), ...(location.port ? { port: location.port } : {}) });
  return { transport, path: location.path };
}
