import { InvalidArgumentError } from '../errors.js';

/** What key to make: plain data, free of any crypto library, so that options parse without loading one. */
export const KEY_TYPES = ['rsa', 'ec', 'ed25519'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

export const EC_CURVES = ['P-256', 'P-384', 'P-521'] as const;
export type EcCurve = (typeof EC_CURVES)[number];

/** What key to generate. RSA defaults to 3072 bits, EC to P-256. */
export interface KeySpec {
  kty: KeyType;
  bits?: number;
  curve?: EcCurve;
}

export const DEFAULT_KEY_SPEC: KeySpec = { kty: 'rsa', bits: 3072 };
export const DEFAULT_RSA_BITS = 3072;
export const MIN_RSA_BITS = 2048;

/** Checks and completes a key spec given as loose text (command-line options). */
export function parseKeySpec(input: { kty?: string; bits?: string | number; curve?: string }): KeySpec {
  const kty = (input.kty ?? 'rsa').toLowerCase();
  if (!(KEY_TYPES as readonly string[]).includes(kty)) throw new InvalidArgumentError(`key type "${input.kty}" is not one of ${KEY_TYPES.join(', ')}`);
  if (kty === 'rsa') {
    const bits = input.bits === undefined ? DEFAULT_RSA_BITS : Number(input.bits);
    if (!Number.isInteger(bits) || bits < MIN_RSA_BITS || bits > 16384 || bits % 8 !== 0) {
      throw new InvalidArgumentError(`RSA key size ${input.bits} is not allowed: give a multiple of 8 from ${MIN_RSA_BITS} to 16384`);
    }
    return { kty: 'rsa', bits };
  }
  if (input.bits !== undefined) throw new InvalidArgumentError(`a key size applies to RSA keys only; for ${kty} give ${kty === 'ec' ? '--curve' : 'nothing'}`);
  if (kty === 'ec') {
    const curve = (input.curve ?? 'P-256').toUpperCase().replace(/^P(\d)/, 'P-$1');
    if (!(EC_CURVES as readonly string[]).includes(curve)) throw new InvalidArgumentError(`curve "${input.curve}" is not one of ${EC_CURVES.join(', ')}`);
    return { kty: 'ec', curve: curve as EcCurve };
  }
  if (input.curve !== undefined) throw new InvalidArgumentError('a curve applies to EC keys only');
  return { kty: 'ed25519' };
}

