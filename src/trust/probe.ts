import { rootCertificates } from 'node:tls';
import { describeCertificate, type CertificateSummary } from '../cert/describe.js';
import type { WebCrypto } from '../crypto/provider.js';
import { bytesEqual } from '../lib/bytes.js';
import { escapeText } from '../text/escape.js';
import { pemArmor, parsePemBlocks } from '../keystore/pem/pem_blocks.js';
import type { ProbeTarget } from './probe_target.js';
import { tlsHandshake, type Handshake } from './tls_handshake.js';
import { validatePath, type CertificateRevocation } from './validate_path.js';

export const DEFAULT_PROBE_TIMEOUT_MS = 5000;
/** How long to listen after the handshake for the server's verdict on our certificate. */
export const DEFAULT_SETTLE_MS = 400;

export interface ProbeOptions {
  /** Trust anchors (DER); default: the root certificates bundled with Node (tls.rootCertificates). */
  trusted?: readonly Uint8Array[];
  /** A key (PKCS#8 DER) and its certificate chain to present, as a replication client would. */
  client?: { key: Uint8Array; chain: readonly Uint8Array[] };
  /** SNI and the name the certificate must carry; default the target host (an IP address must be one of its iPAddress names). */
  servername?: string;
  timeoutMs?: number;
  settleMs?: number;
  /** Judge validity at this time instead of now. */
  at?: Date;
  /**
   * OCSP: a response the server staples is always checked (revoked fails the probe); with
   * `fetch`, the responders the chain names are also asked about what no staple covers, and with
   * `required` a certificate whose status stays unknown fails (ERR_REVOCATION_UNKNOWN).
   */
  ocsp?: { fetch?: boolean; required?: boolean; timeoutMs?: number };
}

export interface ProbeResult {
  target: ProbeTarget;
  /** The name or IP address the server certificate was checked against (--servername, else the target host). */
  hostname: string;
  /** True when a TLS session came up. */
  handshake: boolean;
  protocol?: string;
  cipher?: string;
  /** The certificates the server presented, leaf first. */
  chain: CertificateSummary[];
  /** With a stapled OCSP response or `ocsp`: each server certificate's revocation status, leaf first. */
  revocation?: CertificateRevocation[];
  /** True when the server stapled an OCSP response. */
  stapled?: boolean;
  /** The certificate we hold; sent is false when the server was refused before it could have it. */
  clientCertificate?: { subject: string; sha256: string; accepted: boolean; sent: boolean };
  ok: boolean;
  /** ERR_PROBE_* for connection problems, or the path validator's code for the server's chain. */
  code?: string;
  reason?: string;
}

/**
 * Connects, shakes hands (presenting a client certificate when given one), and judges the
 * server's chain with the path validator against the trust anchors, for the server purpose and
 * the host name or IP address. Never throws for a failed probe: the result says what went wrong.
 *
 * A client certificate is only ever sent to a server already judged: a first handshake stops as
 * soon as the server's chain has arrived (nothing of ours sent), the validator judges that chain,
 * and the second handshake, the one that presents the certificate, is aborted inside the handshake
 * unless the server presents the very leaf just judged (and proves its key, as TLS makes it do
 * before the client's certificate goes out).
 */
