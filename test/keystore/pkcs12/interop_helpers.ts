import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { certificatePublicKey } from '../../../src/cert/describe.js';
import { sha256Hex } from '../../../src/crypto/digest.js';
import { publicKeyOfPrivateKey, publicKeysEqual } from '../../../src/crypto/key_info.js';
import type { Keystore, KeystoreEntry } from '../../../src/keystore/model.js';
import { keytool, keytoolFingerprints, openssl } from '../../helpers/tools.js';

/** Test helpers shared by the PKCS#12 interop tests: what keytool and openssl say about files. */

export interface ListedEntry {
  alias: string;
  type: string;
  fingerprints: string[];
}

/** `keytool -list -v` parsed into entries: alias, entry type, SHA-256 fingerprints of the chain. */
export async function keytoolList(file: string, storepass: string): Promise<ListedEntry[]> {
  const { stdout } = await keytool(['-list', '-v', '-storetype', 'PKCS12', '-keystore', file, '-storepass', storepass]);
  return stdout
    .split(/^Alias name: /m)
    .slice(1)
    .map((block) => ({
      alias: block.slice(0, block.indexOf('\n')),
      type: /Entry type: (\w+)/.exec(block)?.[1] ?? '?',
      fingerprints: keytoolFingerprints(block),
    }));
}

/** The SHA-256 fingerprint `openssl x509 -fingerprint -sha256` prints, lower-case hex. */
export async function opensslFingerprint(certPem: string): Promise<string> {
  const { stdout } = await openssl(['x509', '-in', certPem, '-noout', '-fingerprint', '-sha256']);
  return stdout.trim().split('=')[1]!.replace(/:/g, '').toLowerCase();
}

/** What hapki read, in the shape of keytoolList. */
export function describeEntries(store: Keystore): ListedEntry[] {
  return store.entries.map((e) => ({ alias: e.alias, type: javaType(e), fingerprints: fingerprints(e) }));
}

export function fingerprints(entry: KeystoreEntry): string[] {
  if (entry.type === 'private-key') return entry.chain.map(sha256Hex);
  if (entry.type === 'trusted-cert') return [sha256Hex(entry.certificate)];
  return [];
}

function javaType(entry: KeystoreEntry): string {
  return { 'private-key': 'PrivateKeyEntry', 'trusted-cert': 'trustedCertEntry', 'secret-key': 'SecretKeyEntry' }[entry.type];
}

export function byAlias(entries: ListedEntry[]): ListedEntry[] {
  return [...entries].sort((a, b) => a.alias.localeCompare(b.alias));
}

export function expectKeyMatchesLeaf(entry: KeystoreEntry | undefined): void {
  expect(entry?.type).toBe('private-key');
  if (entry?.type !== 'private-key') return;
  expect(entry.key).toBeDefined();
  expect(publicKeysEqual(publicKeyOfPrivateKey(entry.key!), certificatePublicKey(entry.chain[0]!))).toBe(true);
}

export function readBytes(dir: string, name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(dir, name)));
}

/** Makes a self-signed certificate and its key (PEM) with openssl; returns the paths. */
export async function selfSigned(dir: string, name: string, keyArgs: string[], subject = `/CN=${name}`): Promise<{ key: string; cert: string }> {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  await openssl(['req', '-x509', ...keyArgs, '-nodes', '-keyout', key, '-out', cert, '-subj', subject, '-days', '30']);
  return { key, cert };
}

/** A CA and a leaf it signed (all PEM). */
export async function caAndLeaf(dir: string, prefix: string): Promise<{ caKey: string; caCert: string; key: string; cert: string }> {
  const ca = await selfSigned(dir, `${prefix}-ca`, ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], `/CN=${prefix} CA`);
  const key = join(dir, `${prefix}-leaf.key`);
  const csr = join(dir, `${prefix}-leaf.csr`);
  const cert = join(dir, `${prefix}-leaf.crt`);
  await openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${prefix} leaf`]);
  await openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', cert, '-days', '30']);
  return { caKey: ca.key, caCert: ca.cert, key, cert };
}
