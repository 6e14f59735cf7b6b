import { encodeName } from '../cert/dn.js';
import { DEFAULT_KEY_SPEC, exportPkcs8, exportSpki, generateKeyPair, type KeySpec } from '../crypto/keys.js';
import { defaultCrypto, useCryptoForX509, type WebCrypto } from '../crypto/provider.js';
import { emptyKeystore, type Keystore, type KeystoreFormat, type PrivateKeyEntry } from '../keystore/model.js';
import { buildCertificate } from '../issue/build_certificate.js';
import { issuerFacts, type Issuer } from '../issue/issuer.js';
import { profileKeyUsage, type KeyUsageName } from '../issue/profiles.js';
import { randomSerial } from '../issue/serial.js';
import { computeValidity } from '../issue/validity.js';

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
  /** Format the new keystore is meant for (default PKCS12). */
  format?: KeystoreFormat;
  now?: Date;
}

export interface IssuedToken {
  /** A keystore with one private-key entry: the token key and its chain. */
  store: Keystore;
  entry: PrivateKeyEntry;
  certificate: Uint8Array;
  warnings: string[];
}

/**
 * A new shared secure-token key and certificate with the token profile's key usages
 * (digitalSignature, keyEncipherment, dataEncipherment), self-signed or signed by `issuer`.
 */
export async function issueTokenCertificate(options: IssueTokenOptions, crypto: WebCrypto = defaultCrypto()): Promise<IssuedToken> {
  useCryptoForX509(crypto);
  const subject = encodeName(options.subject);
  const spec = options.key ?? DEFAULT_KEY_SPEC;
  const warnings: string[] = [];
  const facts = options.issuer ? issuerFacts(options.issuer) : undefined;
  const validity = computeValidity(
    { ...(options.days === undefined ? {} : { days: options.days }), ...(options.now ? { now: options.now } : {}), ...(facts ? { issuerNotAfter: facts.notAfter } : {}) },
    DEFAULT_TOKEN_DAYS,
  );
  if (validity.clipped) warnings.push(`validity cut to the CA certificate's own end, ${validity.notAfter.toISOString()}`);
  const keyUsage = tokenKeyUsage(spec);
  if (spec.kty !== 'rsa') warnings.push(`a ${spec.kty} key cannot encipher: the certificate has digitalSignature only, and gateways that encrypt tokens need an RSA token key`);
  const keys = await generateKeyPair(spec, crypto);
  const certificate = await buildCertificate(
    {
      subject,
      issuer: facts?.name ?? subject,
      publicKey: await exportSpki(keys.publicKey, crypto),
      ...(facts ? { authorityKeyId: facts.keyId } : {}),
      serial: randomSerial(crypto),
      notBefore: validity.notBefore,
      notAfter: validity.notAfter,
      ca: false,
      keyUsage,
      extendedKeyUsage: [],
      sans: [],
    },
    options.issuer?.key ?? keys.privateKey,
    crypto,
  );
  const entry: PrivateKeyEntry = {
    type: 'private-key',
    alias: options.alias ?? DEFAULT_TOKEN_ALIAS,
    key: await exportPkcs8(keys.privateKey, crypto),
    chain: [certificate, ...(options.issuer?.chain ?? [])],
    created: options.now ?? new Date(),
  };
  const store = emptyKeystore(options.format ?? 'PKCS12');
  store.entries.push(entry);
  return { store, entry, certificate, warnings };
}

/** The token profile's usages for an RSA key; only digitalSignature for keys that cannot encipher. */
export function tokenKeyUsage(spec: KeySpec): KeyUsageName[] {
  return spec.kty === 'rsa' ? profileKeyUsage('token', 'RSA') : ['digitalSignature'];
}
