import { PasswordRequiredError, type HapkiError } from '../errors.js';
import { readKeystore } from '../keystore/read_keystore.js';
import { readInput } from './stdio.js';
import type { Keystore } from '../keystore/model.js';
import type { CliContext } from './context.js';
import { warn } from './io.js';

export interface StoreOptions {
  storepass?: string;
  keypass?: string;
}

export interface OpenedStore {
  store: Keystore;
  /** The store password as resolved, to protect the output with when no --outpass is given. */
  password: string | undefined;
  /** The key password as resolved, where one was given. */
  keyPassword?: string;
}

/**
 * Opens a keystore for a command: resolves its passwords from their sources, tells the user
 * what the reader noticed (integrity unchecked, duplicate aliases), and turns "wrong password"
 * into "password required" when none was given at all.
 */
export async function openStoreForCli(ctx: CliContext, path: string, options: StoreOptions, passOption = '--storepass', read: { privateKeysSealed?: boolean } = {}): Promise<OpenedStore> {
  const password = await ctx.passwords.resolve(options.storepass, `password for ${path}`);
  const keyPassword = options.keypass === undefined ? undefined : await ctx.passwords.resolve(options.keypass, 'key password');
  let store: Keystore;
  try {
    store = await readKeystore(await readInput(ctx, path), {
      ...(password === undefined ? {} : { password }),
      ...(keyPassword === undefined ? {} : { keyPassword }),
      ...read,
    });
  } catch (error) {
    if (password === undefined && (error as HapkiError).code === 'ERR_KEYSTORE_PASSWORD') {
      throw new PasswordRequiredError(`${path} is password-protected: give ${passOption}`);
    }
    throw error;
  }
  for (const warning of store.warnings) warn(ctx.io, `${path}: ${warning}`);
  return { store, password, ...(keyPassword === undefined ? {} : { keyPassword }) };
}
