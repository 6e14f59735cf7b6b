import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import { describeCertificate, type CertificateSummary } from '../cert/describe.js';
import type { WebCrypto } from '../crypto/provider.js';
import { pemArmor, parsePemBlocks } from '../keystore/pem/pem_blocks.js';
import type { ProbeTarget } from './probe_target.js';
import { tlsHandshake, type Handshake } from './tls_handshake.js';
import { validatePath } from './validate_path.js';

export const DEFAULT_PROBE_TIMEOUT_MS = 5000;
/** How long to listen after the handshake for the server's verdict on our certificate. */
export const DEFAULT_SETTLE_MS = 400;

export interface ProbeOptions {
  /** Trust anchors (DER); default: the root certificates bundled with Node (tls.rootCertificates). */
  trusted?: readonly Uint8Array[];
  /** A key (PKCS#8 DER) and its certificate chain to present, as a replication client would. */
  client?: { key: Uint8Array; chain: readonly Uint8Array[] };
  /** SNI and the name the certificate must carry; default the target host unless it is an IP address. */
  servername?: string;
  timeoutMs?: number;
  settleMs?: number;
  /** Judge validity at this time instead of now. */
  at?: Date;
}

export interface ProbeResult {
  target: ProbeTarget;
  /** The name the server certificate was checked against; absent for an IP target without a servername. */
  hostname?: string;
  /** True when a TLS session came up. */
  handshake: boolean;
  protocol?: string;
  cipher?: string;
  /** The certificates the server presented, leaf first. */
  chain: CertificateSummary[];
  clientCertificate?: { subject: string; sha256: string; accepted: boolean };
  ok: boolean;
  /** ERR_PROBE_* for connection problems, or the path validator's code for the server's chain. */
  code?: string;
  reason?: string;
}

/**
 * Connects, shakes hands (presenting a client certificate when given one), and judges the
 * server's chain with the path validator against the trust anchors, for the server purpose and
 * the host name. Never throws for a failed probe: the result says what went wrong.
 */
export async function probeTls(target: ProbeTarget, options: ProbeOptions = {}, crypto?: WebCrypto): Promise<ProbeResult> {
  const client = options.client;
  const hs = await tlsHandshake(target, {
    timeoutMs: options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
    settleMs: options.settleMs ?? DEFAULT_SETTLE_MS,
    ...(options.servername === undefined ? {} : { servername: options.servername }),
    ...(client ? { clientPem: { key: pemArmor('PRIVATE KEY', client.key), cert: client.chain.map((d) => pemArmor('CERTIFICATE', d)).join('') } } : {}),
  });
  const hostname = options.servername ?? (isIP(target.host) ? undefined : target.host);
  const result: ProbeResult = {
    target,
    ...(hostname === undefined ? {} : { hostname }),
    handshake: hs.protocol !== undefined,
    ...(hs.protocol === undefined ? {} : { protocol: hs.protocol }),
    ...(hs.cipher === undefined ? {} : { cipher: hs.cipher }),
    chain: hs.chain.map(describeCertificate),
    ...(client?.chain[0] ? { clientCertificate: clientSummary(client.chain[0], hs) } : {}),
    ok: false,
  };
  if (hs.failure) return { ...result, ...hs.failure };
  const [leaf, ...rest] = hs.chain;
  if (leaf) {
    const trusted = options.trusted ?? bundledRoots();
    const verdict = await validatePath(leaf, { trusted, untrusted: rest, purpose: 'server', ...(hostname === undefined ? {} : { hostname }), ...(options.at ? { at: options.at } : {}) }, crypto);
    if (!verdict.valid) return { ...result, code: verdict.code ?? 'ERR_CHAIN_UNTRUSTED', reason: `server certificate: ${verdict.reason ?? 'not trusted'}` };
  }
  if (hs.clientRejected !== undefined) {
    const reason = client ? `the server rejected our client certificate (${result.clientCertificate?.subject}): ${hs.clientRejected}` : `the server wants a client certificate (${hs.clientRejected}): give --cert`;
    return { ...result, code: 'ERR_PROBE_CLIENT_CERT_REJECTED', reason };
  }
  if (!leaf) return { ...result, code: 'ERR_PROBE_HANDSHAKE', reason: 'the server presented no certificate' };
  return { ...result, ok: true };
}

function clientSummary(der: Uint8Array, hs: Handshake): { subject: string; sha256: string; accepted: boolean } {
  const { subject, sha256 } = describeCertificate(der);
  return { subject, sha256, accepted: hs.failure === undefined && hs.clientRejected === undefined };
}

let roots: Uint8Array[] | undefined;

function bundledRoots(): Uint8Array[] {
  roots ??= rootCertificates.flatMap((pem) => parsePemBlocks(Buffer.from(pem)).map((b) => b.der));
  return roots;
}
