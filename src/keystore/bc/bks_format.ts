/**
 * The limits of a BKS store's fields, shared by recognition (recognise.ts) and the reader
 * (bks_read.ts), so that a file recognised as BKS is one the reader accepts the header of.
 */

/** BouncyCastle writes a 20-byte salt; any short salt is allowed, never a length from garbage. */
export const MAX_BKS_SALT = 1024;

/** Far above any real store; a chain length from garbage must not drive a loop. */
export const MAX_BKS_CHAIN = 1024;

/**
 * The widest iteration count a BKS header or sealed key may show (2^24): a count field above it
 * is garbage, not BouncyCastle's, whether or not anything is derived.
 */
export const MAX_BKS_COUNT_FIELD = 1 << 24;

/**
 * BouncyCastle picks 1,024 to 2,047 rounds for the store and for each key, and offers no setting
 * for it: a count far above that is not BouncyCastle's, and would make each key cost seconds
 * (three KDF blocks at the general limit of 5,000,000 rounds). Refused before any derivation,
 * and only where one would run: a store read without passwords still lists its certificates.
 */
export const MAX_BKS_ITERATIONS = 100_000;
