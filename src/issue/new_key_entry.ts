import { encodeName } from '../cert/dn.js';
import { checkIssuerConstraints, checkNames, checkSubject } from './issuance_checks.js';
import { commonNameOf } from '../cert/format_name.js';
import { subjectValues } from '../names/subject_values.js';
import { namesInSubject } from './san.js';
import type { NamePolicy } from './name_policy.js';
import { generateSigningKey, pkcs8Of } from '../crypto/generate_key.js';
import { DEFAULT_KEY_SPEC, type KeySpec } from '../crypto/key_spec.js';
import { nodeSigner } from '../crypto/node_signer.js';
import type { WebCrypto } from '../crypto/provider.js';
import type { Signer } from '../crypto/signer.js';
import { emptyKeystore, type Keystore, type KeystoreFormat, type PrivateKeyEntry } from '../keystore/model.js';
import { buildCertificate, type CertificateContent } from './build_certificate.js';
import { issuerFacts, type Issuer } from './issuer.js';
import { randomSerial } from './serial.js';
import { computeValidity } from './validity.js';

const EMAIL_ADDRESS_OID = '1.2.840.113549.1.9.1';

/** What a certificate for a key of one's own says: subject, validity, issuer, usages. */
export interface KeyCertificateRequest {
  subject: string;
  days?: number;
  defaultDays: number;
  /** The CA that signs; self-signed without it. */
  issuer?: Issuer;
  now?: Date;
  /** The issuing CA's name policy: the host names and addresses the subject carries must keep to it. */
  namePolicy?: NamePolicy;
  /** What the certificate says beyond names, key and validity: CA or not, usages, and more. */
  usage: Pick<CertificateContent, 'ca' | 'pathLength' | 'keyUsage' | 'extendedKeyUsage'> & Partial<Pick<CertificateContent, 'sans' | 'extraExtensions'>>;
}

export interface NewKeyEntryRequest extends KeyCertificateRequest {
  key?: KeySpec;
  alias: string;
  format?: KeystoreFormat;
}

export interface NewKeyEntry {
  /** A keystore with one private-key entry: the new key and its chain. */
  store: Keystore;
  entry: PrivateKeyEntry;
  certificate: Uint8Array;
  warnings: string[];
}

/**
 * A certificate for the key behind `subjectSigner` (a key of any location: a keystore's, an
 * HSM's), signed by `request.issuer` (AKI from the issuer, validity cut to the issuer's own end)
 * or, without one, by that key itself.
 */
export async function certificateForKey(request: KeyCertificateRequest, subjectSigner: Signer, crypto?: WebCrypto): Promise<{ certificate: Uint8Array; warnings: string[] }> {
  const subject = encodeName(request.subject);
  const warnings: string[] = [];
  const facts = request.issuer ? issuerFacts(request.issuer) : undefined;
  // a certificate a CA issues (a sub-CA, a token certificate) meets the subject rules of `sign`:
  // no control characters, bounded values, one CN, and never the issuer's own name
  if (facts) {
    checkSubject(subject, facts.name, facts.nameText, facts.chainNames);
    // and the names it carries (a CN that is a host name or an address, an emailAddress) meet the
    // name validator and the CA's policy, as they do in `sign`: a sub-CA or a token certificate
    // named "CN=www.elsewhere.com" is no way around the policy
    checkNames(namesInSubject(commonNameOf(subject), subjectValues(subject, EMAIL_ADDRESS_OID), { singleLabel: false }), request.namePolicy ? { namePolicy: request.namePolicy } : {});
  }
  const validity = computeValidity(
    { ...(request.days === undefined ? {} : { days: request.days }), ...(request.now ? { now: request.now } : {}), ...(facts ? { issuerNotAfter: facts.notAfter, issuerNotBefore: facts.notBefore } : {}) },
    request.defaultDays,
  );
  if (validity.clipped) warnings.push(`validity cut to the issuing CA certificate's own end, ${validity.notAfter.toISOString()}`);
  const certificate = await buildCertificate(
    {
      subject,
      issuer: facts?.name ?? subject,
      publicKey: subjectSigner.publicKeyInfo,
      ...(facts ? { authorityKeyId: facts.keyId } : {}),
      serial: randomSerial(crypto),
      notBefore: validity.notBefore,
      notAfter: validity.notAfter,
      sans: [],
      ...request.usage,
    },
    request.issuer?.signer ?? subjectSigner,
  );
  if (facts) checkIssuerConstraints(facts.nameConstraints, certificate);
  return { certificate, warnings };
}

/**
 * A fresh key and a certificate for it, self-signed or signed by `issuer`, as the one entry of a
 * new keystore: what a new CA and a new token certificate both are. The key is made by
 * node:crypto, or by the given WebCrypto provider.
 */
export async function newKeyEntry(request: NewKeyEntryRequest, crypto?: WebCrypto): Promise<NewKeyEntry> {
  const key = await newSigningKey(request.key ?? DEFAULT_KEY_SPEC, crypto);
  const { certificate, warnings } = await certificateForKey(request, key.signer, crypto);
  const entry: PrivateKeyEntry = {
    type: 'private-key',
    alias: request.alias,
    key: key.pkcs8,
    chain: [certificate, ...(request.issuer?.chain ?? [])],
    created: request.now ?? new Date(),
  };
  const store = emptyKeystore(request.format ?? 'PKCS12');
  store.entries.push(entry);
  return { store, entry, certificate, warnings };
}

/** A new exportable key: its signer and its PKCS#8 for the keystore. */
export async function newSigningKey(spec: KeySpec, crypto?: WebCrypto): Promise<{ signer: Signer; pkcs8: Uint8Array }> {
  if (!crypto) {
    const key = await generateSigningKey(spec);
    return { signer: nodeSigner(key), pkcs8: pkcs8Of(key) };
  }
  const [{ generateKeyPair, exportPkcs8 }, { webCryptoSigner }] = await Promise.all([import('../crypto/keys.js'), import('../crypto/webcrypto_signer.js')]);
  const keys = await generateKeyPair(spec, crypto);
  return { signer: await webCryptoSigner(keys, crypto), pkcs8: await exportPkcs8(keys.privateKey, crypto) };
}
