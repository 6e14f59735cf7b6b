import { createPublicKey } from 'node:crypto';
import { readDer } from '../asn1/der_reader.js';
import { toHex } from '../lib/bytes.js';
import { describePublicKey, readSpki } from './key_info.js';

/**
 * Sanity of public keys that a signature check does not give: numbers that make RSA or ECDSA
 * meaningless. Shared by the CA (a request's key, ERR_WEAK_KEY) and the path validator (every
 * certificate's key), so what one refuses the other does too.
 */

/**
 * Why a certificate's public key is one hapki does not trust a signature of, or undefined, as the
 * end of "... has <reason>": RSA under 2048 bits (or not whole bytes) or with worthless numbers,
 * EC on curves other than P-256/P-384/P-521 or off its curve, DSA and other algorithms. Ed25519
 * and Ed448 pass. The path validator and the CA (for its own key) judge keys here.
 */
export function publicKeyWeakness(spki: Uint8Array): string | undefined {
  let key;
  try {
    key = describePublicKey(spki);
  } catch {
    return 'a public key hapki cannot read';
  }
  if (key.algorithm === 'RSA' || key.algorithm === 'RSASSA-PSS') {
    if (key.bits === undefined) return 'an RSA key hapki cannot read';
    if (key.bits < 2048 || key.bits % 8 !== 0) return `a ${key.bits}-bit RSA key (at least 2048, in whole bytes, required)`;
    let numbers;
    try {
      const [n, e] = readDer(readSpki(spki).key, 'RSAPublicKey').sequence('RSAPublicKey');
      numbers = n && e ? rsaNumbersProblem(n.content, e.content) : 'numbers cannot be read';
    } catch {
      numbers = 'numbers cannot be read';
    }
    return numbers ? `an RSA key whose ${numbers}` : undefined;
  }
  if (key.algorithm === 'EC') {
    if (key.curve === 'P-256' || key.curve === 'P-384' || key.curve === 'P-521') {
      const point = ecPointProblem(spki, readSpki(spki).key, key.curve);
      return point ? `an EC ${point}` : undefined;
    }
    return `an EC key on ${key.curve ?? 'an explicitly encoded curve'} (P-256, P-384 or P-521 required)`;
  }
  // the EdDSA keys hapki itself certifies (csr, sign), when they are points of large order
  if (key.algorithm === 'Ed25519' || key.algorithm === 'Ed448') {
    const point = edPointProblem(key.algorithm, readSpki(spki).key);
    return point ? `an ${key.algorithm} ${point}` : undefined;
  }
  return `a ${key.algorithm} key, which hapki does not accept`;
}

const MIN_RSA_EXPONENT = 65537n;
const MAX_RSA_EXPONENT = (1n << 256n) - 1n;
const SMALL_PRIMES = primesBelow(2000);
/** The small primes in groups whose products stay below 2^53: one big-number remainder per group. */
const PRIME_GROUPS = groupPrimes(SMALL_PRIMES);

/**
 * Why an RSA key with this modulus and public exponent (INTEGER contents, big-endian) is
 * worthless, or undefined: the exponent must be odd and within 2^16+1 .. 2^256-1 (RFC 8017, CA/B
 * Forum BR 6.1.6; with e=1 the padded digest is its own signature, so anyone "signs" for the key),
 * the modulus positive, odd and without a prime factor under 2000.
 */
export function rsaNumbersProblem(modulus: Uint8Array, exponent: Uint8Array): string | undefined {
  // the exponent's size is bounded before it becomes a number
  if (exponent.length === 0 || exponent[0]! & 0x80) return 'public exponent is outside 65537 .. 2^256-1';
  const e = exponent.length > 33 ? MAX_RSA_EXPONENT + 1n : toBigInt(exponent);
  if (e % 2n === 0n) return `public exponent ${e <= 65537n ? `${e} ` : ''}is even`;
  if (e < MIN_RSA_EXPONENT || e > MAX_RSA_EXPONENT) return `public exponent ${e <= 65537n ? `${e} ` : ''}is outside 65537 .. 2^256-1`;
  const n = modulus;
  if (n.length === 0 || n[0]! & 0x80 || n.every((b) => b === 0) || (n[n.length - 1]! & 1) === 0) return 'modulus is not a positive odd number';
  const factor = smallFactor(toBigInt(n));
  return factor === undefined ? undefined : `modulus has the small factor ${factor}`;
}

interface Curve {
  p: bigint;
  a: bigint;
  b: bigint;
}

const P256 = (1n << 256n) - (1n << 224n) + (1n << 192n) + (1n << 96n) - 1n;
const P384 = (1n << 384n) - (1n << 128n) - (1n << 96n) + (1n << 32n) - 1n;
const P521 = (1n << 521n) - 1n;
const CURVES: Readonly<Record<string, Curve>> = {
  'P-256': { p: P256, a: P256 - 3n, b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn },
  'P-384': { p: P384, a: P384 - 3n, b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn },
  'P-521': { p: P521, a: P521 - 3n, b: 0x0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00n },
};

