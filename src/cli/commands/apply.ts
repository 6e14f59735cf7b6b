import type { Command } from 'commander';
import { applyCluster } from '../../cluster/apply_cluster.js';
import { renderApplied } from '../../cluster/apply_text.js';
import { loadClusterFile } from '../../cluster/load_cluster_file.js';
import type { CliContext } from '../context.js';
import { EXIT_CODES_HELP } from '../exit_codes.js';
import { warn } from '../io.js';
import { jsonOption, printResult } from '../options.js';

export function registerApply(program: Command, ctx: CliContext): void {
  program
    .command('apply')
    .description('bring every keystore of a cluster file to what it says: certificates, trust stores, token')
    .argument('<cluster.yaml>', 'the cluster file (see hapki lab for a sample)')
    .addOption(jsonOption('{"cluster", "changed", "written": [files], "steps": [{"kind", "node", "file", "summary"}]}'))
    .option('--prune', "also remove peers' superseded certificates from the trust stores (once every node runs its new one)")
    .addHelpText(
      'after',
      `
Does what hapki plan shows: creates the CA if absent (ca.create), re-issues node certificates from
their own keys with the load balancer's names merged in, installs them with the CA as a trusted
entry, adds the replication peers to each trust store, and puts the token on every gateway instance.
A peer's certificate before its re-issue stays trusted (a node not yet restarted still presents it)
until apply --prune.
Each keystore is computed in memory and written once, atomically, its old file kept as <file>.bak;
a failure leaves each keystore old or new, and running apply again finishes the job. A second
apply prints "no changes".

Examples:
  hapki apply cluster.yaml
  hapki lab /tmp/hapki-lab && hapki apply /tmp/hapki-lab/cluster.yaml && hapki apply /tmp/hapki-lab/cluster.yaml
${EXIT_CODES_HELP}`,
    )
    .action(async (file: string, options: { prune?: boolean; json?: boolean }) => {
      const cluster = await loadClusterFile(file);
      const applied = await applyCluster(cluster, { env: ctx.io.env, prune: options.prune === true });
      for (const w of applied.plan.warnings) warn(ctx.io, w);
      printResult(ctx, options.json, { cluster: applied.plan.cluster, changed: applied.written.length > 0, written: applied.written, steps: applied.plan.steps, warnings: applied.plan.warnings }, () => renderApplied(applied));
    });
}
