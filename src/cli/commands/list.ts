import type { Command } from 'commander';
import { summarizeEntry, type KeystoreSummary } from '../../keystore/summary.js';
import { entryNamed } from '../../keystore/alias.js';
import { isPkcs11Uri } from '../../pkcs11/uri.js';
import { AliasNotFoundError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { EXIT_CODES_HELP } from '../exit_codes.js';
import { openStoreEntriesForCli } from '../open_store.js';
import { addPkcs11Options, pkcs11Access, PKCS11_HELP, type Pkcs11CliOptions } from '../pkcs11_access.js';
import { renderEntriesJsonChunks } from '../render/list_json.js';
import { renderEntriesTextChunks, renderKeystoreText } from '../render/list_text.js';

interface ListOptions extends Pkcs11CliOptions {
  alias?: string;
  storepass?: string;
  keypass?: string;
  json?: boolean;
}

export function registerList(program: Command, ctx: CliContext): void {
  const list = program
    .command('list')
    .description('list every entry of a keystore (PKCS#12, JKS, JCEKS, BouncyCastle BKS, PEM or DER, detected by content), or the keys and certificates of a PKCS#11 token')
    .argument('<keystore>', "keystore file (- for standard input), or a token as 'pkcs11:token=<label>'")
    .option('--alias <alias>', 'only this entry (as keytool -list -alias); ERR_ALIAS_NOT_FOUND if there is none')
    .option('--storepass <src>', 'store password: pass:TEXT, env:NAME, file:PATH, fd:N or stdin (prompted on a terminal; JKS/JCEKS list without it, unverified)')
    .option('--keypass <src>', 'key password, where it differs from the store password')
    .option('--json', 'print JSON: {"format", "entries": [{"alias", "type", "chain": [...], "algorithm"?, "bits"?, "created"?}]}; a token\'s entries add "uri", "id", "extractable"');
  addPkcs11Options(list).addHelpText(
    'after',
    `
Examples:
  hapki list server.p12 --storepass env:STOREPASS
  hapki list /etc/ssl/certs/java/cacerts --storepass pass:changeit --json
  hapki list truststore.jks            # no password: certificates listed, integrity not checked
  hapki list gateway.jks --alias msas1 --storepass env:STOREPASS
  ssh gw1 cat /opt/msas/gateway.p12 | hapki list - --storepass env:STOREPASS
  hapki list 'pkcs11:token=hapki-ca' --pin env:HSM_PIN --pkcs11-module /usr/lib/softhsm/libsofthsm2.so
${PKCS11_HELP}
${EXIT_CODES_HELP}`,
  );
  list.action(async (path: string, options: ListOptions) => {
    if (isPkcs11Uri(path)) {
      const all = await listToken(ctx, path, options);
      const summary = options.alias === undefined ? all : { ...all, entries: all.entries.filter((e) => e.alias === options.alias) };
      if (summary.entries.length === 0 && options.alias !== undefined) throw new AliasNotFoundError(options.alias, all.entries.map((e) => e.alias));
      ctx.io.stdout(options.json ? `${JSON.stringify(summary, null, 2)}\n` : renderKeystoreText(summary));
      return;
    }
    // entries read, summarised, rendered and written in turn: a large store is never held whole, nor its listing
    const store = await openStoreEntriesForCli(ctx, path, options, '--storepass', { privateKeysSealed: options.keypass === undefined });
    const entries = options.alias === undefined ? store.entries : [entryNamed(store.format, store.entries, options.alias)];
    const summaries = mapEach(entries, summarizeEntry);
    const count = options.alias === undefined ? store.count : 1;
    for (const chunk of options.json ? renderEntriesJsonChunks(store.format, summaries) : renderEntriesTextChunks(store.format, count, summaries)) {
      ctx.io.stdout(chunk);
      // each piece reaches standard output before the next is made: a pipe would otherwise queue the whole listing in memory
      await ctx.io.finish?.();
    }
  });
}

async function listToken(ctx: CliContext, location: string, options: ListOptions): Promise<KeystoreSummary> {
  const { listPkcs11Token } = await import('../../pkcs11/pkcs11_key.js');
  const { uri, access } = await pkcs11Access(ctx, location, options);
  return listPkcs11Token(uri, access);
}

function* mapEach<T, U>(items: Iterable<T>, f: (item: T) => U): Generator<U> {
  for (const item of items) yield f(item);
}
