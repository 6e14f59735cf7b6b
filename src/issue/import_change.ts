import type { Keystore } from '../keystore/model.js';
import { addTrustedCertificate } from './add_trusted.js';
import { installReply, type InstallReplyOptions } from './install_reply.js';

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

/**
 * The change `hapki import` makes, to apply to the keystore as it is once locked (so a concurrent
 * change is not lost): installs the reply (adding its root as trusted when confirmed), or adds the
 * trusted certificate, `warn` told when that certificate is already trusted under another alias.
 */
export function importChange(request: ImportRequest, warn: (message: string) => void = () => {}): KeystoreChange {
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
    done.push(`added trusted entry "${added.entry.alias}"`);
    return { store: added.store, result: { done, changed: true } };
  };
}
