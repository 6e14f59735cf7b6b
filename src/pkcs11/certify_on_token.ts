import { DEFAULT_KEY_SPEC, type KeySpec } from '../crypto/key_spec.js';
import { UnsupportedAlgorithmError } from '../errors.js';
import { createCaCertificate, type CreateCaOptions } from '../issue/create_ca.js';
import type { Issuer } from '../issue/issuer.js';
import { certificateForKey } from '../issue/new_key_entry.js';
import { DEFAULT_TOKEN_DAYS, tokenKeyUsage } from '../token/issue_token.js';
import { createKeyOnToken, type Pkcs11Access } from './pkcs11_key.js';
import type { Pkcs11Uri } from './uri.js';

/** What making a key on a token and certifying it gave: the certificate, its chain, what was noticed. */
export interface CertifiedOnToken {
  certificate: Uint8Array;
  /** The certificate, then the issuer's chain. */
  chain: Uint8Array[];
  /** PKCS#8 of the key, for an extractable token key only (it goes into every instance's keystore). */
  pkcs8?: Uint8Array;
  warnings: string[];
}

function keySpec(spec: KeySpec | undefined): KeySpec {
  const chosen = spec ?? DEFAULT_KEY_SPEC;
  if (chosen.kty === 'ed25519') throw new UnsupportedAlgorithmError('Ed25519', 'keys made in a PKCS#11 token are RSA or EC');
  return chosen;
}

/**
 * A CA whose key is made in the HSM (sensitive, never extractable): the same certificate
 * createCa makes (self-signed, or by `options.issuer`), stored on the token beside the key.
 */
export async function createCaOnToken(location: string | Pkcs11Uri, options: Omit<CreateCaOptions, 'alias' | 'format'>, access: Pkcs11Access): Promise<CertifiedOnToken> {
  let warnings: string[] = [];
  const { key, certificate } = await createKeyOnToken(location, keySpec(options.key), access, {}, async (k) => {
    const made = await createCaCertificate(options, k.signer);
    warnings = made.warnings;
    return made.certificate;
  });
  key.close();
  return { certificate, chain: [certificate, ...(options.issuer?.chain ?? [])], warnings };
}

export interface TokenOnTokenOptions {
  subject: string;
  key?: KeySpec;
  days?: number;
  issuer?: Issuer;
  /** The key may leave the HSM: needed when the token key must go into every instance's keystore. */
  extractable?: boolean;
  /** The issuer's own additions (CRL and AIA URLs: `certifyWith`). */
  extraExtensions?: import('../issue/issuance_checks.js').ExtraExtension[];
  /** The issuer's name policy, which the token certificate's name must keep to. */
  namePolicy?: import('../issue/name_policy.js').NamePolicy;
  now?: Date;
}

/**
 * The shared token key made in the HSM with the token profile's certificate (self-signed, or by
 * `options.issuer`), stored on the token. Extractable only when asked, and then its PKCS#8 comes
 * back for the keystore the instances receive.
 */
export async function issueTokenOnToken(location: string | Pkcs11Uri, options: TokenOnTokenOptions, access: Pkcs11Access): Promise<CertifiedOnToken> {
  const spec = keySpec(options.key);
  let warnings: string[] = [];
  const { key, certificate } = await createKeyOnToken(location, spec, access, { extractable: options.extractable ?? false, decrypt: spec.kty === 'rsa' }, async (k) => {
    const made = await certificateForKey(
      {
        subject: options.subject,
        ...(options.days === undefined ? {} : { days: options.days }),
        defaultDays: DEFAULT_TOKEN_DAYS,
        ...(options.issuer ? { issuer: options.issuer } : {}),
        ...(options.namePolicy ? { namePolicy: options.namePolicy } : {}),
        ...(options.now ? { now: options.now } : {}),
        usage: { ca: false, keyUsage: tokenKeyUsage(spec), extendedKeyUsage: [], ...(options.extraExtensions ? { extraExtensions: options.extraExtensions } : {}) },
      },
      k.signer,
    );
    warnings = made.warnings;
    return made.certificate;
  });
  try {
    if (spec.kty !== 'rsa') warnings.push(`a ${spec.kty} key cannot encipher: the certificate has digitalSignature only, and gateways that encrypt tokens need an RSA token key`);
    return { certificate, chain: [certificate, ...(options.issuer?.chain ?? [])], warnings, ...(options.extractable ? { pkcs8: key.exportPrivateKey() } : {}) };
  } finally {
    key.close();
  }
}
