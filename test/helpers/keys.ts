import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openssl } from './tools.js';

export type KeyKind = 'rsa' | 'p256' | 'p384' | 'ed25519';

export const KEY_KINDS: readonly KeyKind[] = ['rsa', 'p256', 'p384', 'ed25519'];

const GENPKEY: Readonly<Record<KeyKind, string[]>> = {
  rsa: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
  p256: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  p384: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'],
  ed25519: ['-algorithm', 'ED25519'],
};

/** A key and a self-signed certificate made by openssl: `<dir>/<name>.key` and `<dir>/<name>.pem`. */
export async function opensslKeyAndCert(dir: string, name: string, kind: KeyKind, subject = `/CN=${name}.example.com`): Promise<{ key: string; cert: string }> {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  await openssl(['genpkey', ...GENPKEY[kind], '-out', key]);
  await openssl(['req', '-new', '-x509', '-key', key, '-out', cert, '-days', '30', '-subj', subject]);
  return { key, cert };
}

/** SHA-256 fingerprint of a PEM certificate as openssl reports it (lower-case hex, no colons). */
export async function opensslFingerprint(certPath: string, inform = 'PEM'): Promise<string> {
  const { stdout } = await openssl(['x509', '-in', certPath, '-inform', inform, '-noout', '-fingerprint', '-sha256']);
  return stdout.split('=')[1]!.trim().replace(/:/g, '').toLowerCase();
}

/** The public key openssl derives from a private key file, and the one in a certificate, as PEM. */
export async function opensslKeyMatchesCert(keyPath: string, certPath: string, passin?: string): Promise<boolean> {
  const fromKey = await openssl(['pkey', '-in', keyPath, '-pubout', ...(passin === undefined ? [] : ['-passin', `pass:${passin}`])]);
  const fromCert = await openssl(['x509', '-in', certPath, '-pubkey', '-noout']);
  return fromKey.stdout.trim() === fromCert.stdout.trim();
}

/** SPKI (DER) of a certificate file, read by Node's own X.509 parser rather than hapki's. */
export function certFilePublicKey(certPath: string): Uint8Array {
  const cert = new X509Certificate(readFileSync(certPath));
  return new Uint8Array(cert.publicKey.export({ type: 'spki', format: 'der' }));
}
