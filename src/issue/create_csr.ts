import { parseCertificate } from '../cert/parse_certificate.js';
import { certificateNames } from '../cert/names.js';
import { importSigningKey, signingAlgorithm } from '../crypto/keys.js';
import { defaultCrypto, useCryptoForX509, type WebCrypto, type WebCryptoKeyPair } from '../crypto/provider.js';
import { InvalidArgumentError } from '../errors.js';
import type { PrivateKeyEntry } from '../keystore/model.js';
import { unlockedKey } from '../keystore/unlocked_key.js';
import { x509 } from '../lib/x509.js';
import { toArrayBuffer, toGeneralName } from './build_certificate.js';
import { mergeSans, type SubjectAltName } from './san.js';
import { SAN_OID, sansOfExtension } from './san_extension.js';
import { encodeName } from '../cert/dn.js';

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

/**
 * A PKCS#10 request from a keystore entry's own key, as `keytool -certreq` makes: the subject of
 * the entry's certificate, and its current subject alternative names (plus any given) in an
 * extensionRequest so that a re-issued certificate keeps them.
 */
export async function createCsr(entry: PrivateKeyEntry, options: CreateCsrOptions = {}, crypto: WebCrypto = defaultCrypto()): Promise<CreatedCsr> {
  const pkcs8 = unlockedKey(entry);
  const certificate = entry.chain[0];
  if (!certificate && options.subject === undefined) throw new InvalidArgumentError(`entry "${entry.alias}" has no certificate to take the subject from: give a subject`);
  const warnings: string[] = [];
  let current: SubjectAltName[] = [];
  if (certificate) {
    const found = sansOfExtension(parseCertificate(certificate).getExtension(SAN_OID));
    current = found.sans;
    for (const s of found.skipped) warnings.push(`the certificate's name ${s} is not carried into the request`);
  }
  const subject = options.subject !== undefined ? encodeName(options.subject) : certificateNames(certificate!).subject;
  const sans = mergeSans({ requested: current, extra: options.sans ?? [] });
  const csr = await createCsrWithKeys(await importSigningKey(pkcs8, crypto), subject, sans, crypto);
  return { csr, sans, warnings };
}

/** A PKCS#10 request signed by any WebCrypto key pair (an HSM's too). `subject` is a DER Name. */
export async function createCsrWithKeys(keys: WebCryptoKeyPair, subject: Uint8Array, sans: readonly SubjectAltName[], crypto: WebCrypto = defaultCrypto()): Promise<Uint8Array> {
  useCryptoForX509(crypto);
  type Params = Parameters<typeof x509.Pkcs10CertificateRequestGenerator.create>;
  const request = await x509.Pkcs10CertificateRequestGenerator.create(
    {
      name: new x509.Name(toArrayBuffer(subject)),
      keys: keys as unknown as Params[0]['keys'],
      signingAlgorithm: signingAlgorithm(keys.privateKey) as unknown as Params[0]['signingAlgorithm'],
      extensions: sans.length > 0 ? [new x509.SubjectAlternativeNameExtension(sans.map(toGeneralName))] : [],
    },
    crypto as unknown as Params[1],
  );
  return new Uint8Array(request.rawData);
}
