import { FileNotFoundError, KeystoreFormatError, UsageError } from '../errors.js';
import { readFileBytes } from '../fs/read_file.js';
import { detectFormat } from '../keystore/detect.js';
import { commitChangeSet } from '../txn/change_set.js';

/**
 * The files a CA keeps beside its keystore, named after it so one directory can hold several CAs:
 * `<keystore>.settings.json` (name policy, CRL and AIA URLs; written by `hapki ca set`) and
 * `<keystore>.issued.jsonl` (the issuance record: one JSON object per line, append-only).
 */
export function caFiles(keystorePath: string): { settings: string; record: string } {
  if (!keepsCaFiles(keystorePath)) throw new UsageError('a pkcs11: CA keeps its settings and issuance record beside its certificate: give --ca-cert <file> (the PEM ca init --key --cert-out wrote)');
  return { settings: `${keystorePath}.settings.json`, record: `${keystorePath}.issued.jsonl` };
}

/**
 * The CA a command names only to find the files beside it (`ca set`, `ca issued`, `revoke`, which
 * need no password) must be there: a keystore (or, for an HSM CA, its certificate file) that
 * hapki recognises by content. Without this, `ca set --ca typo.p12` wrote `typo.p12.settings.json`
 * for a CA that does not exist, and `ca issued --ca notes.txt` listed nothing, exit 0.
 * ERR_FILE_NOT_FOUND, ERR_IO (a directory, a device) or ERR_KEYSTORE_FORMAT.
 */
export async function requireCaFile(path: string): Promise<void> {
  const bytes = await readFileBytes(path);
  try {
    detectFormat(bytes);
  } catch (error) {
    if (error instanceof KeystoreFormatError) throw new KeystoreFormatError(`${path}: ${error.message}`, undefined, { cause: error });
    throw error;
  }
}

/** False for a CA whose key is an HSM object (pkcs11: URI): no file sits beside it. */
export function keepsCaFiles(caLocation: string): boolean {
  return !/^pkcs11:/i.test(caLocation);
}

/** A CA file's text (local or remote, as every hapki path), or undefined when it does not exist yet. */
export async function readOptionalText(path: string): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await readFileBytes(path));
  } catch (error) {
    if (error instanceof FileNotFoundError) return undefined;
    throw error;
  }
}

/**
 * Replaces a CA file by a function of its current text, read under the file's lock, through the
 * one safe write path (staged, synced, renamed): two `revoke`s or a `sign` and a `crl` at once
 * never lose a line, and a crash leaves the old file or the new one.
 */
export async function updateCaFile(path: string, update: (current: string | undefined) => string): Promise<void> {
  await commitChangeSet([{ path, action: 'update', mode: 0o644, content: (current) => update(current === undefined ? undefined : new TextDecoder().decode(current)) }]);
}
