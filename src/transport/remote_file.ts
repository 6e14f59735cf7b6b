import { lstatSync } from 'node:fs';
import type { FileTransport } from './file_transport.js';
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

/**
 * Paths grouped by where they live: the local ones (transport undefined) and each host's, with
 * that host's transport; each group keeps its paths in order.
 */
export function groupByHost(specs: readonly string[]): { transport: FileTransport | undefined; paths: string[] }[] {
  const groups = new Map<string, { transport: FileTransport | undefined; paths: string[] }>();
  for (const spec of specs) {
    const remote = remoteFile(spec);
    const key = remote ? remote.transport.location : 'local';
    const group = groups.get(key) ?? { transport: remote?.transport, paths: [] };
    group.paths.push(remote ? remote.path : spec);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** Whether anything is at a location (a symlink not followed), on this machine or its host. */
export async function locationExists(spec: string): Promise<boolean> {
  const remote = remoteFile(spec);
  if (remote) return (await remote.transport.lstat(remote.path)) !== undefined;
  try {
    lstatSync(spec);
    return true;
  } catch {
    return false;
  }
}
