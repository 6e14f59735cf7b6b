import type { Command } from 'commander';
import { safe } from '../../text/escape.js';
import type { CertificateSummary } from '../../cert/describe.js';
import { PasswordRequiredError, UsageError } from '../../errors.js';
import { updateKeystore } from '../../fs/keystore_file.js';
import { certificateToTrust, checkImportRequest, importChange, passwordlessStore, type ImportRequest } from '../../issue/import_change.js';
import { normalizeFingerprint } from '../../issue/install_reply.js';
import { readCertificates, readCertificatesWithTrust } from '../../keystore/read_certificates.js';
import type { CliContext } from '../context.js';
import { note, warn } from '../io.js';
import { openOrCreateTrustStore, openStoreForCli } from '../open_store.js';
import { collect, jsonOption, PASSWORD_SOURCES, printResult } from '../options.js';
import { inputName, oneStdio, readInput } from '../stdio.js';
import { IMPORT_HELP } from '../help/import.js';

interface ImportOptions {
  alias: string;
  reply?: string;
  trusted?: string;
  ca?: string[];
  trustRoot?: string;
  allowSha1?: boolean;
  storepass?: string;
  keypass?: string;
  force?: boolean;
  json?: boolean;
}

export function registerImport(program: Command, ctx: CliContext): void {
  program
    .command('import')
    .description('install a CA reply into a key entry, or add a trusted CA certificate (keytool -importcert)')
    .argument('<keystore>', 'keystore file, rewritten in its own format (the old one kept as <keystore>.bak)')
    .requiredOption('--alias <alias>', 'the key entry the reply is for, or the alias of the new trusted entry')
    .option('--reply <file>', 'the signed certificate, alone or with its chain (PEM or DER); - for standard input')
    .option('--trusted <file>', 'a CA certificate to add as a trusted-certificate entry (the keystore is made when absent, PKCS#12 unless its name says otherwise); - for standard input')
    .option('--ca <file>', 'CA certificates to build the reply chain from (repeatable)', collect)
    .option('--trust-root <sha256>', 'trust the chain root not yet in the keystore if its SHA-256 fingerprint is this (hex, colons allowed)')
    .option('--allow-sha1', 'accept SHA-1 signatures on certificates above the trust anchor (MD5 is never accepted)')
    .option('--storepass <src>', `store password: ${PASSWORD_SOURCES}`)
    .option('--keypass <src>', 'key password, where it differs from the store password')
    .option('--force', 'with --trusted: replace a trusted entry under the same alias')
    .addOption(jsonOption('{"written": [files], "done": [what changed]}'))
    .addHelpText('after', IMPORT_HELP)
    .action(async (path: string, options: ImportOptions) => {
      checkImportRequest(options);
      if (path === '-') throw new UsageError('import rewrites the keystore in place: name its file, not -');
      oneStdio('input', [['--reply', options.reply], ['--trusted', options.trusted], ['--ca', options.ca]]);
      const certificatesIn = async (file: string): Promise<Uint8Array[]> => readCertificates(await readInput(ctx, file), inputName(file));
      const trustRoot = options.trustRoot === undefined ? undefined : normalizeFingerprint(options.trustRoot);
      // --trusted into a keystore not there yet makes it, as keytool -importcert does
      const { store, password, keyPassword, created } = options.trusted !== undefined ? await openOrCreateTrustStore(ctx, path, options) : { ...(await openStoreForCli(ctx, path, options)), created: false };
      // a password-less PKCS#12 trust store, or a PEM/DER file of certificates, takes a trusted certificate without one
      if (password === undefined && !created && !(options.trusted !== undefined && passwordlessStore(store))) throw new PasswordRequiredError(`${path} needs its password to be rewritten: give --storepass`);
      const caCertificates = (await Promise.all((options.ca ?? []).map(certificatesIn))).flat();
      const reply = options.reply === undefined ? undefined : await certificatesIn(options.reply);
      const trusted = options.trusted === undefined ? undefined : certificateToTrust(readCertificatesWithTrust(await readInput(ctx, options.trusted), inputName(options.trusted)), inputName(options.trusted));
      for (const w of trusted?.warnings ?? []) warn(ctx.io, w);
      const prompt = ctx.io.prompt;
      const confirmRoot = prompt ? (root: CertificateSummary) => askTrust(ctx, prompt, root) : undefined;
      const request: ImportRequest = reply
        ? { reply: { alias: options.alias, reply, caCertificates, ...(trustRoot ? { trustRoot } : {}), ...(options.allowSha1 ? { allowSha1: true } : {}), ...(confirmRoot ? { confirmRoot } : {}) } }
        : { trusted: { alias: options.alias, certificate: trusted!.certificate, force: options.force ?? false } };
      // computed from the keystore as it is once locked: a concurrent change to it is not lost
      const change = importChange(request, (message) => warn(ctx.io, message));
      const outcome = await updateKeystore(path, change, { password, ...(keyPassword === undefined ? {} : { keyPassword }), ...(created ? { create: store.format } : {}) });
      const done = [...(created ? [`created ${path} (${store.format})`] : []), ...(outcome?.done ?? [])];
      if (options.json) printResult(ctx, true, { written: outcome?.changed ? [path] : [], done }, () => '');
      for (const line of done) note(ctx.io, line);
    });
}

async function askTrust(ctx: CliContext, prompt: (q: string) => Promise<string>, root: CertificateSummary): Promise<boolean> {
  // hapki's own fingerprint comes first, on a line of its own, before any text the certificate controls
  ctx.io.stderr(`Root certificate not trusted in the keystore, SHA-256 fingerprint (computed by hapki):\n  ${root.sha256}\n`);
  ctx.io.stderr(safe`  subject: ${root.subject}\n  valid:   ${root.notBefore} to ${root.notAfter}\n`);
  return /^y(es)?$/i.test((await prompt('Trust this certificate? [no]: ')).trim());
}
