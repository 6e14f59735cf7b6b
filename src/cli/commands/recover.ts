import { resolve } from 'node:path';
import type { Command } from 'commander';
import { clusterPaths } from '../../cluster/cluster_paths.js';
import { loadClusterFile } from '../../cluster/load_cluster_file.js';
import { localTransport } from '../../fs/local_transport.js';
import { recoverFiles, recoverTree } from '../../txn/recover_paths.js';
import type { CliContext } from '../context.js';
import { EXIT_CODES_HELP } from '../exit_codes.js';
import { jsonOption, printResult } from '../options.js';

export function registerRecover(program: Command, ctx: CliContext): void {
  program
    .command('recover')
    .description('finish or undo changes a killed hapki left part made, and remove its temp files')
    .argument('[target]', 'a directory (searched down to 8 levels) or a cluster file (its keystores\' directories); default: the current directory')
    .addOption(jsonOption('{"recovered": [{"txn", "outcome", "files"}], "removed": [files], "busy": [files]}'))
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
  hapki recover cluster.yaml
${EXIT_CODES_HELP}`,
    )
    .action(async (target: string | undefined, options: { json?: boolean }) => {
      const path = target ?? '.';
      const info = await localTransport().lstat(resolve(path));
      const result = info?.type === 'file' ? await recoverFiles(clusterPaths(await loadClusterFile(path))) : await recoverTree(path);
      if (options.json) return printResult(ctx, true, result, () => '');
      for (const r of result.recovered) ctx.io.stdout(`recovered change ${r.txn}: ${r.outcome}${r.files.length ? ` (${r.files.join(', ')})` : ''}\n`);
      for (const f of result.removed) ctx.io.stdout(`removed ${f}\n`);
      for (const f of result.busy) ctx.io.stdout(`busy ${f}: a running hapki holds its lock, left alone\n`);
      if (result.recovered.length + result.removed.length === 0) ctx.io.stdout('nothing to recover\n');
    });
}
