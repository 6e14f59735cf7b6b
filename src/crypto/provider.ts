import { Crypto } from '@peculiar/webcrypto';
import type { webcrypto } from 'node:crypto';
import { x509 } from '../lib/x509.js';

/** A WebCrypto implementation: the default one, or any other (an HSM-backed one) that drops in. */
export type WebCrypto = webcrypto.Crypto;
export type WebCryptoKey = webcrypto.CryptoKey;
export type WebCryptoKeyPair = webcrypto.CryptoKeyPair;

let instance: WebCrypto | undefined;

/** The shared @peculiar/webcrypto instance, made on first use. */
export function defaultCrypto(): WebCrypto {
  instance ??= new Crypto() as unknown as WebCrypto;
  return instance;
}

/**
 * Makes @peculiar/x509 use this provider for the calls that take none (parsing public keys,
 * computing thumbprints). Called by the functions that use x509 with a given provider, never at
 * import time, so that loading a module changes nothing.
 */
export function useCryptoForX509(crypto: WebCrypto): void {
  x509.cryptoProvider.set(crypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
}
