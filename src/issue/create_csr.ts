import { implicitConstructed, integer, oid, sequence, setOf } from '../asn1/der_writer.js';
import { encodeSubject } from '../names/subject_values.js';
import { certificateNames } from '../cert/names.js';
import { readTbs } from '../cert/tbs.js';
import type { WebCrypto, WebCryptoKeyPair } from '../crypto/provider.js';
import type { Signer } from '../crypto/signer.js';
import { webCryptoSigner } from '../crypto/webcrypto_signer.js';
import { InvalidArgumentError } from '../errors.js';
import type { Keystore, PrivateKeyEntry } from '../keystore/model.js';
import { getEntry } from '../keystore/alias.js';
import { keyEntry } from '../keystore/key_entry.js';
import { unlockedKey } from '../keystore/unlocked_key.js';
import { encodeExtension, signed } from './build_certificate.js';
import { signerForKey } from './issuer.js';
import { mergeSans, type SubjectAltName } from './san.js';
import { encodeGeneralNames, SAN_OID, sansOfExtension } from './san_extension.js';

export interface CreateCsrOptions {
  /** Replaces the subject of the entry's certificate. */
  subject?: string;
  /** Names requested besides the certificate's own. */
  sans?: readonly SubjectAltName[];
}

export interface CreatedCsr {
  /** PKCS#10 CertificationRequest, DER. */
  csr: Uint8Array;
  sans: SubjectAltName[];
  warnings: string[];
}

const EXTENSION_REQUEST = '1.2.840.113549.1.9.14';

/**
 * A PKCS#10 request from a keystore entry's own key, as `keytool -certreq` makes: the subject of
 * the entry's certificate, and its current subject alternative names (plus any given) in an
 * extensionRequest so that a re-issued certificate keeps them. Signed with node:crypto, or in
 * the given WebCrypto provider.
 */
export async function createCsr(entry: PrivateKeyEntry, options: CreateCsrOptions = {}, crypto?: WebCrypto): Promise<CreatedCsr> {
  const pkcs8 = unlockedKey(entry);
  const certificate = entry.chain[0];
  if (!certificate && options.subject === undefined) throw new InvalidArgumentError(`entry "${entry.alias}" has no certificate to take the subject from: give a subject`);
  const warnings: string[] = [];
  let current: SubjectAltName[] = [];
  if (certificate) {
    const found = sansOfExtension(readTbs(certificate).extensions.get(SAN_OID)?.value);
    current = found.sans;
    for (const s of found.skipped) warnings.push(`the certificate's name ${s} is not carried into the request`);
  }
  const subject = options.subject !== undefined ? encodeSubject(options.subject) : certificateNames(certificate!).subject;
  const sans = mergeSans({ requested: current, extra: options.sans ?? [] });
  const csr = await createCsrWithSigner(await signerForKey(pkcs8, crypto), subject, sans);
  return { csr, sans, warnings };
}

/**
 * A PKCS#10 request for the signer's key (a keystore's, a WebCrypto provider's, an HSM's).
 * `subject` is a DER Name; the names go into an extensionRequest.
 */
export async function createCsrWithSigner(signer: Signer, subject: Uint8Array, sans: readonly SubjectAltName[]): Promise<Uint8Array> {
  const attributes = sans.length > 0 ? [sequence(oid(EXTENSION_REQUEST), setOf(sequence(encodeExtension({ oid: SAN_OID, critical: false, value: encodeGeneralNames(sans) }))))] : [];
  const info = sequence(integer(0), subject, signer.publicKeyInfo, implicitConstructed(0, ...attributes));
  return signed(info, signer);
}

/** A PKCS#10 request signed by any WebCrypto key pair (an HSM's too). `subject` is a DER Name. */
export async function createCsrWithKeys(keys: WebCryptoKeyPair, subject: Uint8Array, sans: readonly SubjectAltName[], crypto: WebCrypto): Promise<Uint8Array> {
  return createCsrWithSigner(await webCryptoSigner(keys, crypto), subject, sans);
}

/**
 * A request from the private-key entry under `alias` (`hapki csr` without --new-key); without an
 * alias, from the keystore's only private-key entry. `alias` in the result names the entry used.
 */
export async function createCsrForAlias(store: Keystore, alias: string | undefined, options: CreateCsrOptions = {}, crypto?: WebCrypto): Promise<CreatedCsr & { alias: string }> {
  const entry = alias === undefined ? keyEntry(store, undefined, { store: 'the keystore', howToName: '--alias' }) : getEntry(store, alias);
  if (entry.type !== 'private-key') throw new InvalidArgumentError(`entry "${alias}" is a ${entry.type} entry: a request needs a private key`);
  return { ...(await createCsr(entry, options, crypto)), alias: entry.alias };
}
