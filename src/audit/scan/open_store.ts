import { HapkiError } from '../../errors.js';
import type { Keystore, KeystoreEntry } from '../../keystore/model.js';
import { detectFormat } from '../../keystore/detect.js';
import { readKeystore } from '../../keystore/read_keystore.js';

/** Why a store could not be opened, in a form that crosses a worker boundary. */
export interface OpenFailure {
  code: string;
  message: string;
}

/** A store, a failure, or both: a JKS whose configured password is wrong still shows its certificates. */
export type OpenOutcome = { store: Keystore; failure?: OpenFailure } | { failure: OpenFailure };

/**
 * Reads a keystore for auditing and keeps only what an audit looks at: private and secret key
 * material is dropped at once, so that it never crosses to another thread or lingers in a report.
 */
export async function openForAudit(bytes: Uint8Array, password: string | undefined): Promise<OpenOutcome> {
  try {
    const store = await readKeystore(bytes, password === undefined ? { certificatesOnly: true } : { password, certificatesOnly: true });
    return { store: withoutSecrets(store) };
  } catch (error) {
    const failure = failureOf(error, password === undefined);
    // a stale password rule must not turn an expired certificate into a mere UNKNOWN: JKS and
    // JCEKS certificates read without any password, so audit them and report the password too
    if (password !== undefined && failure.code === 'ERR_KEYSTORE_PASSWORD' && isJavaKeystore(bytes)) {
      try {
        return { store: withoutSecrets(await readKeystore(bytes)), failure };
      } catch {
        // fall through to the failure alone
      }
    }
    return { failure };
  }
}

function isJavaKeystore(bytes: Uint8Array): boolean {
  try {
    const format = detectFormat(bytes);
    return format === 'JKS' || format === 'JCEKS';
  } catch {
    return false;
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
