import { isSelfIssuedCert, type PathCertificate } from '../path/path_certificate.js';
import { problem, type PathProblem } from '../path/path_problem.js';

export const ANY_POLICY = '2.5.29.32.0';

/** The RFC 5280 6.1.1 inputs on certificate policies; the defaults accept any policy. */
export interface PolicyOptions {
  /** user-initial-policy-set (default: anyPolicy). */
  initialPolicySet?: readonly string[];
  /** initial-explicit-policy: the path must be valid for at least one policy in the set. */
  requireExplicitPolicy?: boolean;
  /** initial-policy-mapping-inhibit: policy mappings are not followed. */
  inhibitPolicyMapping?: boolean;
  /** initial-any-policy-inhibit: anyPolicy in a certificate matches nothing. */
  inhibitAnyPolicy?: boolean;
}

interface PolicyNode {
  policy: string;
  expected: Set<string>;
  parent: PolicyNode | undefined;
  children: PolicyNode[];
}

/** A bound on the tree, against certificates built to make it grow exponentially (CVE-2023-0464). */
const MAX_NODES = 1000;

const policyProblem = (reason: string): PathProblem => problem('ERR_POLICY', reason);

/**
 * RFC 5280 6.1.2 to 6.1.5 on certificate policies, over `path` from the certificate the trust
 * anchor issued (first) to the end entity (last). Returns the valid policies of the path (the
 * user-constrained policy set; `[anyPolicy]` when any policy is acceptable and none was asserted
 * narrower) or the problem that makes the path invalid.
 */
