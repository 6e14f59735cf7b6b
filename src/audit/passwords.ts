import { absoluteLocation } from '../transport/location.js';
import type { PasswordRule } from './config.js';
import { globToRegExp } from './glob.js';

/** Turns a password source (env:NAME, file:PATH, ...) into the password; the CLI's PasswordResolver fits. */
export type PasswordSourceResolver = (spec: string, what: string) => Promise<string | undefined>;

/** The password for a keystore path, or undefined to open it without one. */
export type PasswordLookup = (path: string) => Promise<string | undefined>;

/**
 * A lookup over password rules: the first rule whose glob matches the keystore's absolute path
 * wins, then the fallback source. Each source is resolved once, however many stores share it:
 * `stdin` yields one line per resolution and `pass:` warns each time.
 */
export function passwordLookup(rules: readonly PasswordRule[], fallback: string | undefined, resolveSource: PasswordSourceResolver): PasswordLookup {
  const compiled = rules.map((rule) => ({ test: globToRegExp(rule.match), password: rule.password, match: rule.match }));
  const resolved = new Map<string, Promise<string | undefined>>();
  const once = (spec: string, what: string): Promise<string | undefined> => {
    let value = resolved.get(spec);
    if (!value) {
      value = resolveSource(spec, what);
      resolved.set(spec, value);
    }
    return value;
  };
  return async (path) => {
    const absolute = absoluteLocation(path);
    const rule = compiled.find((r) => r.test.test(absolute));
    if (rule) return once(rule.password, `password for keystores matching ${rule.match}`);
    return fallback === undefined ? undefined : once(fallback, 'keystore password');
  };
}