export async function probeTls(target: ProbeTarget, options: ProbeOptions = {}, crypto?: WebCrypto): Promise<ProbeResult> {
  const client = options.client;
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const remaining = (): number => Math.max(1, timeoutMs - (Date.now() - started));
  const hostname = options.servername ?? target.host;
  const base = { settleMs: options.settleMs ?? DEFAULT_SETTLE_MS, ...(options.servername === undefined ? {} : { servername: options.servername }) };
  let revocation: CertificateRevocation[] | undefined;
  const judge = async (hs: Handshake): Promise<{ code: string; reason: string } | undefined> => {
    const [leaf, ...rest] = hs.chain;
    if (!leaf) return { code: 'ERR_PROBE_HANDSHAKE', reason: 'the server presented no certificate' };
    const trusted = options.trusted ?? bundledRoots();
    const ocsp = hs.stapled || options.ocsp ? { ocsp: { ...options.ocsp, responses: hs.stapled ? [hs.stapled] : [] } } : {};
    const verdict = await validatePath(leaf, { trusted, untrusted: rest, purpose: 'server', hostname, ...(options.at ? { at: options.at } : {}), ...ocsp }, crypto);
    // what the server's certificates say is the peer's text: escaped here, so that JSON carries it as the text output shows it
    revocation = verdict.revocation?.map((r) => ({ ...r, subject: escapeText(r.subject), ...(r.detail === undefined ? {} : { detail: escapeText(r.detail) }) }));
    return verdict.valid ? undefined : { code: verdict.code ?? 'ERR_CHAIN_UNTRUSTED', reason: `server certificate: ${escapeText(verdict.reason ?? 'not trusted')}` };
  };
  const summarize = (hs: Handshake, clientCertificate?: ProbeResult['clientCertificate']): ProbeResult => ({
    target,
    hostname,
    handshake: hs.protocol !== undefined,
    ...(hs.protocol === undefined ? {} : { protocol: hs.protocol }),
    ...(hs.cipher === undefined ? {} : { cipher: hs.cipher }),
    chain: hs.chain.map(describeCertificate),
    ...(hs.stapled ? { stapled: true } : {}),
    ...(revocation ? { revocation } : {}),
    ...(clientCertificate ? { clientCertificate } : {}),
    ok: false,
  });

  if (!client?.chain[0]) {
    const hs = await tlsHandshake(target, { ...base, timeoutMs });
    if (hs.failure) return { ...summarize(hs), ...hs.failure };
    const bad = await judge(hs);
    const result = summarize(hs);
    if (bad) return { ...result, ...bad };
    if (hs.clientRejected !== undefined) return { ...result, code: 'ERR_PROBE_CLIENT_CERT_REJECTED', reason: `the server wants a client certificate (${hs.clientRejected}): give --cert` };
    return { ...result, ok: true };
  }

  const ours = describeCertificate(client.chain[0]);
  const notSent = { subject: ours.subject, sha256: ours.sha256, accepted: false, sent: false };
  const look = await tlsHandshake(target, { ...base, timeoutMs, settleMs: 0, approveChain: () => 'looked' });
  if (look.failure) return { ...summarize(look, notSent), ...look.failure };
  const bad = await judge(look);
  if (bad) return { ...summarize(look, notSent), code: bad.code, reason: `${bad.reason}; the client certificate was not sent` };
  const leaf = look.chain[0]!;
  const hs = await tlsHandshake(target, {
    ...base,
    timeoutMs: remaining(),
    clientPem: { key: pemArmor('PRIVATE KEY', client.key), cert: client.chain.map((d) => pemArmor('CERTIFICATE', d)).join('') },
    approveChain: (chain) => (chain[0] && bytesEqual(chain[0], leaf) ? undefined : 'the server presented another certificate than the one just verified'),
  });
  if (hs.refused !== undefined) return { ...summarize(hs, notSent), code: 'ERR_CHAIN_UNTRUSTED', reason: `${hs.refused}; the client certificate was not sent` };
  const accepted = hs.failure === undefined && hs.clientRejected === undefined;
  const result = summarize(hs, { subject: ours.subject, sha256: ours.sha256, accepted, sent: hs.failure === undefined });
  if (hs.failure) return { ...result, ...hs.failure };
  if (hs.clientRejected !== undefined) return { ...result, code: 'ERR_PROBE_CLIENT_CERT_REJECTED', reason: `the server rejected our client certificate (${ours.subject}): ${hs.clientRejected}` };
  return { ...result, ok: true };
}

let roots: Uint8Array[] | undefined;

function bundledRoots(): Uint8Array[] {
  roots ??= rootCertificates.flatMap((pem) => parsePemBlocks(Buffer.from(pem)).map((b) => b.der));
  return roots;
}
