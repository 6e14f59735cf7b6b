import { randomFillSync } from 'node:crypto';
import type { WebCrypto } from '../crypto/provider.js';
import { toHex } from '../lib/bytes.js';

/**
 * A random positive serial number of 128 bits, as lower-case hex: the top bit is cleared so the
 * INTEGER needs no sign byte, and the first byte is non-zero so all 16 bytes are encoded (RFC 5280
 * asks for at most 20 octets; the CA/Browser Forum for at least 64 random bits). Random bytes come
 * from node:crypto, or from the given WebCrypto provider.
 */
export function randomSerial(crypto?: WebCrypto): string {
  const bytes = new Uint8Array(16);
  if (crypto) crypto.getRandomValues(bytes);
  else takeRandom(bytes);
  bytes[0] = bytes[0]! & 0x7f;
  if (bytes[0] === 0) bytes[0] = 1 + (bytes[1]! % 0x7f);
  return toHex(bytes);
}

/** node:crypto's random bytes, drawn 4 KiB at a time: one call per 256 serials instead of one each. */
const pool = new Uint8Array(4096);
let used = pool.length;

function takeRandom(out: Uint8Array): void {
  if (used + out.length > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  out.set(pool.subarray(used, used + out.length));
  // bytes handed out are wiped, so no serial's randomness stays behind to be read again
  pool.fill(0, used, used + out.length);
  used += out.length;
}
