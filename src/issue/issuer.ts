import { basicConstraintsOf, BASIC_CONSTRAINTS_OID, KEY_USAGE_OID, keyUsageHas } from '../cert/basic_constraints.js';
import { formatName } from '../cert/format_name.js';
import { keyMatchesCertificate } from '../cert/key_match.js';
import { certificateNames } from '../cert/names.js';
import { readTbs } from '../cert/tbs.js';
import { readSpki } from '../crypto/key_info.js';
import { publicKeyWeakness } from '../crypto/key_sanity.js';
import { nodeSigner } from '../crypto/node_signer.js';
import type { WebCrypto } from '../crypto/provider.js';
import type { Signer } from '../crypto/signer.js';
import { InvalidArgumentError, KeyMismatchError, KeystoreFormatError, PolicyError, WeakKeyError } from '../errors.js';
import { keyEntry } from '../keystore/key_entry.js';
import type { Keystore, PrivateKeyEntry } from '../keystore/model.js';
import { unlockedKey } from '../keystore/unlocked_key.js';
import { tryReadPathCertificate, type NameConstraints } from '../path/path_certificate.js';
import { keyIdentifier } from './key_id.js';
import { subjectOf, wellFormedProblem } from '../path/path_checks.js';

const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';

/**
 * Who signs: a Signer (a node:crypto key from a keystore by default, a WebCrypto or HSM key
 * otherwise) and the issuer's certificate chain, its own certificate first.
 */
export interface Issuer {
  signer: Signer;
  chain: Uint8Array[];
}

/** The issuer facts a new certificate takes: the issuer's name, key identifier and end of validity. */
export interface IssuerFacts {
  name: Uint8Array;
  /** The same name as text, formatted once. */
  nameText: string;
  keyId: Uint8Array;
  notAfter: Date;
  /** The issuer's own notBefore: nothing it signs may start before it. */
  notBefore: Date;
  /** The issuer's own basicConstraints pathLenConstraint, when it has one. */
  pathLength?: number;
  /** The name constraints of the issuer and of the CAs above it: what it issues must keep within them. */
  nameConstraints: NameConstraints[];
  /**
   * The extendedKeyUsage lists of the issuer and the CAs above it that limit purposes (no
   * anyExtendedKeyUsage): a certificate for a purpose outside any of them fails path validation.
   */
  purposeLimits: { subject: string; purposes: readonly string[] }[];
  /** The subjects and subjectPublicKey bits of the CAs above the issuer (the issuer's own are `name` and `keyBits[0]`). */
  chainNames: Uint8Array[];
  keyBits: Uint8Array[];
}

/** Facts read from an issuer certificate, by its bytes: a batch or a loop of signCsr reads them once. */
const FACTS = new WeakMap<Uint8Array, IssuerFacts>();

export function issuerFacts(issuer: Issuer): IssuerFacts {
  const der = issuer.chain[0];
  if (!der) throw new InvalidArgumentError('the issuer has no certificate');
  let facts = FACTS.get(der);
  if (!facts) FACTS.set(der, (facts = readIssuerFacts(der, issuer.chain)));
  return facts;
}

function readIssuerFacts(der: Uint8Array, chain: readonly Uint8Array[]): IssuerFacts {
  const pathLength = assertCanIssue(der);
  const names = certificateNames(der);
  // what a weak CA key signs fails every careful validation, hapki's own included
  const weakness = publicKeyWeakness(names.spki);
  if (weakness) throw new WeakKeyError(`the issuing CA "${formatName(names.subject)}" has ${weakness}: what it signs would not validate`);
  const above = chain.slice(1).map((c) => tryReadPathCertificate(c));
  const issuerCert = tryReadPathCertificate(der);
  // a CA certificate (or one above it) that path validation refuses on its own (an unknown
  // critical extension, a critical key identifier, malformed name constraints, a weak key above)
  // makes every certificate it signs fail validation, hapki's and openssl's alike
  for (const cert of [issuerCert, ...above]) {
    const problem = cert ? wellFormedProblem(cert) : undefined;
    if (problem) throw problem.code === 'ERR_WEAK_KEY' ? new WeakKeyError(`the issuing CA's chain: ${problem.reason}: what it signs would not validate`) : new PolicyError(`the issuing CA's chain: ${problem.reason}: what it signs would not validate`);
  }
  const purposeLimits = [issuerCert, ...above].flatMap((c) => (c?.extKeyUsage && !c.extKeyUsage.includes(ANY_EXTENDED_KEY_USAGE) ? [{ subject: subjectOf(c), purposes: c.extKeyUsage }] : []));
  const nameConstraints = [issuerCert, ...above].flatMap((c) => c?.nameConstraints ?? []);
  const chainNames = above.flatMap((c) => (c ? [c.subject] : []));
  const keyBits = [names.spki, ...above.flatMap((c) => (c ? [c.spki] : []))].flatMap((spki) => {
    try {
      return [readSpki(spki).key];
    } catch {
      return [];
    }
  });
  const tbs = readTbs(der);
  const facts: IssuerFacts = { name: names.subject, nameText: formatName(names.subject), keyId: names.subjectKeyId ?? keyIdentifier(names.spki), notAfter: tbs.notAfter, notBefore: tbs.notBefore, nameConstraints, purposeLimits, chainNames, keyBits };
  if (pathLength !== undefined) facts.pathLength = pathLength;
  return facts;
}

