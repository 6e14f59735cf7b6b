import { certificateNames, isSelfIssued } from '../../cert/names.js';
import { sha256Hex } from '../../crypto/digest.js';
import { TrustAnchors } from '../../trust/trust_anchors.js';
import { validatePath } from '../../trust/validate_path.js';
import type { AuditCheck, CheckHit } from '../model.js';

/** Failures other checks already report, each under its own id: one problem, one finding. */
const REPORTED_ELSEWHERE = new Set(['ERR_CHAIN_EXPIRED', 'ERR_CHAIN_NOT_YET_VALID', 'ERR_WEAK_KEY', 'ERR_WEAK_SIGNATURE']);

export const chainInvalidCheck: AuditCheck = {
  id: 'chain-invalid',
  severity: 'WARNING',
  description: 'a key entry\'s chain is incomplete, or does not validate against the store\'s own trusted entries (and its top, when self-signed)',
  run: async ({ sources, at }) => {
    const hits: CheckHit[] = [];
    for (const source of sources) {
      if (!source.store) continue;
      // read once per store, not once per key entry (see TrustAnchors)
      const trusted = TrustAnchors.read(source.store.entries.flatMap((e) => (e.type === 'trusted-cert' ? [e.certificate] : [])));
      for (const entry of source.store.entries) {
        if (entry.type !== 'private-key' || entry.chain.length === 0) continue;
        const [leaf, ...rest] = entry.chain;
        const top = entry.chain[entry.chain.length - 1]!;
        const anchors = selfSigned(top) ? trusted.including([top]) : trusted;
        const verdict = await validatePath(leaf!, { trusted: anchors, untrusted: rest, at });
        if (verdict.valid || REPORTED_ELSEWHERE.has(verdict.code ?? '')) continue;
        hits.push({
          message: verdict.reason ?? 'the chain does not validate',
          code: verdict.code ?? 'ERR_CHAIN_UNTRUSTED',
          sha256: sha256Hex(leaf!),
          location: { kind: 'file', source: source.source, format: source.store.format, alias: entry.alias, entryType: 'private-key', position: 0 },
        });
      }
    }
    return hits;
  },
};

function selfSigned(der: Uint8Array): boolean {
  try {
    return isSelfIssued(certificateNames(der));
  } catch {
    return false;
  }
}
