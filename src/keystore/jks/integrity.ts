import { digest } from '../../crypto/digest.js';
import { constantTimeEqual, utf16be, utf8 } from '../../lib/bytes.js';

/**
 * Both formats end with SHA-1(password as UTF-16BE || "Mighty Aphrodite" || every preceding
 * byte): a keyed hash, not a MAC, and the only thing that checks the store password, so a
 * wrong password and a tampered file look the same.
 */
const WHITENER = utf8('Mighty Aphrodite');

export function keystoreDigest(password: string, body: Uint8Array): Uint8Array {
  return digest('sha1', utf16be(password), WHITENER, body);
}

export function keystoreDigestMatches(password: string, body: Uint8Array, stored: Uint8Array): boolean {
  return constantTimeEqual(keystoreDigest(password, body), stored);
}
