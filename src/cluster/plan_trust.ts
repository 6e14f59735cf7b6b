import { describeCertificate } from '../cert/describe.js';
import { certificateNames } from '../cert/names.js';
import { sha256Hex } from '../crypto/digest.js';
import type { Keystore, TrustedCertEntry } from '../keystore/model.js';
import { bytesEqual } from '../lib/bytes.js';
import { buildTrustMesh, type MeshNode, type TrustMesh } from '../trust/mesh.js';
import { nodeCertificateChain } from '../trust/node_ref.js';
import type { ClusterReplication } from './cluster_file.js';
import { openClusterStore } from './cluster_store.js';
import { addStep, type PlanState } from './plan_state.js';
import { newKeystoreFormat } from '../keystore/format_for_path.js';
import { hostOfLocation, mapByHost } from '../transport/fan_out.js';

/**
 * The replication trust stores: the master trusts every slave and each slave the master, through
 * the certificates the nodes hold after this plan (buildTrustMesh adds what is missing). A
 * trusted entry with the subject of a certificate the node must trust, but not that certificate
 * (the peer's certificate before it was re-issued), is removed with `prune`, and kept with a
 * warning otherwise: until the peer restarts, it still presents the old one.
 */
export async function planTrustMesh(state: PlanState, replication: ClusterReplication): Promise<void> {
  const nodes = [replication.master, ...replication.slaves];
  const meshNodes: MeshNode[] = nodes.map((n, i) => ({ name: n.name, role: i === 0 ? 'master' : 'slave', certificateChain: nodeCertificateChain(state.files.get(n.keystore)!.store, n.name, n.alias) }));
  const existing = new Map<string, Keystore>();
  // every host's trust store read at once
  const opens = await mapByHost(nodes, (n) => hostOfLocation(n.truststore), (n) => openClusterStore(`${n.name} trust store`, n.truststore, n.truststorePassword, undefined, state.cluster.dir, state.options));
  for (const [i, n] of nodes.entries()) {
    const opened = opens[i]!;
    state.files.set(n.truststore, { store: opened.store ?? { format: newKeystoreFormat(n.truststore), entries: [], integrityChecked: true, warnings: [] }, password: opened.password, exists: opened.store !== undefined, ...(opened.sha256 ? { sha256: opened.sha256 } : {}), changed: false });
    if (opened.store) existing.set(n.name, opened.store);
  }
  // a first build says what each node must trust; copies of those certificates that are not
  // current (a peer's certificate before it was re-issued) go before the final build
  const first = buildTrustMesh(meshNodes, { mode: replication.mode, existing, now: state.now });
  const removed = new Map<string, { alias: string; subject: string; sha256: string }[]>();
  for (const s of first.stores) {
    const store = existing.get(s.node);
    if (!store) continue;
    const needed = [...s.added, ...s.present];
    const wanted = new Set(needed.map((c) => c.sha256));
    const subjects = needed.map((c) => certificateNames(c.certificate).subject);
    const stale = store.entries.filter(
      (e): e is TrustedCertEntry => e.type === 'trusted-cert' && !wanted.has(sha256Hex(e.certificate)) && subjects.some((subject) => bytesEqual(subject, certificateNames(e.certificate).subject)),
    );
    if (stale.length === 0) continue;
    if (!state.options.prune) {
      const aliases = stale.map((e) => `"${e.alias}"`).join(', ');
      state.warnings.push(`${s.node}: trust store keeps the superseded ${aliases} until every node runs its new certificate; then apply --prune removes ${stale.length === 1 ? 'it' : 'them'}`);
      continue;
    }
    removed.set(s.node, stale.map((e) => ({ alias: e.alias, subject: describeCertificate(e.certificate).subject, sha256: sha256Hex(e.certificate) })));
    existing.set(s.node, { ...store, entries: store.entries.filter((e) => !(stale as readonly unknown[]).includes(e)), warnings: [] });
  }
  const mesh: TrustMesh = removed.size === 0 ? first : buildTrustMesh(meshNodes, { mode: replication.mode, existing, now: state.now });
  for (const s of mesh.stores) {
    const node = nodes.find((n) => n.name === s.node)!;
    const file = node.truststore;
    const working = state.files.get(file)!;
    const store = working.exists ? s.store : { ...s.store, format: working.store.format };
    const who = `${node.name}`;
    if (!working.exists) addStep(state, { kind: 'create-truststore', node: who, file, summary: `create the trust store (${store.format})`, details: [] }, store);
    for (const r of removed.get(s.node) ?? []) addStep(state, { kind: 'remove-trusted', node: who, file, summary: `stop trusting "${r.alias}": ${r.subject} (superseded)`, details: [`sha256 ${r.sha256}`] }, store);
    for (const a of s.added) addStep(state, { kind: 'add-trusted', node: who, file, summary: `trust "${a.alias}": ${a.subject}`, details: [`sha256 ${a.sha256}`] }, store);
  }
}
