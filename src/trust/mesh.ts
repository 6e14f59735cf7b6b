import { describeCertificate } from '../cert/describe.js';
import { certificateNames, isSelfIssued } from '../cert/names.js';
import { sha256Hex } from '../crypto/digest.js';
import { InvalidArgumentError, MeshNoCaError, UsageError } from '../errors.js';
import { uniqueAlias } from '../keystore/alias.js';
import type { Keystore, KeystoreFormat } from '../keystore/model.js';
import { nameFor } from '../keystore/pair_keys.js';

/** direct: each node trusts its peers' own certificates; ca: the CA chains that issued them. */
export type MeshMode = 'direct' | 'ca';
export type MeshRole = 'master' | 'slave';

export const MESH_MODES: readonly MeshMode[] = ['direct', 'ca'];

/** The mode named, or ERR_USAGE (worded as `hapki trust mesh --mode`). */
export function meshMode(name: string): MeshMode {
  if (!MESH_MODES.includes(name as MeshMode)) throw new UsageError(`--mode must be ${MESH_MODES.join(' or ')}`);
  return name as MeshMode;
}

export interface MeshNode {
  /** How summaries name the node (its keystore's file name). */
  name: string;
  role: MeshRole;
  /** The node's certificate and its issuers, leaf first. */
  certificateChain: readonly Uint8Array[];
}

export interface TrustMeshOptions {
  mode?: MeshMode;
  /** Format of new trust stores (default PKCS12); a store given in `existing` keeps its own. */
  format?: KeystoreFormat;
  /** Trust stores to add to, by node name (--update): their entries are kept, none duplicated. */
  existing?: ReadonlyMap<string, Keystore>;
  now?: Date;
}

export interface MeshCertificate {
  alias: string;
  subject: string;
  sha256: string;
  certificate: Uint8Array;
}

export interface MeshTrustStore {
  node: string;
  store: Keystore;
  /** The peers this node now trusts, with their certificate subjects. */
  peers: { name: string; subject: string }[];
  /** Entries this build added. */
  added: MeshCertificate[];
  /** Certificates the node must trust that an existing store already held (by fingerprint). */
  present: MeshCertificate[];
}

export interface TrustMesh {
  mode: MeshMode;
  stores: MeshTrustStore[];
}

/**
 * The trust stores of a master and its slaves: the master trusts every slave and each slave
 * trusts the master, in direct mode through the peer's own certificate and in CA mode through
 * the certificates above it in its chain. Pure: no files, the input stores are not changed.
 */
export function buildTrustMesh(nodes: readonly MeshNode[], options: TrustMeshOptions = {}): TrustMesh {
  const mode = meshMode(options.mode ?? 'direct');
  const masters = nodes.filter((n) => n.role === 'master');
  const slaves = nodes.filter((n) => n.role === 'slave');
  if (masters.length !== 1) throw new InvalidArgumentError(`a trust mesh has exactly one master, not ${masters.length}`);
  if (slaves.length === 0) throw new InvalidArgumentError('a trust mesh needs at least one slave');
  const names = new Set(nodes.map((n) => n.name));
  if (names.size !== nodes.length) throw new InvalidArgumentError('two nodes have the same name: give each node its own keystore');
  const trusted = new Map(nodes.map((n) => [n.name, trustedFor(n, mode)]));
  const stores = nodes.map((node) => {
    const peers = node.role === 'master' ? slaves : masters;
    return fillStore(node, peers, trusted, options);
  });
  return { mode, stores };
}

function trustedFor(node: MeshNode, mode: MeshMode): Uint8Array[] {
  const [leaf, ...above] = node.certificateChain;
  if (!leaf) throw new InvalidArgumentError(`node ${node.name} has no certificate`);
  if (mode === 'direct') return [leaf];
  if (above.length === 0) {
    const subject = describeCertificate(leaf).subject;
    const why = isSelfIssued(certificateNames(leaf)) ? `its certificate (${subject}) is self-signed` : `its keystore holds only its certificate (${subject}), not the CA that issued it`;
    throw new MeshNoCaError(node.name, `node ${node.name} has no CA to trust: ${why}; use --mode direct, or install the CA chain first`);
  }
  return above;
}

function fillStore(node: MeshNode, peers: readonly MeshNode[], trusted: ReadonlyMap<string, Uint8Array[]>, options: TrustMeshOptions): MeshTrustStore {
  const existing = options.existing?.get(node.name);
  const store: Keystore = existing
    ? { ...existing, entries: [...existing.entries], warnings: [] }
    : { format: options.format ?? 'PKCS12', entries: [], integrityChecked: true, warnings: [] };
  const held = new Map<string, string>();
  for (const e of store.entries) if (e.type === 'trusted-cert') held.set(sha256Hex(e.certificate), e.alias);
  const added: MeshCertificate[] = [];
  const present: MeshCertificate[] = [];
  for (const peer of peers) {
    for (const certificate of trusted.get(peer.name) ?? []) {
      const sha256 = sha256Hex(certificate);
      const subject = describeCertificate(certificate).subject;
      const heldAs = held.get(sha256);
      if (heldAs !== undefined) {
        if (!added.some((a) => a.sha256 === sha256) && !present.some((p) => p.sha256 === sha256)) present.push({ alias: heldAs, subject, sha256, certificate });
        continue;
      }
      const alias = uniqueAlias(store, nameFor(certificate, peer.role));
      store.entries.push({ type: 'trusted-cert', alias, certificate, created: options.now ?? new Date() });
      held.set(sha256, alias);
      added.push({ alias, subject, sha256, certificate });
    }
  }
  const peerList = peers.map((p) => ({ name: p.name, subject: describeCertificate(p.certificateChain[0]!).subject }));
  return { node: node.name, store, peers: peerList, added, present };
}
