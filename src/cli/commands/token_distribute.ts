import type { Command } from 'commander';
import { TokenDistributeError, UsageError } from '../../errors.js';
import { distributeToken, planTokenDistribution } from '../../token/distribute_token.js';
import { renderTokenDistribution, renderTokenPlan, tokenDistributionJson } from '../../token/distribute_token_text.js';
import { localTokenFiles } from '../../token/instance_files.js';
import { DEFAULT_TOKEN_ALIAS } from '../../token/issue_token.js';
import { tokenStep } from '../../token/rotation.js';
import { tokenKeyEntry, tokenMaterialOf } from '../../token/token_material.js';
import { parseNodeRef } from '../../trust/node_ref.js';
import type { CliContext } from '../context.js';
import { resultLine } from '../io.js';
import { openStoreForCli } from '../open_store.js';
import { settleFiles } from '../../txn/recover_paths.js';
import { collect, jsonOption, printResult } from '../options.js';
import { INSTANCE_HELP, resolveInstances, type InstanceOptions } from './token_instances.js';
import { addParallelOption } from '../ssh_cli.js';
import { TOKEN_DISTRIBUTE_HELP } from '../help/token_distribute.js';

interface DistributeOptions extends InstanceOptions {
  alias?: string;
  storepass?: string;
  keypass?: string;
  stage?: boolean;
  activate?: boolean;
  retire?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

export function registerTokenDistribute(token: Command, ctx: CliContext): void {
  addParallelOption(token.command('distribute'))
    .description('put the token key and chain into every instance keystore of a cluster, all or nothing')
    .argument('[token]', 'the token keystore, "<keystore>#<alias>" to pick its entry (not needed with --retire)')
    .option('--to <keystore>', INSTANCE_HELP.to, collect)
    .option('--instances <file>', INSTANCE_HELP.instances)
    .option('--alias <alias>', 'the token alias in the instance keystores (default: its alias in the token keystore)')
    .option('--storepass <src>', 'token keystore password')
    .option('--keypass <src>', 'token key password, where it differs')
    .option('--to-storepass <src>', INSTANCE_HELP.toStorepass)
    .option('--storepass-for <keystore=src>', INSTANCE_HELP.storepassFor, collect)
    .option('--keypass-for <keystore=src>', 'the existing token entry\'s own key password in one JKS/JCEKS instance (repeatable)', collect)
    .option('--stage', 'rotation step 1: add the new certificate as the trusted entry <alias>-next')
    .option('--activate', 'rotation step 2: switch the key entry, keeping the old certificate as <alias>-previous')
    .option('--retire', 'rotation step 3: remove <alias>-previous (once every instance is activated)')
    .option('--dry-run', 'print what would change and write nothing')
    .addOption(jsonOption('{"step", "alias", "dryRun", "written": [files], "plan": [per instance]}'))
    .addHelpText('after', TOKEN_DISTRIBUTE_HELP)
    .action(async (tokenSpec: string | undefined, options: DistributeOptions) => {
      const step = tokenStep({ stage: options.stage, activate: options.activate, retire: options.retire, token: tokenSpec });
      if ((options.to ?? []).length === 0 && options.instances === undefined) throw new UsageError('name the instance keystores with --to or --instances');
      if ((options.to ?? []).includes('-')) throw new UsageError('token distribute rewrites each instance keystore in place: name its file, not -');
      let material;
      let alias = options.alias;
      const instances = await resolveInstances(ctx, options, true);
      // a killed distribution is settled before anything is read (see settleFiles); a dry run writes nothing
      if (!options.dryRun) await settleFiles([...instances.map((i) => i.path), ...(tokenSpec === undefined || tokenSpec === '-' ? [] : [parseNodeRef(tokenSpec).path])]);
      if (tokenSpec !== undefined) {
        const ref = parseNodeRef(tokenSpec);
        const { store } = await openStoreForCli(ctx, ref.path, options);
        material = tokenMaterialOf(store, ref.alias);
        alias ??= tokenKeyEntry(store, ref.alias).alias;
      }
      const files = localTokenFiles();
      const planOptions = { alias: alias ?? DEFAULT_TOKEN_ALIAS, step, ...(material ? { material } : {}) };
      try {
        const plan = await planTokenDistribution(instances, planOptions, files);
        if (options.dryRun) {
          printResult(ctx, options.json, tokenDistributionJson(plan), () => `${renderTokenPlan(plan)}dry run: nothing written\n`);
          return;
        }
        const result = await distributeToken(plan, files);
        printResult(ctx, options.json, tokenDistributionJson(plan, result), () => renderTokenDistribution(result));
      } catch (error) {
        if (error instanceof TokenDistributeError) for (const f of error.failures) resultLine(ctx.io, `FAILED ${f.instance}: ${f.message} (${f.code})`);
        throw error;
      }
    });
}
