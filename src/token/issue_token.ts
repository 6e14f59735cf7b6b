import { DEFAULT_KEY_SPEC, type KeySpec } from '../crypto/key_spec.js';
import type { WebCrypto } from '../crypto/provider.js';
import { UsageError } from '../errors.js';
import type { KeystoreFormat } from '../keystore/model.js';
import type { Issuer } from '../issue/issuer.js';
import type { ExtraExtension } from '../issue/issuance_checks.js';
import type { NamePolicy } from '../issue/name_policy.js';
import { newKeyEntry, type NewKeyEntry } from '../issue/new_key_entry.js';
import { profileKeyUsage, type KeyUsageName } from '../issue/profiles.js';

export const DEFAULT_TOKEN_DAYS = 730;
export const DEFAULT_TOKEN_ALIAS = 'token';

export interface IssueTokenOptions {
  /** "CN=msas-token,O=Example". */
  subject: string;
  /** Alias of the entry in the new keystore (default "token"). */
  alias?: string;
  /** Default RSA 3072: the gateway encrypts token payloads with the key, which needs RSA. */
  key?: KeySpec;
  /** Default 730; cut to the issuer's own end. */
  days?: number;
  /** The CA that signs the token certificate; self-signed without it. */
  issuer?: Issuer;
  /** The issuer's own additions (CRL and AIA URLs: `certifyWith`). */
  extraExtensions?: ExtraExtension[];
  /** The issuer's name policy, which the token certificate's name must keep to. */
  namePolicy?: NamePolicy;
  /** Format the new keystore is meant for (default PKCS12). */
  format?: KeystoreFormat;
  now?: Date;
}

/** Where a token's key and certificate come from, as asked: whether each is given. */
export interface TokenSourceChoice {
  /** A CA signs a new certificate. */
  ca?: unknown;
  /** A new self-signed certificate. */
  selfSigned?: boolean;
  /** An existing entry's key and certificate (an instance's SSL entry, say). */
  from?: unknown;
  subject?: unknown;
  kty?: unknown;
  days?: unknown;
}

/**
 * The consistency of a token request before anything is read (ERR_USAGE, worded as `hapki token
 * issue`'s flags): exactly one source; a subject for a new certificate; none of subject, key type
 * and days for an existing entry, whose certificate is taken as it is.
 */
export function checkTokenSource(choice: TokenSourceChoice): void {
  const sources = [choice.ca !== undefined, choice.selfSigned === true, choice.from !== undefined].filter(Boolean).length;
  if (sources !== 1) throw new UsageError('give exactly one of --ca, --self-signed and --from');
  if (choice.from === undefined && choice.subject === undefined) throw new UsageError('--subject is required with --ca and --self-signed');
  if (choice.from !== undefined && (choice.subject !== undefined || choice.kty !== undefined || choice.days !== undefined)) throw new UsageError('--from takes the existing certificate: --subject, --kty and --days do not apply');
}

/** A keystore with one private-key entry, the new key and its chain, and what was noticed on the way. */
export type IssuedToken = NewKeyEntry;

/**
 * A new shared secure-token key and certificate with the token profile's key usages
 * (digitalSignature, keyEncipherment, dataEncipherment), self-signed or signed by `issuer`.
 */
export async function issueTokenCertificate(options: IssueTokenOptions, crypto?: WebCrypto): Promise<IssuedToken> {
  checkTokenSource(options.issuer ? { ca: options.issuer, subject: options.subject } : { selfSigned: true, subject: options.subject });
  const spec = options.key ?? DEFAULT_KEY_SPEC;
  const issued = await newKeyEntry(
    {
      subject: options.subject,
      key: spec,
      ...(options.days === undefined ? {} : { days: options.days }),
      defaultDays: DEFAULT_TOKEN_DAYS,
      ...(options.issuer ? { issuer: options.issuer } : {}),
      ...(options.namePolicy ? { namePolicy: options.namePolicy } : {}),
      alias: options.alias ?? DEFAULT_TOKEN_ALIAS,
      ...(options.format ? { format: options.format } : {}),
      ...(options.now ? { now: options.now } : {}),
      usage: { ca: false, keyUsage: tokenKeyUsage(spec), extendedKeyUsage: [], ...(options.extraExtensions ? { extraExtensions: options.extraExtensions } : {}) },
    },
    crypto,
  );
  if (spec.kty !== 'rsa') issued.warnings.push(`a ${spec.kty} key cannot encipher: the certificate has digitalSignature only, and gateways that encrypt tokens need an RSA token key`);
  return issued;
}

/** The token profile's usages for an RSA key; only digitalSignature for keys that cannot encipher. */
export function tokenKeyUsage(spec: KeySpec): KeyUsageName[] {
  return spec.kty === 'rsa' ? profileKeyUsage('token', 'RSA') : ['digitalSignature'];
}
