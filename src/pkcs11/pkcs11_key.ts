import type { KeySpec } from '../crypto/keys.js';
import { findCertificate, issuerChain, storeCertificate, tokenCertificates } from './certificate_object.js';
import { destroyKey, exportPrivateKey, generateKeyPair, type GenerateOptions } from './generate_key.js';
import { findPrivateKey, type Pkcs11KeyObject } from './key_object.js';
import { listToken, type Pkcs11TokenSummary } from './list_token.js';
import { resolveModulePath } from './module.js';
import { Pkcs11Signer } from './pkcs11_signer.js';
import { Pkcs11Token } from './token.js';
import { parsePkcs11Uri, type Pkcs11Uri } from './uri.js';

/** How to reach a token: the module (else the URI's, HAPKI_PKCS11_MODULE, SoftHSM's) and the user PIN. */
export interface Pkcs11Access {
  module?: string;
  pin?: string;
  /** Where HAPKI_PKCS11_MODULE is read (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * A private key in an HSM, open for use: its Signer, the certificate stored beside it, and
 * `close()` to end the session (the key is usable until then).
 */
export interface Pkcs11Key {
  readonly uri: Pkcs11Uri;
  readonly object: Pkcs11KeyObject;
  readonly signer: Pkcs11Signer;
  /** The certificate with the key's CKA_ID (else its label) on the token. */
  certificate(): Uint8Array | undefined;
  /** That certificate and the issuers above it the token holds too; empty without a certificate. */
  chain(): Uint8Array[];
  /** Stores a certificate for this key on the token, under its label and CKA_ID. */
  storeCertificate(der: Uint8Array): void;
  /** PKCS#8 of a key made extractable; ERR_PKCS11_DEVICE for a key the token keeps. */
  exportPrivateKey(): Uint8Array;
  /** Removes the key pair and its certificate from the token (undoing a half-made key). */
  destroy(): void;
  close(): void;
}

function uriOf(location: string | Pkcs11Uri): Pkcs11Uri {
  return typeof location === 'string' ? parsePkcs11Uri(location) : location;
}

async function openToken(uri: Pkcs11Uri, access: Pkcs11Access, write: boolean): Promise<Pkcs11Token> {
  const modulePath = resolveModulePath(uri, access.module, access.env ?? process.env);
  return Pkcs11Token.open(uri, { modulePath, write, ...(access.pin === undefined ? {} : { pin: access.pin }) });
}

function keyOn(token: Pkcs11Token, uri: Pkcs11Uri, object: Pkcs11KeyObject): Pkcs11Key {
  return {
    uri,
    object,
    signer: new Pkcs11Signer(token, object),
    certificate: () => findCertificate(token, object),
    chain: () => {
      const leaf = findCertificate(token, object);
      return leaf ? issuerChain(leaf, tokenCertificates(token)) : [];
    },
    storeCertificate: (der) => storeCertificate(token, object, der),
    exportPrivateKey: () => exportPrivateKey(token, object),
    destroy: () => destroyKey(token, object),
    close: () => token.close(),
  };
}

/**
 * Opens the private key a pkcs11: URI names (object= and/or id=), logged in with the PIN; in a
 * read-write session only with `write` (to store a certificate beside it).
 */
export async function openPkcs11Key(location: string | Pkcs11Uri, access: Pkcs11Access = {}, options: { write?: boolean } = {}): Promise<Pkcs11Key> {
  const uri = uriOf(location);
  const token = await openToken(uri, access, options.write ?? false);
  try {
    return keyOn(token, uri, findPrivateKey(token, uri));
  } catch (error) {
    token.close();
    throw error;
  }
}

/**
 * Generates a key pair on the token under the URI's object= (and id=): sensitive and never
 * extractable unless `extractable` is asked for. ERR_PKCS11_OBJECT_EXISTS if the label is taken.
 */
export async function generatePkcs11Key(location: string | Pkcs11Uri, spec: KeySpec, access: Pkcs11Access = {}, options: GenerateOptions = {}): Promise<Pkcs11Key> {
  const uri = uriOf(location);
  const token = await openToken(uri, access, true);
  try {
    return keyOn(token, uri, generateKeyPair(token, uri, spec, options));
  } catch (error) {
    token.close();
    throw error;
  }
}

/** The token's keys and certificates as keystore entries (see listToken). */
export async function listPkcs11Token(location: string | Pkcs11Uri, access: Pkcs11Access = {}): Promise<Pkcs11TokenSummary> {
  const token = await openToken(uriOf(location), access, false);
  try {
    return listToken(token);
  } finally {
    token.close();
  }
}

/**
 * A key made on the token and certified in one go: generated, given to `certify` (which signs
 * its certificate: itself, or through an issuer), and the certificate stored beside it. If
 * certifying or storing fails, the new key pair is removed again, so a failed run leaves the
 * token as it was.
 */
export async function createKeyOnToken(
  location: string | Pkcs11Uri,
  spec: KeySpec,
  access: Pkcs11Access,
  options: GenerateOptions,
  certify: (key: Pkcs11Key) => Promise<Uint8Array>,
): Promise<{ key: Pkcs11Key; certificate: Uint8Array }> {
  const key = await generatePkcs11Key(location, spec, access, options);
  try {
    const certificate = await certify(key);
    key.storeCertificate(certificate);
    return { key, certificate };
  } catch (error) {
    try {
      key.destroy();
    } finally {
      key.close();
    }
    throw error;
  }
}
