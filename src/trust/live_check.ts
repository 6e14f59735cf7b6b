import type { WebCrypto } from '../crypto/provider.js';
import { escapeText } from '../text/escape.js';
import { probeTls } from './probe.js';
import type { ProbeTarget } from './probe_target.js';

/** A replication node as the live check uses it: its own key and chain, its trust anchors, its endpoint. */
export interface LiveNode {
  name: string;
  /** PKCS#8 DER. */
  key: Uint8Array;
  /** DER, leaf first. */
  chain: readonly Uint8Array[];
  /** The node's trust store's anchors: what it accepts as a peer. */
  trusted: readonly Uint8Array[];
  endpoint: ProbeTarget;
  /** The name the node's certificate is checked for when it is the server. */
  servername?: string;
}

export interface LivePairResult {
  /** The client: its key, chain and trust store were used. */
  from: string;
  /** The server connected to. */
  to: string;
  endpoint: string;
  pass: boolean;
  code?: string;
  reason?: string;
}

export interface LiveCheckResult {
  ok: boolean;
  pairs: LivePairResult[];
}

/**
 * The replication check the second seed's "Test" button does, over the network: from the master
 * to each slave's endpoint and from each slave to the master's, mutual TLS with the connecting
 * node's own key and trust store. A pair passes when the client's trust store accepts the
 * server's chain (for its name) and the server accepts the client's certificate. The client
 * certificate goes only to a server already judged (the probe's rule), never to an impostor.
 */
export async function checkLiveTrust(master: LiveNode, slaves: readonly LiveNode[], options: { timeoutMs?: number } = {}, crypto?: WebCrypto): Promise<LiveCheckResult> {
  const pairs = [...slaves.map((s): [LiveNode, LiveNode] => [master, s]), ...slaves.map((s): [LiveNode, LiveNode] => [s, master])];
  const results = await Promise.all(pairs.map(([from, to]) => probePair(from, to, options.timeoutMs, crypto)));
  return { ok: results.every((r) => r.pass), pairs: results };
}

async function probePair(from: LiveNode, to: LiveNode, timeoutMs: number | undefined, crypto?: WebCrypto): Promise<LivePairResult> {
  const endpoint = `${to.endpoint.host}:${to.endpoint.port}`;
  const result = await probeTls(
    to.endpoint,
    { trusted: from.trusted, client: { key: from.key, chain: from.chain }, ...(to.servername ? { servername: to.servername } : {}), ...(timeoutMs ? { timeoutMs } : {}) },
    crypto,
  );
  if (!result.ok) return { from: from.name, to: to.name, endpoint, pass: false, code: result.code ?? 'ERR_PROBE_HANDSHAKE', reason: result.reason ?? 'the handshake failed' };
  if (result.clientCertificate && !result.clientCertificate.accepted) {
    return { from: from.name, to: to.name, endpoint, pass: false, code: 'ERR_PROBE_CLIENT_CERT_REJECTED', reason: `${to.name} refused ${from.name}'s certificate` };
  }
  return { from: from.name, to: to.name, endpoint, pass: true };
}

/** The Pass/Fail table: one line per direction, the reason of each Fail. */
export function renderLiveTrust(result: LiveCheckResult): string {
  const width = Math.max(...result.pairs.map((p) => `${p.from} -> ${p.to}`.length), 4);
  const lines = result.pairs.map((p) => `${p.pass ? 'Pass' : 'Fail'}  ${escapeText(`${p.from} -> ${p.to}`.padEnd(width))}  ${escapeText(p.endpoint)}${p.pass ? '' : `  ${escapeText(String(p.reason))} (${p.code})`}`);
  const failed = result.pairs.filter((p) => !p.pass).length;
  lines.push(failed === 0 ? `all ${result.pairs.length} connections passed (mutual TLS, each node's own key and trust store)` : `${failed} of ${result.pairs.length} connections failed`);
  return `${lines.join('\n')}\n`;
}
