import { spawn } from 'node:child_process';
import { escapeText } from '../text/escape.js';
import { sha256Hex } from '../crypto/digest.js';
import type { WebCrypto } from '../crypto/provider.js';
import { NodeHealthError, NodeRestartError } from '../errors.js';
import type { Keystore } from '../keystore/model.js';
import { parseLocation } from '../transport/location.js';
import { sharedSshPool } from '../transport/ssh/pool.js';
import { probeTls } from '../trust/probe.js';
import type { ProbeTarget } from '../trust/probe_target.js';
import type { ClusterFile, ClusterNode, ClusterReplicationNode } from './cluster_file.js';
import type { ClusterPlan } from './cluster_plan.js';
import { openStoreOf } from './cluster_store.js';
import { nodeLeafOf } from './plan_cluster.js';
import { clearRestartMarker } from './restart_marker.js';

/** One node to restart and check, in rollout order. */
export interface PlannedRestart {
  node: string;
  /** `ssh://user@host:port`, or undefined: the command runs on this machine. */
  host?: string;
  restart?: string;
  before?: string;
  after?: string;
  endpoint?: ProbeTarget;
  /** The name the endpoint's certificate is checked for (SNI too). */
  servername?: string;
  /** SHA-256 (hex) of the leaf the endpoint must present once restarted; absent: any leaf with a valid chain. */
  expectSha256?: string;
  health: { restartTimeoutMs: number; timeoutMs: number };
  /** The node's files are unchanged by this plan: an earlier apply's restart of it did not finish. */
  owed?: boolean;
  /** The node's keystore: its restart marker (restart_marker.ts) sits beside it. */
  keystore: string;
}

/** Seconds a node has to come back with its new certificate, and its restart command to finish. */
export const DEFAULT_HEALTH_TIMEOUT_MS = 60_000;
export const DEFAULT_RESTART_TIMEOUT_MS = 120_000;

/**
 * The nodes apply restarts: those with a restart: or endpoint: whose keystore or trust store the
 * plan changes, gateway instances first, then the replication master and slaves.
 */
export function plannedRestarts(cluster: ClusterFile, plan: ClusterPlan): PlannedRestart[] {
  const changed = new Set(plan.writes.map((w) => w.file));
  const owed = new Set(plan.owedRestarts ?? []);
  const nodes: (ClusterNode | ClusterReplicationNode)[] = [...cluster.gateway.instances, ...(cluster.replication ? [cluster.replication.master, ...cluster.replication.slaves] : [])];
  const out: PlannedRestart[] = [];
  for (const n of nodes) {
    if (n.restart === undefined && n.endpoint === undefined) continue;
    const files = [n.keystore, ...('truststore' in n ? [n.truststore] : [])];
    const changes = files.some((f) => changed.has(f));
    if (!changes && !owed.has(n.name)) continue;
    const store = plan.writes.find((w) => w.file === n.keystore)?.store;
    const leaf = store ? nodeLeafOf(store, n.alias) : undefined;
    const expect = leaf ? sha256Hex(leaf) : plan.nodeLeaves?.[n.name];
    const servername = [...n.hostnames, ...cluster.loadBalancer.names].find((name) => !name.includes(':'));
    out.push({
      node: n.name,
      ...(n.host ? { host: n.host } : {}),
      ...(n.restart ? { restart: n.restart } : {}),
      ...(n.before ? { before: n.before } : {}),
      ...(n.after ? { after: n.after } : {}),
      ...(n.endpoint ? { endpoint: n.endpoint } : {}),
      ...(servername ? { servername } : {}),
      ...(expect ? { expectSha256: expect } : {}),
      health: { timeoutMs: n.health?.timeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS, restartTimeoutMs: n.health?.restartTimeoutMs ?? DEFAULT_RESTART_TIMEOUT_MS },
      ...(changes ? {} : { owed: true }),
      keystore: n.keystore,
    });
  }
  return out;
}

export interface RolloutOptions {
  /** Nodes restarted at once (default 1: one at a time). */
  batch?: number;
  /** The cluster CA's certificate (DER): the endpoint's chain must verify against it. */
  trusted: readonly Uint8Array[];
  /** Told as each step happens ("msas1: restarted", "msas1: Pass"). */
  onProgress?: (line: string) => void;
  env?: Readonly<Record<string, string | undefined>>;
  /** Variables no command run here is handed (the cluster file's env: password sources). */
  hideEnv?: readonly string[];
}

