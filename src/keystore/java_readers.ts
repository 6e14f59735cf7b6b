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
