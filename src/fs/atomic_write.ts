import { commitChangeSet } from '../txn/change_set.js';

export interface WriteFileOptions {
  /** Replace an existing file (default: refuse with ERR_FILE_EXISTS). */
  force?: boolean;
  /** The most the new file's mode may be, before the umask. Default 0o666 (0o600 with `secret`). */
  mode?: number;
  /** The content is private (keys, passwords): the file is created with mode 0600. */
  secret?: boolean;
  /** When replacing, keep the old content as `<path>.bak` (default true when forced). */
  backup?: boolean;
}

/**
 * Writes one output file through the change-set protocol (src/txn/): under its lock, staged
 * beside the target, synced, renamed. A replaced file is an unrelated file (--force): the new
 * one belongs to the caller, mode 0600 for secrets, else what the umask allows. To rewrite a
 * keystore in place, keeping its owner and mode, use a change set with action "update".
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string, options: WriteFileOptions = {}): Promise<void> {
  await commitChangeSet([
    {
      path,
      action: 'write',
      content: bytes,
      force: options.force ?? false,
      backup: options.backup ?? true,
      private: options.secret ?? false,
      ...(options.mode === undefined ? {} : { mode: options.mode }),
    },
  ]);
}
