import type { KeySpec } from '../crypto/key_spec.js';
import type { WebCrypto } from '../crypto/provider.js';
import type { Signer } from '../crypto/signer.js';
import { PolicyError } from '../errors.js';
import type { KeystoreFormat } from '../keystore/model.js';
import { issuerFacts, type Issuer } from './issuer.js';
import { checkPathLengthValue, type ExtraExtension } from './issuance_checks.js';
import type { NamePolicy } from './name_policy.js';
import { certificateForKey, newKeyEntry, type KeyCertificateRequest, type NewKeyEntry } from './new_key_entry.js';

export const DEFAULT_CA_DAYS = 3650;

export interface CreateCaOptions {
  /** The CA's distinguished name, "CN=Example Root CA,O=Example". */
  subject: string;
  /** Default RSA 3072. */
  key?: KeySpec;
  /** Default 3650. */
  days?: number;
  /** basicConstraints pathLenConstraint; none by default (any depth below). */
  pathLength?: number;
  /** Alias of the entry in the new keystore (default "ca"). */
  alias?: string;
  /** Format the new keystore is meant for (default PKCS12). */
  format?: KeystoreFormat;
  /** The CA that signs an intermediate; a self-signed root without it. */
  issuer?: Issuer;
  /** The issuer's own additions (CRL and AIA URLs, name constraints: `certifyWith`). */
  extraExtensions?: ExtraExtension[];
  /** The issuer's name policy, which the new CA's own name must keep to. */
  namePolicy?: NamePolicy;
  now?: Date;
}

/** A keystore with one private-key entry, the new key and its chain, and what was noticed on the way. */
export type CreatedCa = NewKeyEntry;

/**
 * A new CA: a fresh key and a certificate with basicConstraints CA:TRUE and keyUsage
 * keyCertSign+cRLSign (both critical), self-signed, or signed by `issuer` for an intermediate.
 * The key is made by node:crypto, or by the given WebCrypto provider.
 */
export async function createCa(options: CreateCaOptions, crypto?: WebCrypto): Promise<CreatedCa> {
  return newKeyEntry({ ...caRequest(options), ...(options.key ? { key: options.key } : {}), alias: options.alias ?? 'ca', ...(options.format ? { format: options.format } : {}) }, crypto);
}

/**
 * A CA certificate for a key that stays where it is (an HSM's, behind `signer`): the same
 * certificate createCa makes, without a keystore around it.
 */
export async function createCaCertificate(options: Omit<CreateCaOptions, 'key' | 'alias' | 'format'>, signer: Signer): Promise<{ certificate: Uint8Array; warnings: string[] }> {
  return certificateForKey(caRequest(options), signer);
}

function caRequest(options: CreateCaOptions): KeyCertificateRequest {
  if (options.pathLength !== undefined) checkPathLengthValue(options.pathLength);
  if (options.issuer) checkPathLength(issuerFacts(options.issuer).pathLength, options.pathLength);
  return {
    subject: options.subject,
    ...(options.days === undefined ? {} : { days: options.days }),
    defaultDays: DEFAULT_CA_DAYS,
    ...(options.issuer ? { issuer: options.issuer } : {}),
    ...(options.namePolicy ? { namePolicy: options.namePolicy } : {}),
    ...(options.now ? { now: options.now } : {}),
    usage: { ca: true, ...(options.pathLength === undefined ? {} : { pathLength: options.pathLength }), keyUsage: ['keyCertSign', 'cRLSign'], extendedKeyUsage: [], ...(options.extraExtensions ? { extraExtensions: options.extraExtensions } : {}) },
  };
}

function checkPathLength(limit: number | undefined, wanted: number | undefined): void {
  if (limit === undefined) return;
  if (limit === 0) throw new PolicyError('the issuer has path length 0: it may not sign another CA');
  if (wanted !== undefined && wanted >= limit) throw new PolicyError(`path length ${wanted} exceeds what the issuer allows below it (${limit - 1})`);
}
