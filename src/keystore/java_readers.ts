import type { Keystore } from './model.js';

/**
 * What Java's tools cannot take from a keystore hapki is about to write, in one sentence, or
 * undefined. A PKCS#12 private key without its certificate is valid PKCS#12 (openssl reads and
 * makes it: `pkcs12 -export -nocerts`), but a Java KeyStore holds a private key only with its
 * chain: `keytool -importkeystore` stops on it with a NullPointerException. JKS and JCEKS refuse
 * such an entry when written (ERR_UNSUPPORTED_ENTRY); PKCS#12 is written, with this warning.
 */
export function javaReaderProblem(store: Keystore): string | undefined {
  if (store.format !== 'PKCS12') return undefined;
  const bare = store.entries.filter((e) => e.type === 'private-key' && e.chain.length === 0).map((e) => `"${e.alias}"`);
  if (bare.length === 0) return undefined;
  const which = bare.length === 1 ? `private key ${bare[0]} has` : `${bare.length} private keys (${bare.slice(0, 3).join(', ')}${bare.length > 3 ? ', ...' : ''}) have`;
  return `${which} no certificate: openssl reads it, but Java tools cannot import a key without its certificate (keytool -importkeystore fails); for Java, write the key with its certificate chain (export --what all)`;
}

/**
 * A PKCS#12 under a password with characters outside ASCII, in one sentence, or undefined: the
 * JDK's own PKCS12 refuses such a password outright (its PBE keys take ASCII only: keytool says
 * the password was incorrect), whatever the file's algorithms; OpenSSL and BouncyCastle read
 * it. Written anyway, with this warning. JKS and JCEKS take any password.
 */
export function javaPasswordProblem(store: Keystore, password: string | undefined): string | undefined {
  if (store.format !== 'PKCS12' || password === undefined || /^[\x00-\x7f]*$/.test(password)) return undefined;
  return "the password has characters outside ASCII: the JDK's PKCS12 (keytool, Java's KeyStore) cannot open the file, though OpenSSL and BouncyCastle do; for Java, choose an ASCII password or write JKS";
}

/** Everything Java's tools will not take from a keystore written with this password, one sentence each. */
export function javaProblems(store: Keystore, password: string | undefined): string[] {
  return [javaReaderProblem(store), javaPasswordProblem(store, password)].filter((p): p is string => p !== undefined);
}
