import { InvalidArgumentError } from '../errors.js';
import { getEntry } from './alias.js';
import type { Keystore, PrivateKeyEntry } from './model.js';

/**
 * The private-key entry a command works on: the one under `alias`, or, with no alias, the only
 * one the store holds. `store` names the keystore in messages ("the CA keystore", a path), and
 * `howToName` tells the user how to pick an entry (`an alias`, `<keystore>#<alias>`).
 */
export function keyEntry(store: Keystore, alias: string | undefined, names: { store: string; howToName: string }): PrivateKeyEntry {
  if (alias !== undefined) {
    const entry = getEntry(store, alias);
    if (entry.type !== 'private-key') throw new InvalidArgumentError(`${names.store}: entry "${alias}" is a ${entry.type} entry, not a private key`);
    return entry;
  }
  const keys = store.entries.filter((e): e is PrivateKeyEntry => e.type === 'private-key');
  if (keys.length === 1) return keys[0]!;
  if (keys.length === 0) throw new InvalidArgumentError(`${names.store} holds no private-key entry`);
  throw new InvalidArgumentError(`${names.store} holds ${keys.length} private keys (${keys.map((k) => k.alias).join(', ')}): say which with ${names.howToName}`);
}