/**
 * Why an EC public point (the subjectPublicKey bits of `spki`) is not a point of the named curve,
 * or undefined; curves other than P-256/P-384/P-521 are left to the callers' curve checks.
 */
export function ecPointProblem(spki: Uint8Array, point: Uint8Array, curveName: string | undefined): string | undefined {
  const curve = curveName === undefined ? undefined : CURVES[curveName];
  if (!curve) return undefined;
  const size = Math.ceil(curve.p.toString(2).length / 8);
  if (point[0] === 0x04 && point.length === 1 + 2 * size) {
    const x = toBigInt(point.subarray(1, 1 + size));
    const y = toBigInt(point.subarray(1 + size));
    const onCurve = x < curve.p && y < curve.p && (y * y - (x * x * x + curve.a * x + curve.b)) % curve.p === 0n;
    return onCurve ? undefined : `public key is not a point on ${curveName}`;
  }
  if ((point[0] === 0x02 || point[0] === 0x03) && point.length === 1 + size) {
    // a compressed point decodes only when x gives a point on the curve
    try {
      createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
      return undefined;
    } catch {
      return `public key is not a point on ${curveName}`;
    }
  }
  return `public key is not an encoded point of ${curveName}`;
}

const ED25519_P = (1n << 255n) - 19n;
const ED448_P = (1n << 448n) - (1n << 224n) - 1n;
/** The y of the order-8 points of edwards25519 (the others are p - Y8, and y = 0, 1, p - 1). */
const ED25519_Y8 = 2707385501144840649318225287225658788936804267575313519463743609750303402022n;
const SMALL_ORDER_Y: Readonly<Record<'Ed25519' | 'Ed448', readonly bigint[]>> = {
  Ed25519: [0n, 1n, ED25519_P - 1n, ED25519_Y8, ED25519_P - ED25519_Y8],
  // edwards448 has cofactor 4: (0, ±1) and (±1, 0)
  Ed448: [0n, 1n, ED448_P - 1n],
};

/**
 * Why an EdDSA public key (the 32 or 57 subjectPublicKey bytes) is worthless, or undefined: a point
 * of small order (with A = identity, R = identity and S = 0 "verify" over any message, as e=1 does
 * for RSA, and node:crypto accepts them: RFC 8032 leaves the check out) or a y not below p, which
 * readers decode differently. Every point of small order has one of five y values (three for Ed448).
 */
export function edPointProblem(algorithm: 'Ed25519' | 'Ed448', point: Uint8Array): string | undefined {
  const size = algorithm === 'Ed25519' ? 32 : 57;
  if (point.length !== size) return `public key is not a ${size}-byte encoded point`;
  const le = Uint8Array.from(point).reverse();
  // the top bit (Ed25519) or top byte's top bit (Ed448) is the sign of x; Ed448's last byte has no other bits
  if (algorithm === 'Ed448' && (le[0]! & 0x7f) !== 0) return 'public key is not an encoded point (bits set in its last byte)';
  le[0] = algorithm === 'Ed25519' ? le[0]! & 0x7f : 0;
  const y = toBigInt(le);
  const p = algorithm === 'Ed25519' ? ED25519_P : ED448_P;
  if (y >= p) return 'public key is not canonically encoded (y is not below p)';
  if (SMALL_ORDER_Y[algorithm].includes(y)) return 'public key is a point of small order, for which a signature of anything verifies';
  return undefined;
}

/** The smallest prime under 2000 dividing n, if any. */
function smallFactor(n: bigint): number | undefined {
  for (const group of PRIME_GROUPS) {
    const rest = Number(n % group.product);
    for (const p of group.primes) if (rest % p === 0) return p;
  }
  return undefined;
}

function toBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${toHex(bytes)}`);
}

function primesBelow(limit: number): bigint[] {
  const sieve = new Uint8Array(limit);
  const primes: bigint[] = [];
  for (let i = 2; i < limit; i++) {
    if (sieve[i]) continue;
    primes.push(BigInt(i));
    for (let j = i * i; j < limit; j += i) sieve[j] = 1;
  }
  return primes;
}

function groupPrimes(primes: readonly bigint[]): { product: bigint; primes: number[] }[] {
  const groups: { product: bigint; primes: number[] }[] = [];
  let current = { product: 1n, primes: [] as number[] };
  for (const p of primes) {
    if (current.product * p >= 1n << 53n) {
      groups.push(current);
      current = { product: 1n, primes: [] };
    }
    current.product *= p;
    current.primes.push(Number(p));
  }
  if (current.primes.length > 0) groups.push(current);
  return groups;
}
