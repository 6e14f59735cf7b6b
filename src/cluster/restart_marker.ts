import { posix } from 'node:path';
import { HapkiError } from '../errors.js';
import { readFileBytes } from '../fs/read_file.js';
import { forEachHost, hostOfLocation } from '../transport/fan_out.js';
import { formatLocation, parseLocation } from '../transport/location.js';
import { commitChangeSet, type FileChange } from '../txn/change_set.js';

/**
 * A restart owed to a node, kept on the node's own host beside its keystore: apply writes it in
 * the same change set as the node's files (so it exists exactly when the new files do) and
 * removes it once the node has restarted and passed its check. A rollout that stopped (a restart
 * that failed, a check that did not pass, a node not reached, apply killed) leaves it there, and
 * the next plan and apply see it: the rerun restarts that node although its files are already
 * new. No state is kept on the operator's machine, so any operator's rerun finishes the job.
 */
export interface RestartOwed {
  node: string;
  /** `ssh://user@host:port/dir/.<keystore>.restart-pending`, or the local path. */
  marker: string;
}

const SUFFIX = '.restart-pending';

/** Where a node's marker lives: a dot-file beside its keystore, on the same host. */
export function restartMarkerOf(keystore: string): string {
  const location = parseLocation(keystore);
  const at = (path: string): string => posix.join(posix.dirname(path), `.${posix.basename(path)}${SUFFIX}`);
  return location.kind === 'ssh' ? formatLocation({ ...location, path: at(location.path) }) : at(location.path);
}


/** The change that records a restart owed to `node` (written with its files). */
export function restartMarkerChange(node: string, keystore: string, now = new Date()): FileChange {
  return {
    path: restartMarkerOf(keystore),
    action: 'update',
    content: `${JSON.stringify({ node, since: now.toISOString(), why: 'its keystores changed; apply removes this once the node restarted and passed its check' })}\n`,
    mode: 0o644,
  };
}

/** The nodes whose marker is there: every host looked at once. */
export async function restartsOwed(nodes: readonly { name: string; keystore: string }[]): Promise<RestartOwed[]> {
  const found: RestartOwed[] = [];
  const owed = new Set<string>();
  await forEachHost(nodes, (n) => hostOfLocation(n.keystore), async (n) => {
    const marker = restartMarkerOf(n.keystore);
    try {
      await readFileBytes(marker, 64 * 1024);
      owed.add(n.name);
    } catch (error) {
      if ((error as HapkiError).code !== 'ERR_FILE_NOT_FOUND') throw error;
    }
  });
  for (const n of nodes) if (owed.has(n.name)) found.push({ node: n.name, marker: restartMarkerOf(n.keystore) });
  return found;
}

/** The node restarted and passed its check: its marker goes (through the write path, under its lock). */
export async function clearRestartMarker(keystore: string): Promise<void> {
  await commitChangeSet([{ path: restartMarkerOf(keystore), action: 'delete' }]);
}
