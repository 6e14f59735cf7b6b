import { UsageError } from '../errors.js';
import type { Keystore } from '../keystore/model.js';
import { limitedUses, usesText } from '../keystore/pem/pem_blocks.js';
import { addTrustedCertificate } from './add_trusted.js';
import { installReply, type InstallReplyOptions } from './install_reply.js';
import type { CertificateWithTrust } from '../keystore/read_certificates.js';

/** What `hapki import` puts into a keystore: a CA reply for a key entry, or a certificate to trust. */
export type ImportRequest = { reply: InstallReplyOptions } | { trusted: { alias: string; certificate: Uint8Array; force?: boolean } };

/** What an import did: one line a step, for people, and whether the keystore changed at all. */
export interface ImportOutcome {
  done: string[];
  /** False when the keystore held all of it already: the very store given back, nothing to write. */
  changed: boolean;
}

/** A keystore change and what it did. */
export type KeystoreChange = (store: Keystore) => Promise<{ store: Keystore; result: ImportOutcome }>;

/** What an import asks for, as asked: whether each is given. */
export interface ImportChoice {
  reply?: unknown;
  trusted?: unknown;
  /** CA certificates to build the reply's chain from. */
  ca?: unknown;
  trustRoot?: unknown;
  allowSha1?: boolean;
}

/**
 * The consistency of an import before anything is read (ERR_USAGE, worded as `hapki import`'s
 * flags): a reply or a certificate to trust, not both; the chain options only with a reply.
 */
export function checkImportRequest(choice: ImportChoice): void {
  if ((choice.reply === undefined) === (choice.trusted === undefined)) throw new UsageError('give one of --reply or --trusted');
  if (choice.trusted !== undefined && (choice.ca !== undefined || choice.trustRoot !== undefined || choice.allowSha1)) throw new UsageError('--ca, --trust-root and --allow-sha1 go with --reply');
}

/** A store written back without any password: a PKCS#12 with none, or PEM/DER holding certificates only. */
export function passwordlessStore(store: Keystore): boolean {
  return store.protection?.unprotected === true || ((store.format === 'PEM' || store.format === 'DER') && store.entries.every((e) => e.type === 'trusted-cert'));
}

/**
 * The certificate an import of `name` trusts: its first, with what to tell about the rest and
 * about openssl trust settings a keystore entry cannot keep (it is trusted for every use).
 */
export function certificateToTrust(read: readonly CertificateWithTrust[], name: string): { certificate: Uint8Array; warnings: string[] } {
  const warnings: string[] = [];
  if (read.length > 1) warnings.push(`${name} holds ${read.length} certificates: adding the first`);
  const first = read[0]!;
  const limitedTo = limitedUses(first.trust);
  if (limitedTo) warnings.push(`${name} trusts its certificate only for ${usesText(limitedTo)} (openssl TRUSTED CERTIFICATE settings): a keystore entry holds no such limits, and is trusted for every use, as keytool -importcert makes it`);
  return { certificate: first.der, warnings };
}

/**
 * The change `hapki import` makes, to apply to the keystore as it is once locked (so a concurrent
 * change is not lost): installs the reply (adding its root as trusted when confirmed), or adds the
 * trusted certificate, `warn` told when that certificate is already trusted under another alias.
 */
export function importChange(request: ImportRequest, warn: (message: string) => void = () => {}): KeystoreChange {
  checkImportRequest({ reply: (request as { reply?: unknown }).reply, trusted: (request as { trusted?: unknown }).trusted });
  return async (store) => {
    const done: string[] = [];
    if ('reply' in request) {
      const installed = await installReply(store, request.reply);
      if (installed.unchanged) return { store, result: { done: [`"${request.reply.alias}" holds this reply already (chain of ${installed.chain.length}): nothing changed`], changed: false } };
      if (installed.addedRootAlias) done.push(`added the root as trusted entry "${installed.addedRootAlias}"`);
      done.push(`installed the reply into "${request.reply.alias}": chain of ${installed.chain.length}`);
      return { store: installed.store, result: { done, changed: true } };
    }
    const { alias, certificate, force } = request.trusted;
    const added = addTrustedCertificate(store, alias, certificate, { force: force ?? false });
    if (added.unchanged) return { store, result: { done: [`"${added.entry.alias}" holds this certificate already: nothing changed`], changed: false } };
    for (const other of added.duplicates) warn(`the same certificate is already trusted as "${other}"`);
    // a JKS or JCEKS file holds its aliases in lower case (keytool's rule, the writer's): say the one written
    const written = store.format === 'JKS' || store.format === 'JCEKS' ? added.entry.alias.toLowerCase() : added.entry.alias;
    done.push(`added trusted entry "${written}"${written === added.entry.alias ? '' : ` (${store.format} aliases are lower case)`}`);
    return { store: added.store, result: { done, changed: true } };
  };
}
