import { escapeText, safe } from '../text/escape.js';
import type { MeshTrustStore, TrustMesh } from './mesh.js';

/** "master.p12 trusts: slave1.jks (CN=slave1), slave2.p12 (CN=slave2)" per node, and in CA mode through which CAs. */
export function renderTrustMesh(mesh: TrustMesh, files: ReadonlyMap<string, string>): string {
  return mesh.stores.map((s) => renderStore(s, mesh.mode, files.get(s.node))).join('');
}

function renderStore(s: MeshTrustStore, mode: TrustMesh['mode'], file: string | undefined): string {
  const peers = s.peers.map((p) => safe`${p.name} (${p.subject})`).join(', ');
  const via = mode === 'ca' ? `\n  through: ${[...s.added, ...s.present].map((c) => escapeText(c.subject)).join('; ')}` : '';
  const counts = `${s.added.length} added${s.present.length > 0 ? `, ${s.present.length} already present` : ''}`;
  const lines = s.added.map((c) => `\n` + safe`  + ${c.alias}  ${c.subject}  sha256 ${c.sha256}`).join('');
  return `${escapeText(s.node)} trusts: ${peers}${via}\n  ${escapeText(file ?? 'trust store')}: ${counts}${lines}\n`;
}