export function processPolicies(path: readonly PathCertificate[], options: PolicyOptions, label: (c: PathCertificate) => string): { policies: string[] } | { problem: PathProblem } {
  const n = path.length;
  const initial = options.initialPolicySet && options.initialPolicySet.length > 0 ? new Set(options.initialPolicySet) : new Set([ANY_POLICY]);
  let explicitPolicy = options.requireExplicitPolicy ? 0 : n + 1;
  let inhibitAny = options.inhibitAnyPolicy ? 0 : n + 1;
  let policyMapping = options.inhibitPolicyMapping ? 0 : n + 1;
  const root: PolicyNode = { policy: ANY_POLICY, expected: new Set([ANY_POLICY]), parent: undefined, children: [] };
  // levels[d]: the nodes of depth d; undefined once the tree is NULL
  let levels: PolicyNode[][] | undefined = [[root]];
  let count = 1;

  const add = (parent: PolicyNode, policy: string, expected: Set<string>, depth: number): boolean => {
    const node: PolicyNode = { policy, expected, parent, children: [] };
    parent.children.push(node);
    (levels![depth] ??= []).push(node);
    return ++count <= MAX_NODES;
  };
  const remove = (node: PolicyNode, depth: number): void => {
    for (const child of [...node.children]) remove(child, depth + 1);
    levels![depth] = levels![depth]!.filter((x) => x !== node);
    if (node.parent) node.parent.children = node.parent.children.filter((x) => x !== node);
  };
  /** Deletes childless nodes above `depth`, bottom up; the tree is NULL when its root goes. */
  const prune = (depth: number): void => {
    for (let d = depth - 1; d >= 0; d--) {
      for (const node of [...levels![d]!]) if (node.children.length === 0) remove(node, d);
    }
    if (levels![0]!.length === 0) levels = undefined;
  };
  const tooBig = (): { problem: PathProblem } => ({ problem: policyProblem(`the certificate policy tree grows beyond ${MAX_NODES} nodes`) });

  for (let i = 1; i <= n; i++) {
    const cert = path[i - 1]!;
    const selfIssued = isSelfIssuedCert(cert);
    const policies = cert.policies;
    if (levels && policies) {
      levels[i] = [];
      const parents = levels[i - 1]!;
      // 6.1.3 (d)(1)
      for (const p of policies) {
        if (p === ANY_POLICY) continue;
        let matched = false;
        for (const parent of parents) {
          if (parent.expected.has(p)) {
            matched = true;
            if (!add(parent, p, new Set([p]), i)) return tooBig();
          }
        }
        if (!matched) {
          for (const parent of parents) if (parent.policy === ANY_POLICY && !add(parent, p, new Set([p]), i)) return tooBig();
        }
      }
      // 6.1.3 (d)(2)
      if (policies.includes(ANY_POLICY) && (inhibitAny > 0 || (i < n && selfIssued))) {
        for (const parent of parents) {
          for (const e of parent.expected) {
            if (!parent.children.some((c) => c.policy === e) && !add(parent, e, new Set([e]), i)) return tooBig();
          }
        }
      }
      prune(i);
    } else if (!policies) {
      levels = undefined;
    }
    // 6.1.3 (f)
    if (explicitPolicy <= 0 && !levels) return { problem: policyProblem(`no acceptable certificate policy is left at "${label(cert)}" and the path requires an explicit policy`) };

    if (i < n) {
      // 6.1.4 (a), (b)
      const mappings = cert.policyMappings ?? [];
      if (mappings.some((m) => m.issuer === ANY_POLICY || m.subject === ANY_POLICY)) return { problem: policyProblem(`"${label(cert)}" maps anyPolicy, which RFC 5280 forbids`) };
      if (levels && mappings.length > 0) {
        const byIssuer = new Map<string, Set<string>>();
        for (const m of mappings) (byIssuer.get(m.issuer) ?? byIssuer.set(m.issuer, new Set()).get(m.issuer)!).add(m.subject);
        for (const [issuerPolicy, subjects] of byIssuer) {
          const level = levels[i] ?? [];
          if (policyMapping > 0) {
            const hits = level.filter((x) => x.policy === issuerPolicy);
            if (hits.length > 0) for (const x of hits) x.expected = new Set(subjects);
            else {
              const any = level.find((x) => x.policy === ANY_POLICY);
              if (any?.parent && !add(any.parent, issuerPolicy, new Set(subjects), i)) return tooBig();
            }
          } else {
            for (const x of level.filter((y) => y.policy === issuerPolicy)) remove(x, i);
            prune(i);
            if (!levels) break;
          }
        }
      }
      // 6.1.4 (h), (i), (j)
      if (!selfIssued) {
        if (explicitPolicy > 0) explicitPolicy--;
        if (policyMapping > 0) policyMapping--;
        if (inhibitAny > 0) inhibitAny--;
      }
      const pc = cert.policyConstraints;
      if (pc?.requireExplicitPolicy !== undefined) explicitPolicy = Math.min(explicitPolicy, pc.requireExplicitPolicy);
      if (pc?.inhibitPolicyMapping !== undefined) policyMapping = Math.min(policyMapping, pc.inhibitPolicyMapping);
      if (cert.inhibitAnyPolicy !== undefined) inhibitAny = Math.min(inhibitAny, cert.inhibitAnyPolicy);
    }
  }

  // 6.1.5 (a), (b)
  const leaf = path[n - 1]!;
  if (explicitPolicy > 0) explicitPolicy--;
  if (leaf.policyConstraints?.requireExplicitPolicy === 0) explicitPolicy = 0;
  // 6.1.5 (g): the intersection with the user-initial-policy-set
  if (levels && !initial.has(ANY_POLICY)) {
    const validNodes: PolicyNode[] = [];
    for (const level of levels) for (const x of level) if (x.parent?.policy === ANY_POLICY && x.policy !== ANY_POLICY) validNodes.push(x);
    const depthOf = (x: PolicyNode): number => {
      let d = 0;
      for (let p = x.parent; p; p = p.parent) d++;
      return d;
    };
    for (const x of validNodes) if (!initial.has(x.policy)) remove(x, depthOf(x));
    const anyLeaf = (levels[n] ?? []).find((x) => x.policy === ANY_POLICY);
    if (anyLeaf?.parent) {
      const present = new Set(validNodes.filter((x) => initial.has(x.policy)).map((x) => x.policy));
      for (const p of initial) if (!present.has(p) && !add(anyLeaf.parent, p, new Set([p]), n)) return tooBig();
      remove(anyLeaf, n);
    }
    prune(n);
  }
  const leafLevel = levels?.[n] ?? [];
  if (explicitPolicy <= 0 && leafLevel.length === 0) return { problem: policyProblem(`the path is valid for none of the acceptable certificate policies and requires an explicit policy`) };
  if (!levels) return { policies: [] };
  return { policies: [...new Set(leafLevel.map((x) => x.policy))] };
}
