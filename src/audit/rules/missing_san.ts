import { readPathCertificate } from '../../path/path_certificate.js';
import { hostnameMatches } from '../../trust/hostname.js';
import { parseNodeRef } from '../../trust/node_ref.js';
import type { AuditCertificate, AuditCheck, CheckHit } from '../model.js';

export const missingSanCheck: AuditCheck = {
  id: 'missing-san',
  severity: 'CRITICAL',
  description: 'a node certificate (a key entry\'s leaf, or an endpoint\'s) lacks a name given with --expect-san: clients that reach the node through the load balancer will refuse it',
  run: ({ certificates, expectSan, expectSanFor }) => {
    if (expectSan.length === 0 && expectSanFor.length === 0) return [];
    const hits: CheckHit[] = [];
    for (const c of certificates.filter(isNodeCertificate)) {
      const expected = [...new Set([...expectSan, ...expectSanFor.filter((e) => isNode(c, e.node)).flatMap((e) => e.names)])];
      if (expected.length === 0) continue;
      const sans = sansOf(c);
      const missing = expected.filter((name) => !hostnameMatches(sans, name));
      if (missing.length > 0) {
        const has = c.summary.san.length === 0 ? 'it has no subjectAltName' : `it has ${c.summary.san.join(', ')}`;
        hits.push({ message: `no subjectAltName for ${missing.join(', ')} (${has})`, location: c.location, sha256: c.summary.sha256 });
      }
    }
    return hits;
  },
};

/** Whether the certificate is the leaf of `path[#alias]` (aliases compare as Java's do). */
function isNode(c: AuditCertificate, node: string): boolean {
  const ref = parseNodeRef(node);
  return c.location.source === ref.path && (ref.alias === undefined || c.location.alias?.toLowerCase() === ref.alias.toLowerCase());
}

function isNodeCertificate(c: AuditCertificate): boolean {
  return c.location.position === 0 && (c.location.kind === 'endpoint' || c.location.entryType === 'private-key');
}

function sansOf(c: AuditCertificate): ReturnType<typeof readPathCertificate>['subjectAltNames'] {
  try {
    return readPathCertificate(c.der).subjectAltNames;
  } catch {
    return undefined;
  }
}
