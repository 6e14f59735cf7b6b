import { DEFAULT_KEY_SPEC, exportPkcs8, exportSpki, generateKeyPair, type KeySpec } from '../crypto/keys.js';
import { defaultCrypto, useCryptoForX509, type WebCrypto } from '../crypto/provider.js';
import { InvalidArgumentError, PolicyError } from '../errors.js';
import { emptyKeystore, type Keystore, type KeystoreFormat, type PrivateKeyEntry } from '../keystore/model.js';
import { parseCertificate } from '../cert/parse_certificate.js';
import { x509 } from '../lib/x509.js';
import { buildCertificate } from './build_certificate.js';
import { issuerFacts, type Issuer } from './issuer.js';
import { randomSerial } from './serial.js';
import { encodeName } from '../cert/dn.js';
import { computeValidity } from './validity.js';

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
  now?: Date;
}

export interface CreatedCa {
  /** A keystore with one private-key entry: the CA key and its chain. */
  store: Keystore;
  entry: PrivateKeyEntry;
  certificate: Uint8Array;
  warnings: string[];
}

/**
 * A new CA: a fresh key and a certificate with basicConstraints CA:TRUE and keyUsage
 * keyCertSign+cRLSign (both critical), self-signed, or signed by `issuer` for an intermediate.
 */
export async function createCa(options: CreateCaOptions, crypto: WebCrypto = defaultCrypto()): Promise<CreatedCa> {
  useCryptoForX509(crypto);
  const subject = encodeName(options.subject);
  if (options.pathLength !== undefined && (!Number.isInteger(options.pathLength) || options.pathLength < 0)) {
    throw new InvalidArgumentError(`path length ${options.pathLength} is not a whole number of 0 or more`);
  }
  const warnings: string[] = [];
  const facts = options.issuer ? issuerFacts(options.issuer) : undefined;
  if (options.issuer) checkPathLength(options.issuer.chain[0]!, options.pathLength);
  const validity = computeValidity({ ...(options.days === undefined ? {} : { days: options.days }), ...(options.now ? { now: options.now } : {}), ...(facts ? { issuerNotAfter: facts.notAfter } : {}) }, DEFAULT_CA_DAYS);
  if (validity.clipped) warnings.push(`validity shortened to the issuer's own end, ${validity.notAfter.toISOString()}`);
  const keys = await generateKeyPair(options.key ?? DEFAULT_KEY_SPEC, crypto);
  const certificate = await buildCertificate(
    {
      subject,
      issuer: facts?.name ?? subject,
      publicKey: await exportSpki(keys.publicKey, crypto),
      ...(facts ? { authorityKeyId: facts.keyId } : {}),
      serial: randomSerial(crypto),
      notBefore: validity.notBefore,
      notAfter: validity.notAfter,
      ca: true,
      ...(options.pathLength === undefined ? {} : { pathLength: options.pathLength }),
      keyUsage: ['keyCertSign', 'cRLSign'],
      extendedKeyUsage: [],
      sans: [],
    },
    options.issuer?.key ?? keys.privateKey,
    crypto,
  );
  const entry: PrivateKeyEntry = {
    type: 'private-key',
    alias: options.alias ?? 'ca',
    key: await exportPkcs8(keys.privateKey, crypto),
    chain: [certificate, ...(options.issuer?.chain ?? [])],
    created: options.now ?? new Date(),
  };
  const store = emptyKeystore(options.format ?? 'PKCS12');
  store.entries.push(entry);
  return { store, entry, certificate, warnings };
}

function checkPathLength(issuerCertificate: Uint8Array, wanted: number | undefined): void {
  const limit = parseCertificate(issuerCertificate).getExtension(x509.BasicConstraintsExtension)?.pathLength;
  if (limit === undefined) return;
  if (limit === 0) throw new PolicyError('the issuer has path length 0: it may not sign another CA');
  if (wanted !== undefined && wanted >= limit) throw new PolicyError(`path length ${wanted} exceeds what the issuer allows below it (${limit - 1})`);
}
