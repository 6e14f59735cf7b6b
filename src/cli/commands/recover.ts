import { resolve } from 'node:path';
import type { Command } from 'commander';
import { clusterPaths } from '../../cluster/cluster_paths.js';
import { localTransport } from '../../transport/local_transport.js';
import { recoverFiles, recoverTree } from '../../txn/recover_paths.js';
import { loadClusterWithSsh } from '../../cluster/cluster_ssh.js';
import { groupByHost, remoteFile } from '../../transport/remote_file.js';
import type { DirectoryRecovery } from '../../txn/recover.js';
import type { CliContext } from '../context.js';
import { EXIT_CODES_HELP } from '../exit_codes.js';
import { resultLine } from '../io.js';
import { jsonOption, printResult } from '../options.js';

export function registerRecover(program: Command, ctx: CliContext): void {
  program
    .command('recover')
    .description('finish or undo changes a killed hapki left part made, and remove its temp files')
    .argument('[target]', 'a directory (searched down to 8 levels; ssh://host/dir on another host) or a cluster file (its keystores\' directories); default: the current directory')
    .addOption(jsonOption('{"recovered": [{"txn", "outcome", "files"}], "removed": [files], "busy": [files], "foreign": [files]}'))
    .addHelpText(
      'after',
      `
A change that spans files (token distribute, apply) keeps a journal until every file is renamed.
recover reads it and brings each file of the change to its new version (or, when that is not
possible, back to its old one), so every file is all old or all new; then it removes the
change's temp files and stale locks. Changes whose process still runs are left alone. Any hapki
command that touches such a file does the same first.

Examples:
  hapki recover /etc/gateway/keystores
  hapki recover ssh://deploy@gw1.example.com/opt/msas/conf
  hapki recover cluster.yaml
${EXIT_CODES_HELP}`,
    )
    .action(async (target: string | undefined, options: { json?: boolean }) => {
      const path = target ?? '.';
      // `hapki recover ssh://host/dir`, as a part-made change over SSH says to run
      const remote = remoteFile(path);
      const info = remote ? undefined : await localTransport().lstat(resolve(path));
      const result = remote ? prefixed(await recoverTree(remote.path, remote.transport), remote.transport.location) : info?.type === 'file' ? await recoverCluster(path, ctx) : await recoverTree(path);
      if (options.json) return printResult(ctx, true, result, () => '');
      for (const r of result.recovered) resultLine(ctx.io, `recovered change ${r.txn}: ${r.outcome}${r.files.length ? ` (${r.files.join(', ')})` : ''}`);
      for (const f of result.removed) resultLine(ctx.io, `removed ${f}`);
      for (const f of result.busy) resultLine(ctx.io, `busy ${f}: a running hapki holds its lock, left alone`);
      for (const f of result.foreign) resultLine(ctx.io, `left ${f}: another user's hapki file (a lock, journal or guard), never acted on (run hapki recover as that user)`);
      if (result.recovered.length + result.removed.length === 0) ctx.io.stdout('nothing to recover\n');
    });
}

/** A host's recovery with its files named as the operator names them (ssh://user@host:port/path). */
function prefixed(result: DirectoryRecovery, where: string): DirectoryRecovery {
  return { recovered: result.recovered, removed: result.removed.map((f) => `${where}${f}`), busy: result.busy.map((f) => `${where}${f}`), foreign: result.foreign.map((f) => `${where}${f}`) };
}

/** A cluster's files, local ones first (the journal of an apply is there), then each host's over SSH. */
async function recoverCluster(file: string, ctx: CliContext): Promise<DirectoryRecovery> {
  const cluster = await loadClusterWithSsh(file, { env: ctx.io.env, warn: ctx.passwords.fileWarning });
  const total: DirectoryRecovery = { recovered: [], removed: [], busy: [], foreign: [] };
  for (const group of groupByHost(clusterPaths(cluster))) {
    const result = group.transport ? await recoverFiles(group.paths, group.transport) : await recoverFiles(group.paths);
    const shown = prefixed(result, group.transport ? group.transport.location : '');
    total.recovered.push(...shown.recovered);
    total.removed.push(...shown.removed);
    total.busy.push(...shown.busy);
    total.foreign.push(...shown.foreign);
  }
  return total;
}
