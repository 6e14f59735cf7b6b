import { readDer, Tag, type DerNode } from '../asn1/der_reader.js';
import { OID } from '../asn1/oids.js';
import { LimitExceededError } from '../errors.js';
import { LIMITS } from '../limits.js';

/**
 * Refuses an RSA key whose numbers are out of bounds before any big-number work: a 1 MB public
 * exponent costs seconds in Node's key details alone. The bounds are the JDK's and OpenSSL's:
 * a modulus of at most 16,384 bits, an exponent shorter than the modulus, and of at most 64 bits
 * above a 3,072-bit modulus. Other key types pass; a structure that does not parse is left to
 * the parser proper.
 */
export function checkKeyBounds(der: Uint8Array, kind: 'spki' | 'pkcs8'): void {
  let numbers: DerNode[] | undefined;
  try {
    numbers = rsaNumbers(der, kind);
  } catch {
    return;
  }
  if (numbers) checkRsaNumbers(numbers);
}

/** The same bounds on numbers already read: [n, e] of an RSAPublicKey, or [n, e, d, p, q, ...]. */
export function checkRsaNumbers(numbers: readonly DerNode[]): void {
  const [n, e, ...rest] = numbers;
  if (!n?.is(Tag.integer) || !e?.is(Tag.integer)) return;
  const modulusBits = bitLength(n.content);
  const exponentBits = bitLength(e.content);
  if (modulusBits > LIMITS.rsaModulusBits) throw new LimitExceededError(`RSA modulus of ${modulusBits} bits: more than ${LIMITS.rsaModulusBits}`);
  const exponentLimit = modulusBits > 3072 ? LIMITS.rsaExponentBits : modulusBits - 1;
  if (exponentBits > exponentLimit) throw new LimitExceededError(`RSA public exponent of ${exponentBits} bits: more than ${exponentLimit} for a ${modulusBits}-bit modulus`);
  for (const part of rest) {
    if (part.is(Tag.integer) && bitLength(part.content) > modulusBits + 8) throw new LimitExceededError('RSA private key number longer than its modulus');
  }
}

/** [n, e] of an RSA SPKI, or [n, e, d, p, q, ...] of an RSA PKCS#8; undefined for other keys. */
function rsaNumbers(der: Uint8Array, kind: 'spki' | 'pkcs8'): DerNode[] | undefined {
  const top = readDer(der, kind).children;
  const algorithm = top[kind === 'spki' ? 0 : 1]?.children[0]?.oid();
  if (algorithm !== OID.rsaEncryption && algorithm !== OID.rsassaPss) return undefined;
  if (kind === 'spki') return readDer(top[1]!.bits(), 'RSAPublicKey').children;
  return readDer(top[2]!.octets(), 'RSAPrivateKey').children.slice(1);
}

/** Bits of a big-endian magnitude, leading zero bytes ignored. */
export function bitLength(content: Uint8Array): number {
  let i = 0;
  while (i < content.length && content[i] === 0) i++;
  if (i === content.length) return 0;
  return (content.length - i - 1) * 8 + (32 - Math.clz32(content[i]!));
}
