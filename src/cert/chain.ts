import { contentKey } from '../crypto/digest.js';
import { addTo } from '../lib/multimap.js';
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
    const named = bySubject.get(contentKey(current.issuer));
    if (!named) break;
    const eligible = (p: Pooled): boolean => !used.has(p.der) && bytesEqual(p.names.subject, current!.issuer) && !chain.some((link) => bytesEqual(link, p.der));
    const preferred = (p: Pooled): boolean => eligible(p) && !options.lastResort?.(p.der);
    // the one whose key identifier the child names, else the first of the name: each looked for among its
    // own (a bundle of thousands of certificates of one name costs each chain its length, not the bundle's)
    const aki = current.authorityKeyId;
    const byKeyId = aki ? named.byKeyId.get(contentKey(aki)) : undefined;
    const issuer = (byKeyId && first(byKeyId, preferred)) ?? first(named.all, preferred) ?? (byKeyId && first(byKeyId, eligible)) ?? first(named.all, eligible);
    if (!issuer) break;
    chain.push(issuer.der);
    used.add(issuer.der);
    current = issuer.names;
  }
  return chain;
}

/** The first of `items` that `test` accepts. */
function first<T>(items: readonly T[], test: (item: T) => boolean): T | undefined {
  for (const item of items) if (test(item)) return item;
  return undefined;
}

type Pooled = { der: Uint8Array; names: CertificateNames };
/** The pool's certificates of one subject, in pool order, and the same by subjectKeyIdentifier. */
type Named = { all: Pooled[]; byKeyId: Map<string, Pooled[]> };

// A store with many keys builds many chains over the same pool: index it by subject once, so
// each chain costs its length, not the pool's size (a 1,000-pair bundle was quadratic).
const indexes = new WeakMap<readonly Uint8Array[], { size: number; index: Map<string, Named> }>();

function subjectIndex(pool: readonly Uint8Array[]): Map<string, Named> {
  const cached = indexes.get(pool);
  if (cached && cached.size === pool.length) return cached.index;
  const index = new Map<string, Named>();
  for (const der of pool) {
    const names = safeNames(der);
    if (!names) continue;
    const key = contentKey(names.subject);
    let named = index.get(key);
    if (!named) index.set(key, (named = { all: [], byKeyId: new Map() }));
    named.all.push({ der, names });
    if (names.subjectKeyId) addTo(named.byKeyId, contentKey(names.subjectKeyId), { der, names });
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
