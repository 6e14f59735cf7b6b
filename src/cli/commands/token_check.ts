import type { Command } from 'commander';
import { HapkiError, TokenDriftError } from '../../errors.js';
import { readKeystore } from '../../keystore/read_keystore.js';
import { checkTokenConsistency, type TokenCheckInput } from '../../token/check_token.js';
import { renderTokenCheck } from '../../token/check_token_text.js';
import { DEFAULT_TOKEN_ALIAS } from '../../token/issue_token.js';
import type { CliContext } from '../context.js';
import { EXIT_CODES_HELP } from '../exit_codes.js';
import { collect } from '../options.js';
import { oneStdio, readInput } from '../stdio.js';
import { INSTANCE_HELP, resolveInstances, type InstanceOptions } from './token_instances.js';

interface CheckOptions extends InstanceOptions {
  alias: string;
  json?: boolean;
}

export function registerTokenCheck(token: Command, ctx: CliContext): void {
  token
    .command('check')
    .description('check that every instance holds the identical token entry (and the same staged and previous copies)')
    .option('--alias <alias>', 'the token alias', DEFAULT_TOKEN_ALIAS)
    .option('--to <keystore>', `${INSTANCE_HELP.to}; - for standard input (one of them)`, collect)
    .option('--instances <file>', INSTANCE_HELP.instances)
    .option('--to-storepass <src>', `${INSTANCE_HELP.toStorepass} (JKS and JCEKS list without one)`)
    .option('--storepass-for <keystore=src>', INSTANCE_HELP.storepassFor, collect)
    .option('--keypass-for <keystore=src>', "the token key's own password in one instance, as <keystore>=<src> (repeatable)", collect)
    .option('--json', 'print the report as JSON: {"ok", "alias", "majority", "instances": [{"name", "status", "state", "problems"}], "firstToExpire"}')
    .addHelpText('after', `
Exit 1 (ERR_TOKEN_DRIFT) names each instance that differs from the majority, lacks the token, or
cannot be read, and which copy expires first.

Examples:
  hapki token check --to node1.jks --to node2.jks --to node3.jceks
  hapki token check --instances cluster.txt --to-storepass env:STOREPASS --json
${EXIT_CODES_HELP}`)
    .action(async (options: CheckOptions) => {
      oneStdio('input', [['--to', options.to]]);
      const instances = await resolveInstances(ctx, options, false);
      const inputs: TokenCheckInput[] = [];
      for (const instance of instances) {
        try {
          const keyPasswords = instance.keyPassword === undefined ? {} : { keyPasswords: { [options.alias]: instance.keyPassword } };
          inputs.push({ name: instance.name, store: await readKeystore(await readInput(ctx, instance.path), { ...(instance.password === undefined ? {} : { password: instance.password }), ...keyPasswords }) });
        } catch (error) {
          if (!(error instanceof HapkiError)) throw error;
          inputs.push({ name: instance.name, error: { code: error.code, message: error.message } });
        }
      }
      const report = checkTokenConsistency(inputs, options.alias);
      ctx.io.stdout(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderTokenCheck(report));
      const bad = report.instances.filter((r) => r.problems.length > 0).map((r) => r.name);
      if (!report.ok) throw new TokenDriftError(`token "${options.alias}" is not identical and valid everywhere: ${bad.join(', ')}`);
    });
}
