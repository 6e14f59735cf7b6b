import { UnsupportedEntryError } from '../errors.js';
import type { Keystore } from './model.js';

/**
 * Refuses a new PKCS#12 holding a private key without its certificate (ERR_UNSUPPORTED_ENTRY),
 * as JKS and JCEKS refuse one. Such a file is valid PKCS#12 (`openssl pkcs12 -export -nocerts`
 * makes one), but a Java KeyStore holds a private key only with its chain: `keytool
 * -importkeystore` stops on it with a NullPointerException, and keytool -list shows a key of chain
 * length 0 that nothing can use. So every PKCS#12 hapki makes, keytool and openssl both import; a
 * bare key goes to PEM or DER (PKCS#8), which both read. A store that already holds such a key
 * (openssl's) is still rewritten in place as it was: that is not a new file.
 */
export function refuseKeyWithoutCertificate(store: Keystore): void {
  if (store.format !== 'PKCS12') return;
  const bare = store.entries.filter((e) => e.type === 'private-key' && e.chain.length === 0).map((e) => `"${e.alias}"`);
  if (bare.length === 0) return;
  const which = bare.length === 1 ? `private key ${bare[0]} has` : `${bare.length} private keys (${bare.slice(0, 3).join(', ')}${bare.length > 3 ? ', ...' : ''}) have`;
  throw new UnsupportedEntryError(
    `${which} no certificate, which a PKCS12 for Java needs (keytool -importkeystore cannot import a key without one): export --what all for PKCS12, or write the bare key to PEM or DER`,
  );
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
  return [javaPasswordProblem(store, password)].filter((p): p is string => p !== undefined);
}