export interface RolledOutNode {
  node: string;
  restarted: boolean;
  /** What the check saw: "presents 3f2a… (TLSv1.3)", or "no endpoint to check". */
  check: string;
}

/**
 * Restarts the nodes in batches (one at a time by default) and, after each restart, probes the
 * node's endpoint until it presents the new certificate with a chain verifying against the
 * cluster CA (the seed's "Test" → "Pass"), or its health timeout passes. Stops at the first node
 * that fails, with ERR_NODE_RESTART or ERR_NODE_HEALTH naming it: the nodes already restarted
 * keep running (their peers' trust stores hold old and new certificates during a rotation).
 */
export async function rollout(restarts: readonly PlannedRestart[], options: RolloutOptions, crypto?: WebCrypto): Promise<RolledOutNode[]> {
  const batch = Math.max(1, options.batch ?? 1);
  const done: RolledOutNode[] = [];
  for (let i = 0; i < restarts.length; i += batch) {
    const group = restarts.slice(i, i + batch);
    const results = await Promise.allSettled(group.map((r) => rolloutOne(r, options, crypto)));
    for (const result of results) {
      if (result.status === 'rejected') throw result.reason;
      done.push(result.value);
    }
  }
  return done;
}

async function rolloutOne(r: PlannedRestart, options: RolloutOptions, crypto?: WebCrypto): Promise<RolledOutNode> {
  const say = options.onProgress ?? (() => undefined);
  const env = { HAPKI_NODE: r.node, ...(r.endpoint ? { HAPKI_ENDPOINT: `${r.endpoint.host}:${r.endpoint.port}` } : {}) };
  const hide = options.hideEnv ?? [];
  if (r.before) await runLocal(r.node, 'before', r.before, r.health.restartTimeoutMs, { ...options.env, ...env }, hide);
  if (r.restart) {
    await runRestart(r, hide);
    say(`${r.node}: restarted${r.host ? ` on ${r.host}` : ''}`);
  }
  const check = r.endpoint ? await awaitNewCertificate(r, options.trusted, crypto) : 'no endpoint to check';
  say(`${r.node}: ${r.endpoint ? 'Pass' : 'restarted, not checked'} (${check})`);
  if (r.after) await runLocal(r.node, 'after', r.after, r.health.restartTimeoutMs, { ...options.env, ...env }, hide);
  await clearRestartMarker(r.keystore);
  return { node: r.node, restarted: r.restart !== undefined, check };
}

async function runRestart(r: PlannedRestart, hide: readonly string[]): Promise<void> {
  if (!r.host) return runLocal(r.node, 'restart', r.restart!, r.health.restartTimeoutMs, process.env, hide);
  const location = parseLocation(`${r.host}/`);
  if (location.kind !== 'ssh') return;
  const session = await sharedSshPool().session({ host: location.host, ...(location.user ? { user: location.user } : {}), ...(location.port ? { port: location.port } : {}) });
  let result;
  try {
    result = await session.exec(r.restart!, r.health.restartTimeoutMs);
  } catch (error) {
    throw new NodeRestartError(r.node, `restart: on ${r.host}: ${(error as Error).message}`);
  }
  if (result.code !== 0) throw new NodeRestartError(r.node, `restart: on ${r.host} exited ${result.code ?? result.signal}${tail(result.stderr)}`);
}

