import type { Command } from 'commander';
import { summarizeKeystore } from '../../keystore/summary.js';
import type { CliContext } from '../context.js';
import { EXIT_CODES_HELP } from '../exit_codes.js';
import { openStoreForCli } from '../open_store.js';
import { renderKeystoreText } from '../render/list_text.js';

interface ListOptions {
  storepass?: string;
  keypass?: string;
  json?: boolean;
}

export function registerList(program: Command, ctx: CliContext): void {
  program
    .command('list')
    .description('list every entry of a keystore (PKCS#12, JKS, JCEKS, PEM or DER, detected by content)')
    .argument('<keystore>', 'keystore file')
    .option('--storepass <src>', 'store password: pass:TEXT, env:NAME, file:PATH, fd:N or stdin (prompted on a terminal; JKS/JCEKS list without it, unverified)')
    .option('--keypass <src>', 'key password, where it differs from the store password')
    .option('--json', 'print JSON: {"format", "entries": [{"alias", "type", "chain": [...], "algorithm"?, "bits"?}]}')
    .addHelpText(
      'after',
      `
Examples:
  hapki list server.p12 --storepass env:STOREPASS
  hapki list /etc/ssl/certs/java/cacerts --storepass pass:changeit --json
  hapki list truststore.jks            # no password: certificates listed, integrity not checked
${EXIT_CODES_HELP}`,
    )
    .action(async (path: string, options: ListOptions) => {
      const { store } = await openStoreForCli(ctx, path, options);
      const summary = summarizeKeystore(store);
      ctx.io.stdout(options.json ? `${JSON.stringify(summary, null, 2)}\n` : renderKeystoreText(summary));
    });
}
