import { FileNotFoundError, UsageError, type HapkiError } from '../errors.js';
import { keystoreOutput, openKeystoreForUpdate } from '../fs/keystore_file.js';
import type { Keystore, KeystoreFormat } from '../keystore/model.js';
import { hostOfLocation, mapByHost } from '../transport/fan_out.js';
import { joinLocation } from '../transport/location.js';
import { locationExists } from '../transport/remote_file.js';
import type { FileChange } from '../txn/change_set.js';
import type { TrustMesh } from './mesh.js';
import { nodeStem, type NodeRef } from './node_ref.js';

// A node's trust store is <dir>/<its keystore's name without extension>-truststore.<ext>: trust
// mesh writes it there, trust check finds it there.

const EXTENSION: Readonly<Record<KeystoreFormat, string>> = { PKCS12: 'p12', JKS: 'jks', JCEKS: 'jceks', PEM: 'pem', DER: 'der', BKS: 'bks' };
/** The endings trust check looks for, in this order. */
const FOUND_EXTENSIONS = ['p12', 'pfx', 'jks', 'jceks', 'pem'];

function trustStoreName(dir: string, nodePath: string, ext: string): string {
  return joinLocation(dir, `${nodeStem(nodePath)}-truststore.${ext}`);
}

/** Each node's trust store in `dir`, by node name (ERR_USAGE when two nodes' stores would be one file). */
export function meshStoreFiles(refs: readonly NodeRef[], dir: string, format: KeystoreFormat): Map<string, string> {
  const files = new Map(refs.map((r) => [r.name, trustStoreName(dir, r.path, EXTENSION[format])]));
  if (new Set(files.values()).size !== files.size) throw new UsageError('two node keystores have the same name: their trust stores would collide');
  return files;
}

/** Where to find a node's trust store: named for it (`<keystore>=<truststore>`), else in a directory. */
export interface TrustStoreLookup {
  trustStoreFor?: readonly string[];
  trustDir?: string;
}

/** The node's trust store: the first `trustStoreFor` naming its keystore (path or name), else the first of its names in `trustDir` that exists. */
export async function findTrustStore(ref: NodeRef, lookup: TrustStoreLookup): Promise<string> {
  for (const spec of lookup.trustStoreFor ?? []) {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new UsageError(`--trust-store-for "${spec}" is not <keystore>=<truststore>`);
    const key = spec.slice(0, eq).replace(/#[^#/]*$/, '');
    if (key === ref.path || key === ref.name) return spec.slice(eq + 1);
  }
  if (lookup.trustDir === undefined) throw new UsageError(`no --trust-store-for names ${ref.name}`);
  const candidates = FOUND_EXTENSIONS.map((ext) => trustStoreName(lookup.trustDir!, ref.path, ext));
  let found: string | undefined;
  for (const candidate of candidates) if (found === undefined && (await locationExists(candidate))) found = candidate;
  if (!found) throw new FileNotFoundError(`${candidates[0]} (nor .pfx, .jks, .jceks, .pem)`);
  return found;
}

/** The trust stores a mesh --update adds to: each present one as read (with its SHA-256), by node name; absent ones left out. */
export async function readMeshStores(files: ReadonlyMap<string, string>, password: string | undefined): Promise<{ existing: Map<string, Keystore>; readHashes: Map<string, string> }> {
  const existing = new Map<string, Keystore>();
  const readHashes = new Map<string, string>();
  const found = await mapByHost([...files], ([, file]) => hostOfLocation(file), ([, file]) => openIfPresent(file, password));
  [...files.keys()].forEach((node, i) => found[i] && (existing.set(node, found[i].store), readHashes.set(node, found[i].sha256)));
  return { existing, readHashes };
}

/** ERR_USAGE for the first of `files` that exists: a mesh neither --update nor --force does not replace one. */
export async function refuseExistingMeshStores(files: ReadonlyMap<string, string>): Promise<void> {
  for (const file of files.values()) if (await locationExists(file)) throw new UsageError(`${file} already exists: add --update to add to it, or --force to replace it`);
}

/**
 * The changes that write a mesh's trust stores (commit them together: every one or none). A store
 * read for --update (in `readHashes`) that gains nothing is left as it is (a rerun keeps its .bak);
 * one that gains is updated in place only if it is still what was read.
 */
export async function meshStoreChanges(mesh: TrustMesh, files: ReadonlyMap<string, string>, readHashes: ReadonlyMap<string, string>, options: { password?: string; force: boolean }): Promise<{ changes: FileChange[]; written: string[] }> {
  const changed = mesh.stores.filter((s) => !(readHashes.has(s.node) && s.added.length === 0));
  const writeOptions = options.password === undefined ? {} : { password: options.password };
  const changes = await Promise.all(changed.map(async (s): Promise<FileChange> => {
    const change = await keystoreOutput(files.get(s.node)!, s.store, { ...writeOptions, force: options.force });
    const read = readHashes.get(s.node);
    return { ...change, createParents: true, ...(read === undefined ? {} : { action: 'update' as const, expectedSha256: read }) };
  }));
  return { changes, written: changed.map((s) => files.get(s.node)!) };
}

async function openIfPresent(file: string, password: string | undefined): Promise<{ store: Keystore; sha256: string } | undefined> {
  try {
    return await openKeystoreForUpdate(file, password === undefined ? {} : { password });
  } catch (error) {
    if ((error as HapkiError).code === 'ERR_FILE_NOT_FOUND') return undefined;
    throw error;
  }
}
