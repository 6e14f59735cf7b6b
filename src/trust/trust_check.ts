import type { WebCrypto } from '../crypto/provider.js';
import { InvalidArgumentError, UsageError } from '../errors.js';
import type { Keystore } from '../keystore/model.js';
import type { OcspOptions } from '../revocation/ocsp_check.js';
import type { MeshNode } from './mesh.js';
import { validatePath } from './validate_path.js';
import { anchorsForPurpose } from './path_sources.js';
import { trustedForPurpose } from '../keystore/pem/pem_blocks.js';
import type { CertificateWithTrust } from '../keystore/read_certificates.js';

/**
 * The extended key usage a peer's certificate is checked for. roles: the master checks a slave
 * as a TLS client (slaves connect to the master) and a slave checks the master as a TLS server.
 */
export type TrustCheckPurpose = 'roles' | 'server' | 'client' | 'any';

export const TRUST_CHECK_PURPOSES: readonly TrustCheckPurpose[] = ['roles', 'server', 'client', 'any'];

/** The purpose named, or ERR_USAGE (worded as `hapki trust check --purpose`). */
export function trustCheckPurpose(name: string): TrustCheckPurpose {
  if (!TRUST_CHECK_PURPOSES.includes(name as TrustCheckPurpose)) throw new UsageError(`--purpose must be one of ${TRUST_CHECK_PURPOSES.join(', ')}`);
  return name as TrustCheckPurpose;
}

export interface TrustCheckOptions {
  purpose?: TrustCheckPurpose;
  /** Judge validity at this time instead of now. */
  at?: Date;
  /** CRLs (DER) every chain is checked against; a revoked certificate fails its pair with ERR_REVOKED. */
  crls?: readonly Uint8Array[];
  /** With `crls`: a certificate of undetermined status fails its pair (ERR_REVOCATION_UNKNOWN). */
  crlRequired?: boolean;
  /** OCSP for every chain (responses at hand, or `fetch` to ask the responders the certificates name). */
  ocsp?: OcspOptions;
}

export interface TrustPairResult {
  /** The node whose trust store is asked. */
  truster: string;
  /** The node whose chain is checked against it. */
  peer: string;
  valid: boolean;
  purpose?: 'server' | 'client';
  code?: string;
  reason?: string;
}

export interface TrustCheckResult {
  ok: boolean;
  pairs: TrustPairResult[];
}

/**
 * For every master-slave pair, in both directions, whether the truster's trust anchors accept
 * the peer's chain (its leaf, the rest offered as intermediates). Host names are not checked:
 * nodes are named by keystore here, not by address (`hapki probe` checks names).
 */
export async function checkTrustMesh(
  nodes: readonly MeshNode[],
  trustAnchors: ReadonlyMap<string, readonly (Uint8Array | CertificateWithTrust)[]>,
  options: TrustCheckOptions = {},
  crypto?: WebCrypto,
): Promise<TrustCheckResult> {
  if (options.purpose !== undefined) trustCheckPurpose(options.purpose);
  const master = nodes.find((n) => n.role === 'master');
  const slaves = nodes.filter((n) => n.role === 'slave');
  if (!master || nodes.filter((n) => n.role === 'master').length > 1) throw new InvalidArgumentError('a trust check needs exactly one master');
  const pairs: TrustPairResult[] = [];
  for (const slave of slaves) {
    pairs.push(await checkPair(master, slave, 'client', trustAnchors, options, crypto));
    pairs.push(await checkPair(slave, master, 'server', trustAnchors, options, crypto));
  }
  return { ok: pairs.every((p) => p.valid), pairs };
}

async function checkPair(
  truster: MeshNode,
  peer: MeshNode,
  role: 'server' | 'client',
  trustAnchors: ReadonlyMap<string, readonly (Uint8Array | CertificateWithTrust)[]>,
  options: TrustCheckOptions,
  crypto: WebCrypto | undefined,
): Promise<TrustPairResult> {
  const store = trustAnchors.get(truster.name);
  if (!store) throw new InvalidArgumentError(`no trust store given for ${truster.name}`);
  const [leaf, ...rest] = peer.certificateChain;
  if (!leaf) throw new InvalidArgumentError(`node ${peer.name} has no certificate`);
  const asked = options.purpose ?? 'roles';
  const purpose = asked === 'roles' ? role : asked === 'any' ? undefined : asked;
  // a certificate the store trusts for other uses only (openssl -addtrust) anchors nothing here
  const trusted = anchorsForPurpose(store.map((c) => (c instanceof Uint8Array ? { der: c } : c)), purpose).anchors;
  const revocation = { ...(options.crls ? { crls: options.crls, crlRequired: options.crlRequired ?? false } : {}), ...(options.ocsp ? { ocsp: options.ocsp } : {}) };
  const verdict = await validatePath(leaf, { trusted, untrusted: rest, ...(purpose ? { purpose } : {}), ...(options.at ? { at: options.at } : {}), ...revocation }, crypto);
  const base = { truster: truster.name, peer: peer.name, valid: verdict.valid, ...(purpose ? { purpose } : {}) };
  return verdict.valid ? base : { ...base, code: verdict.code ?? 'ERR_CHAIN_UNTRUSTED', reason: verdict.reason ?? 'not trusted' };
}

/**
 * The certificates a Java trust store trusts: every trusted-certificate entry, and the own
 * certificate of every key entry (the JDK's TrustManager takes those too). With a purpose, or
 * without one, an entry whose openssl trust settings (a PEM bundle's TRUSTED CERTIFICATE) trust
 * it for other uses only is left out, as openssl verify leaves it out.
 */
export function trustAnchorsOf(store: Keystore, purpose?: 'server' | 'client'): Uint8Array[] {
  return trustAnchorsWithTrustOf(store).flatMap((c) => (trustedForPurpose(c.trust, purpose) ? [c.der] : []));
}

/** trustAnchorsOf for every purpose: each certificate with the trust settings it came with, for checkTrustMesh to judge per purpose. */
export function trustAnchorsWithTrustOf(store: Keystore): CertificateWithTrust[] {
  return store.entries.flatMap((e) => (e.type === 'trusted-cert' ? [e.trust ? { der: e.certificate, trust: e.trust } : { der: e.certificate }] : e.type === 'private-key' && e.chain[0] ? [{ der: e.chain[0] }] : []));
}
