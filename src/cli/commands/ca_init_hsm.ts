import { describeCertificate } from '../../cert/describe.js';
import { parseKeySpec } from '../../crypto/key_spec.js';
import { existsSync } from 'node:fs';
import { FileExistsError, UsageError } from '../../errors.js';
import { pemArmor } from '../../keystore/pem/pem_blocks.js';
import { createCaOnToken } from '../../pkcs11/certify_on_token.js';
import { formatPkcs11Uri } from '../../pkcs11/uri.js';
import { openSigningCa } from '../ca_location.js';
import { certifyRecorded } from '../../authority/issue_with_ca.js';
import type { CliContext } from '../context.js';
import { note, warn } from '../io.js';
import { parseDays, parseWholeNumber, printResult } from '../options.js';
import { pkcs11Access } from '../pkcs11_access.js';
import { renderIssued } from '../render/issued_text.js';
import type { CaInitOptions } from './ca.js';
import { outputName, STDIO, summaryStream, writeOutput } from '../stdio.js';

/** `ca init --key pkcs11:...`: the CA key made in the HSM, its certificate stored there too. */
export async function caInitOnToken(ctx: CliContext, location: string, options: CaInitOptions): Promise<void> {
  if (options.out !== undefined || options.outFormat !== undefined || options.outpass !== undefined) {
    throw new UsageError('with --key the CA key stays in the HSM: --out, --out-format and --outpass do not apply (--cert-out writes its certificate)');
  }
  // refuse before the key is made: a key on the token and no certificate file would be half a result
  const print = summaryStream(ctx, options.certOut, options.json);
  if (options.certOut && options.certOut !== STDIO && !options.force && existsSync(options.certOut)) throw new FileExistsError(options.certOut);
  const key = parseKeySpec(options);
  const days = parseDays(options.days, '--days');
  const pathLength = parseWholeNumber(options.pathLen, '--path-len');
  const { uri, access } = await pkcs11Access(ctx, location, options);
  const ca = await openSigningCa(ctx, options.ca, options);
  const created = await certifyRecorded(ca, 'ca', 'ca init', (signing) => createCaOnToken(uri, { subject: options.subject, key, ...(days === undefined ? {} : { days }), ...(pathLength === undefined ? {} : { pathLength }), ...signing }, access)).finally(() => ca?.close());
  for (const w of created.warnings) warn(ctx.io, w);
  if (options.certOut) await writeOutput(ctx, options.certOut, pemArmor('CERTIFICATE', created.certificate), { mode: 0o644, force: options.force ?? false });
  const result = { written: options.certOut ? [options.certOut] : [], key: formatPkcs11Uri(uri), certificate: describeCertificate(created.certificate) };
  if (options.json) printResult(ctx, true, result, () => '');
  else print(renderIssued(created.certificate));
  note(ctx.io, `made CA key ${formatPkcs11Uri(uri)} in the HSM and stored its certificate beside it${options.certOut ? `; wrote the certificate to ${outputName(options.certOut)}` : ''}`);
}
