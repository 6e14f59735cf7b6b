import type { Command } from 'commander';
import { parseKeySpec } from '../../crypto/key_spec.js';
import { UsageError } from '../../errors.js';
import { checkTokenSource, DEFAULT_TOKEN_ALIAS, issueTokenCertificate, type IssuedToken } from '../../token/issue_token.js';
import { tokenFromEntry } from '../../token/token_from_entry.js';
import { parseNodeRef } from '../../trust/node_ref.js';
import type { CliContext } from '../context.js';
import { KEY_ENTRY_FORMAT_CHOICES, keyEntryFormat } from '../formats.js';
import { note, warn } from '../io.js';
import { openStoreForCli } from '../open_store.js';
import { addCaKeyOptions, caInputs, openSigningCa, type CaLocationOptions } from '../ca_location.js';
import { certifiedKeystoreChanges, certifyWith, type Certified } from '../../authority/issue_with_ca.js';
import { refuseExisting } from '../batch_outputs.js';
import { deprecatedOption, jsonOption, outFormatOption, parseDays, printResult } from '../options.js';
import { describeCertificate } from '../../cert/describe.js';
import { outputPassword } from '../output_password.js';
import { renderIssued } from '../render/issued_text.js';
import { newKeystoreFormat } from '../../keystore/format_for_path.js';
import { commitOutputs, outputName, refuseOutputOverInput, refuseSecretToTerminal, STDIO, summaryStream } from '../stdio.js';
import { TOKEN_ISSUE_HELP } from '../help/token_issue.js';

export interface IssueOptions extends CaLocationOptions {
  subject?: string;
  out?: string;
  key?: string;
  extractable?: boolean;
  outFormat?: string;
  json?: boolean;
  alias: string;
  kty?: string;
  bits?: string;
  curve?: string;
  days?: string;
  outpass?: string;
  ca?: string;
  selfSigned?: boolean;
  from?: string;
  fromStorepass?: string;
  fromKeypass?: string;
  force?: boolean;
}

export function registerTokenIssue(token: Command, ctx: CliContext): void {
  const command = token
    .command('issue')
    .description('make the token key and certificate (keyUsage digitalSignature, keyEncipherment, dataEncipherment) in a new keystore')
    .option('--ca <keystore>', "sign the token certificate with the CA in this keystore (or HSM key, 'pkcs11:...')")
    .option('--ca-alias <alias>', 'the CA entry (default: the only private-key entry)')
    .option('--ca-storepass <src>', 'CA store password: pass:TEXT, env:NAME, file:PATH, fd:N or stdin')
    .option('--ca-keypass <src>', 'CA key password, where it differs')
    .option('--self-signed', 'make a self-signed token certificate instead')
    .option('--from <keystore#alias>', 'take an existing key and certificate (an instance\'s SSL entry, say) instead')
    .option('--from-storepass <src>', 'store password of the --from keystore')
    .option('--from-keypass <src>', 'key password of the --from entry, where it differs')
    .option('--subject <dn>', 'the token certificate\'s name, e.g. "CN=msas-token,O=Example"')
    .option('--out <file>', 'the new token keystore (not overwritten without --force); - for standard output (never a terminal); with --key, only with --extractable')
    .option('--key <pkcs11-uri>', "make the token key in an HSM: 'pkcs11:token=<label>;object=<label>'; its certificate is stored beside it")
    .option('--extractable', 'with --key: let the key leave the HSM and write it to --out too. Only when the token must be copied to instances: the shared token key must reach every instance\'s keystore, which a key that never leaves the HSM cannot')
    .addOption(outFormatOption(`keystore format of --out: ${KEY_ENTRY_FORMAT_CHOICES} (default: from the extension, else pkcs12)`))
    .option('--alias <alias>', 'alias of the token entry', DEFAULT_TOKEN_ALIAS)
    .option('--kty <type>', 'key type: rsa|ec|ed25519 (default rsa; only RSA can encipher)')
    .option('--bits <bits>', 'RSA key size (default 3072)')
    .option('--curve <curve>', 'EC curve: P-256|P-384|P-521')
    .option('--days <days>', 'validity in days (default 730)')
    .option('--outpass <src>', 'password for the new keystore')
    .option('--force', 'overwrite the output (keeping it as <file>.bak)')
    .addOption(jsonOption('{"written": [files], "format", "alias", "certificate": {"subject", "issuer", "notAfter", "sha256", ...}}'))
    .addHelpText('after', TOKEN_ISSUE_HELP)
    .action(async (options: IssueOptions) => {
      checkTokenSource(options);
      if (options.key !== undefined) return (await import('./token_issue_hsm.js')).tokenIssueOnToken(ctx, options.key, options);
      if (options.extractable) throw new UsageError('--extractable is for a key made in an HSM (--key)');
      if (options.out === undefined) throw new UsageError('--out is required');
      refuseOutputOverInput([['--out', options.out]], [...caInputs(options.ca, options.caCert), ['--from', options.from === undefined ? undefined : parseNodeRef(options.from).path]]);
      refuseSecretToTerminal(ctx, options.out);
      const print = summaryStream(ctx, options.out, options.json);
      const format = keyEntryFormat(options.outFormat, options.out, '--out-format', newKeystoreFormat);
      const days = parseDays(options.days, '--days');
      let certified: Certified<IssuedToken>;
      if (options.from !== undefined) {
        const ref = parseNodeRef(options.from);
        const { store } = await openStoreForCli(ctx, ref.path, { ...(options.fromStorepass ? { storepass: options.fromStorepass } : {}), ...(options.fromKeypass ? { keypass: options.fromKeypass } : {}) }, '--from-storepass');
        certified = { made: tokenFromEntry(store, { alias: options.alias, format, ...(ref.alias ? { sourceAlias: ref.alias } : {}) }), record: undefined };
      } else {
        const key = parseKeySpec(options);
        if (!options.force && options.out !== STDIO) await refuseExisting([options.out]);
        const ca = await openSigningCa(ctx, options.ca, options);
        certified = await certifyWith(ca, 'token', 'token issue', (signing) => issueTokenCertificate({ subject: options.subject!, alias: options.alias, key, format, ...(days === undefined ? {} : { days }), ...signing })).finally(() => ca?.close());
      }
      const issued = certified.made;
      for (const w of issued.warnings) warn(ctx.io, w);
      const password = await outputPassword(ctx, options, undefined, format, issued.store);
      const out = options.out;
      // the token keystore and the CA's record of its certificate together, or neither
      await commitOutputs(ctx, await certifiedKeystoreChanges(certified, { path: out, ...(password === undefined ? {} : { password }), force: options.force ?? false }));
      const result = { written: [out], format, alias: options.alias, certificate: describeCertificate(issued.certificate) };
      if (options.json) printResult(ctx, true, result, () => '');
      else print(renderIssued(issued.certificate));
      note(ctx.io, `wrote token "${options.alias}" to ${outputName(out)} (${format})`);
    });
  addCaKeyOptions(command);
  deprecatedOption(command, ctx, '--format <format>', '--out-format');
}
