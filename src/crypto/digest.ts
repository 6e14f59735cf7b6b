import { createHash, hash as oneShotHash } from 'node:crypto';

export type DigestName = 'md5' | 'sha1' | 'sha256' | 'sha384' | 'sha512';

export function digest(name: DigestName, ...parts: Uint8Array[]): Uint8Array {
  // one part (a key identifier, a fingerprint): node:crypto's one-shot hash, without a Hash object
  if (parts.length === 1) {
    const out = oneShotHash(name, parts[0]!, 'buffer');
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }
  const hash = createHash(name);
  for (const p of parts) hash.update(p);
  return new Uint8Array(hash.digest());
}

/** Lower-case hex SHA-256 of the bytes, without colons: how hapki prints every fingerprint. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * A short string that stands for the bytes' content (SHA-256, base64: 44 characters), to key
 * maps and sets by content: a store of thousands of certificates keeps 44 characters per key,
 * not a hex copy of every certificate.
 */
export function contentKey(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64');
}
