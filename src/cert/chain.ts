import { contentKey } from '../crypto/digest.js';
import { bytesEqual } from '../lib/bytes.js';
import { certificateNames, isSelfIssued, type CertificateNames } from './names.js';

export interface BuildChainOptions {
  /** Certificates to take only when no other issuer fits (a PKCS#12's separately trusted ones). */
  lastResort?: (der: Uint8Array) => boolean;
}

/**
 * Orders certificates into a chain, leaf first: from the leaf, repeatedly the pool certificate
 * whose subject is the current issuer (preferring a matching key identifier when both have one),
 * until a self-issued certificate or no issuer is found. Never loops. The chain holds the very
 * Uint8Array objects of the pool, so callers can tell which of theirs it used.
 */
export function buildChain(leaf: Uint8Array, pool: readonly Uint8Array[], options: BuildChainOptions = {}): Uint8Array[] {
  const bySubject = subjectIndex(pool);
  const chain = [leaf];
  const used = new Set<Uint8Array>([leaf]);
  let current = safeNames(leaf);
  while (current && !isSelfIssued(current)) {
    const named = bySubject.get(contentKey(current.issuer)) ?? [];
    const candidates = named.filter((p) => !used.has(p.der) && !chain.some((link) => bytesEqual(link, p.der)));
    const preferred = options.lastResort ? candidates.filter((p) => !options.lastResort!(p.der)) : candidates;
    const issuer = pickIssuer(current, preferred) ?? pickIssuer(current, candidates);
    if (!issuer) break;
    chain.push(issuer.der);
    used.add(issuer.der);
    current = issuer.names;
  }
  return chain;
}

function pickIssuer(
  child: CertificateNames,
  candidates: readonly { der: Uint8Array; names: CertificateNames | undefined }[],
): { der: Uint8Array; names: CertificateNames } | undefined {
  const byName = candidates.filter(
    (c): c is { der: Uint8Array; names: CertificateNames } => c.names !== undefined && bytesEqual(c.names.subject, child.issuer),
  );
  if (child.authorityKeyId) {
    const aki = child.authorityKeyId;
    const byKeyId = byName.find((c) => c.names.subjectKeyId && bytesEqual(c.names.subjectKeyId, aki));
    if (byKeyId) return byKeyId;
  }
  return byName[0];
}

type Pooled = { der: Uint8Array; names: CertificateNames | undefined };

// A store with many keys builds many chains over the same pool: index it by subject once, so
// each chain costs its length, not the pool's size (a 1,000-pair bundle was quadratic).
const indexes = new WeakMap<readonly Uint8Array[], { size: number; index: Map<string, Pooled[]> }>();

function subjectIndex(pool: readonly Uint8Array[]): Map<string, Pooled[]> {
  const cached = indexes.get(pool);
  if (cached && cached.size === pool.length) return cached.index;
  const index = new Map<string, Pooled[]>();
  for (const der of pool) {
    const names = safeNames(der);
    if (!names) continue;
    const key = contentKey(names.subject);
    const list = index.get(key);
    if (list) list.push({ der, names });
    else index.set(key, [{ der, names }]);
  }
  indexes.set(pool, { size: pool.length, index });
  return index;
}

// Not cached per certificate: the names of every certificate of a large store, kept for as long
// as the store, were views and objects of about 500 bytes each (10 MB of heap for 20,000); the
// pool's index above parses each once for all the chains built over that pool.
function safeNames(der: Uint8Array): CertificateNames | undefined {
  try {
    return certificateNames(der);
  } catch {
    return undefined;
  }
}
