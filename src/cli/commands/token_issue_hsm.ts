import { existsSync } from 'node:fs';
import { describeCertificate } from '../../cert/describe.js';
import { parseKeySpec } from '../../crypto/key_spec.js';
import { FileExistsError, UsageError } from '../../errors.js';
import { newKeystoreFormat } from '../../keystore/format_for_path.js';
import { emptyKeystore } from '../../keystore/model.js';
import { issueTokenOnToken } from '../../pkcs11/certify_on_token.js';
import { formatPkcs11Uri } from '../../pkcs11/uri.js';
import { openSigningCa } from '../ca_location.js';
import { certifyRecorded } from '../../authority/issue_with_ca.js';
import type { CliContext } from '../context.js';
import { keyEntryFormat } from '../formats.js';
import { note, warn } from '../io.js';
import { parseDays, printResult } from '../options.js';
import { outputPassword } from '../output_password.js';
import { pkcs11Access } from '../pkcs11_access.js';
import { renderIssued } from '../render/issued_text.js';
import type { IssueOptions } from './token_issue.js';
import { outputName, refuseSecretToTerminal, saveKeystoreOutput, STDIO, summaryStream } from '../stdio.js';

/** `token issue --key pkcs11:...`: the token key made in the HSM; written to --out only when --extractable. */
export async function tokenIssueOnToken(ctx: CliContext, location: string, options: IssueOptions): Promise<void> {
  if (options.from !== undefined) throw new UsageError('--key makes a new key: --from does not apply');
  if (!options.extractable && (options.out !== undefined || options.outFormat !== undefined || options.outpass !== undefined)) {
    throw new UsageError('a key made with --key never leaves the HSM: --out needs --extractable (when the token must be copied to instances)');
  }
  if (options.extractable && options.out === undefined) throw new UsageError('--extractable writes the key to --out: give --out');
  // refuse before the key is made, not after
  refuseSecretToTerminal(ctx, options.out);
  const print = summaryStream(ctx, options.out, options.json);
  if (options.out !== undefined && options.out !== STDIO && !options.force && existsSync(options.out)) throw new FileExistsError(options.out);
  const key = parseKeySpec(options);
  const days = parseDays(options.days, '--days');
  // the keystore's format and password are settled before the key is made: a key left on the
  // token for a keystore that then could not be written would be half a result
  const format = options.out === undefined ? undefined : keyEntryFormat(options.outFormat, options.out, '--out-format', newKeystoreFormat);
  const store = format === undefined ? undefined : emptyKeystore(format);
  store?.entries.push({ type: 'private-key', alias: options.alias, key: new Uint8Array(), chain: [], created: new Date() });
  const password = store && format ? await outputPassword(ctx, options, undefined, format, store) : undefined;
  const { uri, access } = await pkcs11Access(ctx, location, options);
  const ca = await openSigningCa(ctx, options.ca, options);
  const issued = await certifyRecorded(ca, 'token', 'token issue', (signing) => issueTokenOnToken(uri, { subject: options.subject!, key, extractable: options.extractable ?? false, ...(days === undefined ? {} : { days }), ...signing }, access)).finally(() => ca?.close());
  for (const w of issued.warnings) warn(ctx.io, w);
  const written: string[] = [];
  if (options.out !== undefined && store && issued.pkcs8) {
    store.entries[0] = { type: 'private-key', alias: options.alias, key: issued.pkcs8, chain: issued.chain, created: new Date() };
    await saveKeystoreOutput(ctx, options.out, store, { ...(password === undefined ? {} : { password }), force: options.force ?? false });
    written.push(options.out);
  }
  const result = { written, key: formatPkcs11Uri(uri), alias: options.alias, certificate: describeCertificate(issued.certificate) };
  if (options.json) printResult(ctx, true, result, () => '');
  else print(renderIssued(issued.certificate));
  note(ctx.io, `made token key ${formatPkcs11Uri(uri)} in the HSM${issued.pkcs8 ? ' (extractable)' : ''} and stored its certificate beside it${written.length > 0 ? `; wrote token "${options.alias}" to ${outputName(written[0]!)}` : ''}`);
}
