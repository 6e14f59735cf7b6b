import { HapkiError } from '../../errors.js';
import type { Keystore, KeystoreEntry } from '../../keystore/model.js';
import { readKeystore } from '../../keystore/read_keystore.js';

/** Why a store could not be opened, in a form that crosses a worker boundary. */
export interface OpenFailure {
  code: string;
  message: string;
}

export type OpenOutcome = { store: Keystore } | { failure: OpenFailure };

/**
 * Reads a keystore for auditing and keeps only what an audit looks at: private and secret key
 * material is dropped at once, so that it never crosses to another thread or lingers in a report.
 */
export async function openForAudit(bytes: Uint8Array, password: string | undefined): Promise<OpenOutcome> {
  try {
    const store = await readKeystore(bytes, password === undefined ? {} : { password });
    return { store: withoutSecrets(store) };
  } catch (error) {
    return { failure: failureOf(error, password === undefined) };
  }
}

export function failureOf(error: unknown, noPassword: boolean): OpenFailure {
  if (error instanceof HapkiError) {
    // as `hapki list` does: "wrong password" when none was given means one is needed
    if (noPassword && error.code === 'ERR_KEYSTORE_PASSWORD') return { code: 'ERR_PASSWORD_REQUIRED', message: 'the keystore is password-protected and no password is configured for it' };
    return { code: error.code, message: error.message };
  }
  return { code: 'ERR_INTERNAL', message: (error as Error)?.message ?? String(error) };
}

export function withoutSecrets(store: Keystore): Keystore {
  return { format: store.format, integrityChecked: store.integrityChecked, warnings: [...store.warnings], entries: store.entries.map(publicPart) };
}

function publicPart(entry: KeystoreEntry): KeystoreEntry {
  const created = entry.created ? { created: entry.created } : {};
  switch (entry.type) {
    case 'private-key':
      return { type: 'private-key', alias: entry.alias, chain: [...entry.chain], ...created };
    case 'secret-key':
      return { type: 'secret-key', alias: entry.alias, algorithm: entry.algorithm, ...created };
    case 'trusted-cert':
      return { type: 'trusted-cert', alias: entry.alias, certificate: entry.certificate, ...created };
  }
}
