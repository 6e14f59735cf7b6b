import type { Command } from 'commander';
import { applyCluster } from '../../cluster/apply_cluster.js';
import { renderApplied } from '../../cluster/apply_text.js';
import { loadClusterWithSsh } from '../../cluster/cluster_ssh.js';
import { clusterPaths } from '../../cluster/cluster_paths.js';
import { settleFiles } from '../../txn/recover_paths.js';
import { restartChangedNodes } from '../../cluster/rollout.js';
import type { CliContext } from '../context.js';
import { EXIT_CODES_HELP } from '../exit_codes.js';
import { warn } from '../io.js';
import { jsonOption, parseWholeNumber, printResult } from '../options.js';
import { addParallelOption } from '../ssh_cli.js';

export function registerApply(program: Command, ctx: CliContext): void {
  addParallelOption(program.command('apply'))
    .description('bring every keystore of a cluster file to what it says: certificates, trust stores, token')
    .argument('<cluster.yaml>', 'the cluster file (see hapki lab for a sample)')
    .option('--no-restart', 'write the files only: restart no node, check no endpoint')
    .option('--batch <n>', 'nodes restarted at once (default 1: one at a time)')
    .addOption(jsonOption('{"cluster", "changed", "written": [files], "steps": [{"kind", "node", "file", "summary"}], "restarted": [{"node", "restarted", "check"}]}'))
    .option('--prune', "also remove peers' superseded certificates from the trust stores (once every node runs its new one)")
    .addHelpText(
      'after',
      `
Does what hapki plan shows: creates the CA if absent (ca.create), re-issues node certificates from
their own keys with the load balancer's names merged in, installs them with the CA as a trusted
entry, adds the replication peers to each trust store, and puts the token on every gateway instance.
A peer's certificate before its re-issue stays trusted (a node not yet restarted still presents it)
until apply --prune.
Each keystore is computed in memory; all are locked and written as one change set, old files kept
as <file>.bak: every keystore is old or every one new, even if apply is killed (the next hapki
command, or hapki recover cluster.yaml, finishes or undoes it). A second apply prints "no changes".
Keystores may be on other hosts (ssh:// locations, or a node's host:); see the global --ssh-*
options. Then each changed node with restart: has it run on its host over SSH, one node at a
time (--batch N), and its endpoint: is probed until it presents the new certificate with a chain
to the cluster CA ("Pass"); the first node failing stops the rollout (ERR_NODE_RESTART,
ERR_NODE_HEALTH). before:/after: run locally around each node's restart.

Examples:
  hapki apply cluster.yaml
  hapki apply cluster.yaml --no-restart
  hapki apply cluster.yaml --batch 2 --known-hosts ./known_hosts --ssh-identity ~/.ssh/ops_ed25519
  hapki lab /tmp/hapki-lab && hapki apply /tmp/hapki-lab/cluster.yaml && hapki apply /tmp/hapki-lab/cluster.yaml
${EXIT_CODES_HELP}`,
    )
    .action(async (file: string, options: { prune?: boolean; json?: boolean; restart: boolean; batch?: string }) => {
      const batch = parseWholeNumber(options.batch, '--batch', 1) ?? 1;
      const cluster = await loadClusterWithSsh(file, { env: ctx.io.env, warn: ctx.passwords.fileWarning });
      // what a killed apply left is settled before the stores are read: else its recovery, done by this
      // apply's own commit, looked like another program's change (ERR_CONCURRENT_CHANGE)
      await settleFiles(clusterPaths(cluster));
      const applied = await applyCluster(cluster, { env: ctx.io.env, warn: ctx.passwords.fileWarning, prune: options.prune === true, restartMarkers: options.restart });
      for (const w of applied.plan.warnings) warn(ctx.io, w);
      if (!options.json) ctx.io.stdout(renderApplied(applied));
      const progress = options.json ? undefined : (line: string): void => ctx.io.stdout(`${line}\n`);
      const restarted = options.restart ? await restartChangedNodes(cluster, applied.plan, { batch, env: ctx.io.env, ...(progress ? { onProgress: progress } : {}) }) : [];
      if (options.json) printResult(ctx, true, { cluster: applied.plan.cluster, changed: applied.written.length > 0, written: applied.written, steps: applied.plan.steps, restarted, warnings: applied.plan.warnings }, () => '');
    });
}
