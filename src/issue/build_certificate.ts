import type { WebCrypto, WebCryptoKey } from '../crypto/provider.js';
import { signingAlgorithm } from '../crypto/keys.js';
import { toHex } from '../lib/bytes.js';
import { x509 } from '../lib/x509.js';
import { keyIdentifier } from './key_id.js';
import { EXTENDED_KEY_USAGE_OIDS, type ExtendedKeyUsageName, type KeyUsageName } from './profiles.js';
import type { SubjectAltName } from './san.js';

/** Everything that goes into one certificate; the shared core of CA creation and CSR signing. */
export interface CertificateContent {
  /** Subject and issuer Names, DER (the same for a self-signed certificate). */
  subject: Uint8Array;
  issuer: Uint8Array;
  /** SubjectPublicKeyInfo, DER. */
  publicKey: Uint8Array;
  /** The issuer's key identifier for the AKI; none for a self-signed root. */
  authorityKeyId?: Uint8Array;
  serial: string;
  notBefore: Date;
  notAfter: Date;
  ca: boolean;
  pathLength?: number;
  keyUsage: readonly KeyUsageName[];
  extendedKeyUsage: readonly ExtendedKeyUsageName[];
  sans: readonly SubjectAltName[];
  /** Extensions encoded elsewhere, written after hapki's own, in this order. */
  extraExtensions?: readonly { oid: string; critical: boolean; value: Uint8Array }[];
}

const KEY_USAGE_FLAGS: Readonly<Record<KeyUsageName, number>> = {
  digitalSignature: 1,
  nonRepudiation: 2,
  keyEncipherment: 4,
  dataEncipherment: 8,
  keyAgreement: 16,
  keyCertSign: 32,
  cRLSign: 64,
};

/** Signs the content with the issuer's key; returns the certificate's DER. */
export async function buildCertificate(content: CertificateContent, signingKey: WebCryptoKey, crypto: WebCrypto): Promise<Uint8Array> {
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(content.ca, content.ca ? content.pathLength : undefined, true),
  ];
  if (content.keyUsage.length > 0) {
    extensions.push(new x509.KeyUsagesExtension(content.keyUsage.reduce((flags, name) => flags | KEY_USAGE_FLAGS[name], 0), true));
  }
  if (content.extendedKeyUsage.length > 0) {
    extensions.push(new x509.ExtendedKeyUsageExtension(content.extendedKeyUsage.map((name) => EXTENDED_KEY_USAGE_OIDS[name])));
  }
  extensions.push(new x509.SubjectKeyIdentifierExtension(toHex(keyIdentifier(content.publicKey))));
  if (content.authorityKeyId) extensions.push(new x509.AuthorityKeyIdentifierExtension(toHex(content.authorityKeyId)));
  if (content.sans.length > 0) {
    const emptySubject = new x509.Name(toArrayBuffer(content.subject)).toJSON().length === 0;
    // RFC 5280 4.2.1.6: with an empty subject the names are the identity, and the extension critical
    extensions.push(new x509.SubjectAlternativeNameExtension(content.sans.map(toGeneralName), emptySubject));
  }
  for (const e of content.extraExtensions ?? []) extensions.push(new x509.Extension(e.oid, e.critical, toArrayBuffer(e.value)));
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: content.serial,
      subject: new x509.Name(toArrayBuffer(content.subject)),
      issuer: new x509.Name(toArrayBuffer(content.issuer)),
      notBefore: content.notBefore,
      notAfter: content.notAfter,
      publicKey: toArrayBuffer(content.publicKey),
      signingKey: signingKey as unknown as CryptoKeyParam,
      signingAlgorithm: signingAlgorithm(signingKey) as unknown as AlgorithmParam,
      extensions,
    },
    crypto as unknown as CryptoParam,
  );
  return new Uint8Array(cert.rawData);
}

type CreateParams = Parameters<typeof x509.X509CertificateGenerator.create>;
type CryptoParam = CreateParams[1];
type CryptoKeyParam = Extract<CreateParams[0], { signingKey: unknown }>['signingKey'];
type AlgorithmParam = NonNullable<CreateParams[0]['signingAlgorithm']>;

export function toGeneralName(san: SubjectAltName): { type: 'dns' | 'ip' | 'email' | 'url'; value: string } {
  return { type: san.type === 'uri' ? 'url' : san.type, value: san.value };
}

/** An ArrayBuffer holding exactly these bytes (x509 reads views' whole buffers in places). */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer as ArrayBuffer;
}
