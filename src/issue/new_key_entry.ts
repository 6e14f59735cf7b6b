import { encodeName } from '../cert/dn.js';
import { DEFAULT_KEY_SPEC, exportPkcs8, exportSpki, generateKeyPair, type KeySpec } from '../crypto/keys.js';
import type { WebCrypto } from '../crypto/provider.js';
import { emptyKeystore, type Keystore, type KeystoreFormat, type PrivateKeyEntry } from '../keystore/model.js';
import { buildCertificate, type CertificateContent } from './build_certificate.js';
import { issuerFacts, type Issuer } from './issuer.js';
import { randomSerial } from './serial.js';
import { computeValidity } from './validity.js';

export interface NewKeyEntryRequest {
  subject: string;
  key?: KeySpec;
  days?: number;
  defaultDays: number;
  /** The CA that signs; self-signed without it. */
  issuer?: Issuer;
  alias: string;
  format?: KeystoreFormat;
  now?: Date;
  /** What the certificate says beyond names, key and validity: CA or not, usages. */
  usage: Pick<CertificateContent, 'ca' | 'pathLength' | 'keyUsage' | 'extendedKeyUsage'>;
}

export interface NewKeyEntry {
  /** A keystore with one private-key entry: the new key and its chain. */
  store: Keystore;
  entry: PrivateKeyEntry;
  certificate: Uint8Array;
  warnings: string[];
}

/**
 * A fresh key and a certificate for it, self-signed or signed by `issuer` (AKI from the issuer,
 * validity cut to the issuer's own end), as the one entry of a new keystore: what a new CA and
 * a new token certificate both are.
 */
export async function newKeyEntry(request: NewKeyEntryRequest, crypto: WebCrypto): Promise<NewKeyEntry> {
  const subject = encodeName(request.subject);
  const warnings: string[] = [];
  const facts = request.issuer ? issuerFacts(request.issuer) : undefined;
  const validity = computeValidity(
    { ...(request.days === undefined ? {} : { days: request.days }), ...(request.now ? { now: request.now } : {}), ...(facts ? { issuerNotAfter: facts.notAfter } : {}) },
    request.defaultDays,
  );
  if (validity.clipped) warnings.push(`validity cut to the issuing CA certificate's own end, ${validity.notAfter.toISOString()}`);
  const keys = await generateKeyPair(request.key ?? DEFAULT_KEY_SPEC, crypto);
  const certificate = await buildCertificate(
    {
      subject,
      issuer: facts?.name ?? subject,
      publicKey: await exportSpki(keys.publicKey, crypto),
      ...(facts ? { authorityKeyId: facts.keyId } : {}),
      serial: randomSerial(crypto),
      notBefore: validity.notBefore,
      notAfter: validity.notAfter,
      sans: [],
      ...request.usage,
    },
    request.issuer?.key ?? keys.privateKey,
    crypto,
  );
  const entry: PrivateKeyEntry = {
    type: 'private-key',
    alias: request.alias,
    key: await exportPkcs8(keys.privateKey, crypto),
    chain: [certificate, ...(request.issuer?.chain ?? [])],
    created: request.now ?? new Date(),
  };
  const store = emptyKeystore(request.format ?? 'PKCS12');
  store.entries.push(entry);
  return { store, entry, certificate, warnings };
}