/** Probes until the new leaf is presented with a valid chain, or the health timeout passes. */
async function awaitNewCertificate(r: PlannedRestart, trusted: readonly Uint8Array[], crypto?: WebCrypto): Promise<string> {
  const deadline = Date.now() + r.health.timeoutMs;
  let last = 'no answer';
  for (;;) {
    const remaining = deadline - Date.now();
    const result = await probeTls(r.endpoint!, { trusted, timeoutMs: Math.max(500, Math.min(5000, remaining)), ...(r.servername ? { servername: r.servername } : {}) }, crypto);
    const leaf = result.chain[0]?.sha256;
    // a service that asks for client certificates (a replication node) has shown its chain, judged valid, by then
    const chainValid = result.ok || (result.code === 'ERR_PROBE_CLIENT_CERT_REJECTED' && result.clientCertificate === undefined);
    if (chainValid && (r.expectSha256 === undefined || leaf === r.expectSha256)) return `presents ${leaf?.slice(0, 16)}… over ${result.protocol ?? 'TLS'}`;
    if (chainValid) last = `still presents the old certificate ${leaf?.slice(0, 16)}…`;
    else last = result.reason ?? result.code ?? 'handshake failed';
    if (Date.now() + 250 >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new NodeHealthError(r.node, `${r.endpoint!.host}:${r.endpoint!.port} did not pass its check within ${Math.round(r.health.timeoutMs / 1000)}s: ${last}`);
}

function runLocal(node: string, what: string, command: string, timeoutMs: number, env: Readonly<Record<string, string | undefined>> | undefined, hide: readonly string[]): Promise<void> {
  const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
  for (const name of hide) delete childEnv[name];
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'ignore', 'pipe'], env: childEnv as NodeJS.ProcessEnv });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 4096) stderr += d.toString('utf8');
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new NodeRestartError(node, `${what}: did not finish within ${Math.round(timeoutMs / 1000)}s`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new NodeRestartError(node, `${what}: cannot run /bin/sh (${(error as NodeJS.ErrnoException).code ?? 'error'})`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new NodeRestartError(node, `${what}: exited ${code ?? signal}${tail(stderr)}`));
    });
  });
}

function tail(stderr: string): string {
  const line = stderr.trim().split(/\r?\n/).pop()?.replace(/[^\x20-\x7e]/g, '?').slice(0, 160);
  return line ? ` (${line})` : '';
}

/** The plan's tail: which nodes apply restarts, in order, and what it checks after each. */
export function renderRestarts(restarts: readonly PlannedRestart[], batch = 1): string {
  if (restarts.length === 0) return '';
  const lines = [`then restart ${restarts.length} node${restarts.length === 1 ? '' : 's'}, ${batch === 1 ? 'one at a time' : `${batch} at a time`}, stopping at the first that fails its check:`];
  for (const r of restarts) {
    const steps = [
      ...(r.before ? ['run before: locally'] : []),
      ...(r.restart ? [`run restart: ${r.host ? `on ${escapeText(r.host)}` : 'locally'}`] : []),
      r.endpoint ? `check ${r.endpoint.host}:${r.endpoint.port} presents ${r.expectSha256 ? `the new certificate ${r.expectSha256.slice(0, 16)}…` : 'a certificate'} chaining to the cluster CA (${Math.round(r.health.timeoutMs / 1000)}s)` : 'no endpoint: not checked',
      ...(r.after ? ['run after: locally'] : []),
    ];
    lines.push(`  ${escapeText(r.node)}: ${r.owed ? '(owed: an earlier apply changed its files and did not finish restarting it) ' : ''}${steps.join(', then ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The cluster CA's certificate, the anchor every endpoint check verifies against. */
export function caCertificateOf(store: Keystore, alias: string): Uint8Array | undefined {
  const entry = store.entries.find((e) => e.alias === alias);
  if (entry?.type === 'private-key') return entry.chain[0];
  if (entry?.type === 'trusted-cert') return entry.certificate;
  return undefined;
}

/**
 * After apply: restarts the nodes whose files it changed and checks each, against the cluster
 * CA as it now is.
 */
export async function restartChangedNodes(cluster: ClusterFile, plan: ClusterPlan, options: Omit<RolloutOptions, 'trusted'>, crypto?: WebCrypto): Promise<RolledOutNode[]> {
  const restarts = plannedRestarts(cluster, plan);
  if (restarts.length === 0) return [];
  const ca = await openStoreOf('ca', cluster.ca, cluster.dir, options.env ? { env: options.env } : {});
  const anchor = ca.store ? caCertificateOf(ca.store, cluster.ca.alias) : undefined;
  if (!anchor) throw new NodeHealthError('ca', `no CA certificate under alias "${cluster.ca.alias}" to check the endpoints against`);
  return rollout(restarts, { ...options, trusted: [anchor], hideEnv: [...(options.hideEnv ?? []), ...passwordVariables(cluster)] }, crypto);
}

/**
 * The environment variables a cluster file reads passwords from (its `env:` sources, wherever
 * they are): the before, after and local restart commands run without them. They inherited
 * hapki's whole environment, so a `./lb drain` script, or anything it ran, was handed every
 * keystore password of the cluster.
 */
export function passwordVariables(value: unknown, found: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) for (const item of value) passwordVariables(item, found);
  else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (record['kind'] === 'env' && typeof record['name'] === 'string') found.add(record['name']);
    else for (const item of Object.values(record)) passwordVariables(item, found);
  }
  return found;
}
