import type { Command } from 'commander';
import { planCluster } from '../../cluster/plan_cluster.js';
import { renderClusterPlan } from '../../cluster/plan_text.js';
import { loadClusterWithSsh } from '../../cluster/cluster_ssh.js';
import { plannedRestarts, renderRestarts } from '../../cluster/rollout.js';
import type { CliContext } from '../context.js';
import { EXIT_CODES_HELP } from '../exit_codes.js';
import { warn } from '../io.js';
import { addParallelOption } from '../ssh_cli.js';

export function registerPlan(program: Command, ctx: CliContext): void {
  addParallelOption(program.command('plan'))
    .description('show what apply would change in every keystore of a cluster file, changing nothing')
    .argument('<cluster.yaml>', 'the cluster file (see hapki lab for a sample)')
    .option('--prune', "also remove peers' superseded certificates from the trust stores (once every node runs its new one)")
    .option('--json', 'print JSON: {"cluster", "steps": [{"kind", "node", "file", "summary", "details"}], "restarts"?: [{"node", "host"?, "endpoint"?, ...}], "warnings"}')
    .addHelpText(
      'after',
      `
Each keystore is listed with its steps: + adds, ~ replaces, - removes. A certificate is re-issued
only when it is not the cluster CA's, lacks a required name, ends within renewal.window, or is not
for its entry's key. Nodes with restart: or endpoint: whose files change are listed last, with the
restart and the TLS check apply does for each. Nothing is written, not even the CA or the token when they are still to be made.

Examples:
  hapki plan cluster.yaml
  hapki lab /tmp/hapki-lab && hapki plan /tmp/hapki-lab/cluster.yaml --json
${EXIT_CODES_HELP}`,
    )
    .action(async (file: string, options: { json?: boolean; prune?: boolean }) => {
      const cluster = await loadClusterWithSsh(file, { env: ctx.io.env, warn: ctx.passwords.fileWarning });
      const plan = await planCluster(cluster, { env: ctx.io.env, warn: ctx.passwords.fileWarning, prune: options.prune === true });
      const restarts = plannedRestarts(cluster, plan);
      for (const w of plan.warnings) warn(ctx.io, w);
      if (options.json) ctx.io.stdout(`${JSON.stringify({ cluster: plan.cluster, steps: plan.steps, ...(restarts.length > 0 ? { restarts } : {}), warnings: plan.warnings }, null, 2)}\n`);
      else ctx.io.stdout(renderClusterPlan(plan) + renderRestarts(restarts));
    });
}