/**
 * Refuses (ERR_POLICY) a certificate that may not sign others: not a CA, or no keyCertSign.
 * Returns its pathLenConstraint, if any.
 */
export function assertCanIssue(der: Uint8Array): number | undefined {
  let subject = '';
  let constraints: { ca: boolean; pathLength?: number };
  let signs: boolean;
  try {
    const tbs = readTbs(der);
    subject = formatName(tbs.subject);
    constraints = basicConstraintsOf(tbs.extensions.get(BASIC_CONSTRAINTS_OID));
    const usage = tbs.extensions.get(KEY_USAGE_OID);
    signs = !usage || keyUsageHas(usage, 5);
  } catch (cause) {
    if (cause instanceof KeystoreFormatError) throw new KeystoreFormatError(`not a valid X.509 certificate: ${cause.message}`, undefined, { cause });
    throw cause;
  }
  if (!constraints.ca) throw new PolicyError(`the issuer "${subject}" is not a CA certificate (basicConstraints CA:TRUE is missing)`);
  if (!signs) throw new PolicyError(`the issuer "${subject}" may not sign certificates (its keyUsage lacks keyCertSign)`);
  return constraints.pathLength;
}

/**
 * Refuses (ERR_POLICY) a certificate that may not sign CRLs: what assertCanIssue refuses, or a
 * keyUsage without cRLSign (RFC 5280 6.3.3 (f): such a CRL is refused by every validator).
 */
export function assertCanSignCrls(der: Uint8Array): void {
  assertCanIssue(der);
  const tbs = readTbs(der);
  const usage = tbs.extensions.get(KEY_USAGE_OID);
  if (usage && !keyUsageHas(usage, 6)) throw new PolicyError(`the CA "${formatName(tbs.subject)}" may not sign CRLs (its keyUsage lacks cRLSign): validators would refuse its CRL`);
}

/**
 * The issuer held by a keystore entry: its key must belong to its certificate, which must be a
 * CA. The key is parsed once into a node:crypto signer, reused for every certificate it signs;
 * with `crypto` given, it is imported into that WebCrypto provider instead.
 */
export async function issuerFromEntry(entry: PrivateKeyEntry, crypto?: WebCrypto): Promise<Issuer> {
  const pkcs8 = unlockedKey(entry);
  const certificate = entry.chain[0];
  if (!certificate) throw new InvalidArgumentError(`entry "${entry.alias}" has no certificate to issue under`);
  if (!keyMatchesCertificate(pkcs8, certificate)) {
    throw new KeyMismatchError(`the private key of entry "${entry.alias}" does not belong to its certificate`);
  }
  assertCanIssue(certificate);
  return { signer: await signerForKey(pkcs8, crypto), chain: [...entry.chain] };
}

/** A signer for a keystore's PKCS#8 key: node:crypto, or the given WebCrypto provider. */
export async function signerForKey(pkcs8: Uint8Array, crypto?: WebCrypto): Promise<Signer> {
  if (!crypto) return nodeSigner(pkcs8);
  const [{ importSigningKey }, { webCryptoSigner }] = await Promise.all([import('../crypto/keys.js'), import('../crypto/webcrypto_signer.js')]);
  return webCryptoSigner(await importSigningKey(pkcs8, crypto), crypto);
}

/** The CA entry of a keystore: the alias asked for, or the only private-key entry there is. */
export function caEntry(store: Keystore, alias?: string): PrivateKeyEntry {
  return keyEntry(store, alias, { store: 'the CA keystore', howToName: 'an alias' });
}
