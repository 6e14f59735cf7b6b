import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { EXIT_CODES_HELP } from '../exit_codes.js';
import { registerTokenCheck } from './token_check.js';
import { registerTokenDistribute } from './token_distribute.js';
import { registerTokenIssue } from './token_issue.js';

export function registerToken(program: Command, ctx: CliContext): void {
  const token = program
    .command('token')
    .description('the shared secure-token certificate of a gateway cluster: issue it, distribute it to every instance, check for drift')
    .addHelpText(
      'after',
      `
Examples:
  hapki token issue --ca ca.p12 --ca-storepass env:CAPASS --subject "CN=msas-token,O=Example" --out token.p12 --outpass env:TOKENPASS
  hapki token distribute token.p12 --storepass env:TOKENPASS --instances cluster.txt --to-storepass env:STOREPASS
  hapki token check --instances cluster.txt --to-storepass env:STOREPASS
${EXIT_CODES_HELP}`,
    );
  registerTokenIssue(token, ctx);
  registerTokenDistribute(token, ctx);
  registerTokenCheck(token, ctx);
}
