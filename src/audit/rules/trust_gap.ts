import { HapkiError } from '../../errors.js';
import type { MeshNode } from '../../trust/mesh.js';
import { nodeCertificateChain, parseNodeRef } from '../../trust/node_ref.js';
import { checkTrustMesh, trustAnchorsWithTrustOf } from '../../trust/trust_check.js';
import { trustedForPurpose } from '../../keystore/pem/pem_blocks.js';
import type { AuditCheck, CheckHit, TrustGroup } from '../model.js';
import { sourceNamed } from './source_named.js';

export const trustGapCheck: AuditCheck = {
  id: 'trust-gap',
  severity: 'CRITICAL',
  description: 'in a --trust-group, the master does not trust a slave or a slave the master (a node\'s trust store is its keystore unless the group names another)',
  run: async ({ trustGroups, sources, at }) => {
    const hits: CheckHit[] = [];
    for (const group of trustGroups) hits.push(...(await groupGaps(group, sources, at)));
    return hits;
  },
};

async function groupGaps(group: TrustGroup, sources: Parameters<typeof sourceNamed>[0], at: Date): Promise<CheckHit[]> {
  const label = `trust group ${group.master}`;
  const nodes: MeshNode[] = [];
  const anchors = new Map<string, Uint8Array[]>();
  for (const [i, spec] of [group.master, ...group.slaves].entries()) {
    const ref = parseNodeRef(spec);
    const store = sourceNamed(sources, ref.path)?.store;
    // an unopened store is reported as unreadable; without it the group cannot be judged
    if (!store) return [];
    try {
      nodes.push({ name: spec, role: i === 0 ? 'master' : 'slave', certificateChain: nodeCertificateChain(store, spec, ref.alias) });
    } catch (error) {
      return [{ message: (error as Error).message, source: label, code: error instanceof HapkiError ? error.code : 'ERR_INVALID_ARGUMENT' }];
    }
    const trustStorePath = group.trustStores?.[spec];
    const trustStore = trustStorePath === undefined ? store : sourceNamed(sources, trustStorePath)?.store;
    if (!trustStore) return [];
    // an anchor a PEM bundle trusts only for some uses (openssl -addtrust) counts when one is TLS
    anchors.set(spec, trustAnchorsWithTrustOf(trustStore).flatMap((c) => (trustedForPurpose(c.trust, 'server') || trustedForPurpose(c.trust, 'client') ? [c.der] : [])));
  }
  // trust alone is judged here: key usages are `hapki trust check`'s business, expiry the expiry checks'
  const result = await checkTrustMesh(nodes, anchors, { purpose: 'any', at });
  return result.pairs
    .filter((p) => !p.valid)
    .map((p) => ({ message: `${p.truster} does not trust ${p.peer}: ${p.reason ?? 'not trusted'}`, source: label, code: p.code ?? 'ERR_CHAIN_UNTRUSTED' }));
}
