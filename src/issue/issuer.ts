import { parseCertificate } from '../cert/parse_certificate.js';
import { certificateNames } from '../cert/names.js';
import { importSigningKey } from '../crypto/keys.js';
import { defaultCrypto, type WebCrypto, type WebCryptoKey } from '../crypto/provider.js';
import { InvalidArgumentError, KeyMismatchError, PolicyError } from '../errors.js';
import type { Keystore, PrivateKeyEntry } from '../keystore/model.js';
import { unlockedKey } from '../keystore/unlocked_key.js';
import { x509 } from '../lib/x509.js';
import { keyIdentifier } from './key_id.js';
import { keyEntry } from '../keystore/key_entry.js';
import { keyMatchesCertificate } from '../cert/key_match.js';

/**
 * Who signs: a WebCrypto private key (from a keystore, or an HSM's own) and the issuer's
 * certificate chain, its own certificate first.
 */
export interface Issuer {
  key: WebCryptoKey;
  chain: Uint8Array[];
}

/** The issuer facts a new certificate takes: the issuer's name, key identifier and end of validity. */
export interface IssuerFacts {
  name: Uint8Array;
  keyId: Uint8Array;
  notAfter: Date;
}

export function issuerFacts(issuer: Issuer): IssuerFacts {
  const der = issuer.chain[0];
  if (!der) throw new InvalidArgumentError('the issuer has no certificate');
  assertCanIssue(der);
  const names = certificateNames(der);
  return { name: names.subject, keyId: names.subjectKeyId ?? keyIdentifier(names.spki), notAfter: parseCertificate(der).notAfter };
}

/** Refuses (ERR_POLICY) a certificate that may not sign others: not a CA, or no keyCertSign. */
export function assertCanIssue(der: Uint8Array): void {
  const cert = parseCertificate(der);
  const constraints = cert.getExtension(x509.BasicConstraintsExtension);
  if (!constraints?.ca) throw new PolicyError(`the issuer "${cert.subject}" is not a CA certificate (basicConstraints CA:TRUE is missing)`);
  const usage = cert.getExtension(x509.KeyUsagesExtension);
  if (usage && (usage.usages & x509.KeyUsageFlags.keyCertSign) === 0) {
    throw new PolicyError(`the issuer "${cert.subject}" may not sign certificates (its keyUsage lacks keyCertSign)`);
  }
}

/** The issuer held by a keystore entry: its key must belong to its certificate, which must be a CA. */
export async function issuerFromEntry(entry: PrivateKeyEntry, crypto: WebCrypto = defaultCrypto()): Promise<Issuer> {
  const pkcs8 = unlockedKey(entry);
  const certificate = entry.chain[0];
  if (!certificate) throw new InvalidArgumentError(`entry "${entry.alias}" has no certificate to issue under`);
  if (!keyMatchesCertificate(pkcs8, certificate)) {
    throw new KeyMismatchError(`the private key of entry "${entry.alias}" does not belong to its certificate`);
  }
  assertCanIssue(certificate);
  const { privateKey } = await importSigningKey(pkcs8, crypto);
  return { key: privateKey, chain: [...entry.chain] };
}

/** The CA entry of a keystore: the alias asked for, or the only private-key entry there is. */
export function caEntry(store: Keystore, alias?: string): PrivateKeyEntry {
  return keyEntry(store, alias, { store: 'the CA keystore', howToName: 'an alias' });
}
