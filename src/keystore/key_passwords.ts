import type { ReadOptions } from './codec.js';

/**
 * The key password given for an entry: the one given for its alias (exactly, or case-insensitively,
 * as Java keystores compare aliases), else the one for every key. Only the options' own entries
 * count: an alias such as "constructor" is not looked up on Object's prototype.
 */
export function explicitKeyPassword(options: Pick<ReadOptions, 'keyPasswords' | 'keyPassword'>, alias: string): string | undefined {
  const byAlias = options.keyPasswords;
  if (byAlias) {
    if (Object.hasOwn(byAlias, alias)) return byAlias[alias];
    const folded = alias.toLowerCase();
    for (const [name, password] of Object.entries(byAlias)) if (name.toLowerCase() === folded) return password;
  }
  return options.keyPassword;
}
