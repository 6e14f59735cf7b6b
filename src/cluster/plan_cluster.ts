import { readFileBytes } from '../fs/read_file.js';
import { readCertificates } from '../keystore/read_certificates.js';
import { formatPkcs11Uri, isPkcs11Uri, parsePkcs11Uri } from '../pkcs11/uri.js';
import { resolveSecret } from './secrets.js';
import { describeCertificate } from '../cert/describe.js';
import { sha256Hex } from '../crypto/digest.js';
import type { WebCrypto } from '../crypto/provider.js';
import { HapkiError } from '../errors.js';
import { createCa } from '../issue/create_ca.js';
import { createCsr } from '../issue/create_csr.js';
import { installReply } from '../issue/install_reply.js';
import { caEntry, issuerFromEntry } from '../issue/issuer.js';
import type { ProfileName } from '../issue/profiles.js';
import { formatSan, parseSan, type SubjectAltName } from '../issue/san.js';
import { signCsr, signCsrs, type BatchResult, type SignedCertificate } from '../issue/sign_csr.js';
import { keyMatchesCertificate } from '../cert/key_match.js';
import { unlockedKey } from '../keystore/unlocked_key.js';
import { uniqueAlias } from '../keystore/alias.js';
import type { Keystore, PrivateKeyEntry } from '../keystore/model.js';
import { nameFor } from '../keystore/pair_keys.js';
import { bytesEqual } from '../lib/bytes.js';
import { nodeKeyEntry } from '../trust/node_ref.js';
import type { ClusterFile, ClusterNode } from './cluster_file.js';
import type { ClusterPlan, PlannedWrite } from './cluster_plan.js';
import { openStoreOf } from './cluster_store.js';
import { certificateState } from './certificate_state.js';
import { caSigningRules } from '../authority/issue_with_ca.js';
import { keepsCaFiles } from '../authority/ca_files.js';
import { issuedCertificates, readRecord, serialOf } from '../authority/issuance_record.js';
import { addStep, relativeFile, type CaFacts, type PlanClusterOptions, type PlanState } from './plan_state.js';
import { planToken } from './plan_token.js';
import { planTrustMesh } from './plan_trust.js';
import { newKeystoreFormat } from '../keystore/format_for_path.js';
import { forEachHost, hostOfLocation } from '../transport/fan_out.js';
import { restartsOwed } from './restart_marker.js';

export type { PlanClusterOptions } from './plan_state.js';

/**
 * What `apply` would change, computed in memory without writing anything: the CA (created when
 * absent and the file says how), each node's certificate (re-issued from its own key only when
 * it is not the CA's, lacks a required name, is in its renewal window, or is not for its key),
 * the CA as a trusted entry beside it, and the replication trust stores (peers added,
 * superseded copies of a peer's certificate removed). The result holds every changed keystore
 * whole, to be written once each.
 */
export async function planCluster(cluster: ClusterFile, options: PlanClusterOptions = {}, crypto?: WebCrypto): Promise<ClusterPlan> {
  const state: PlanState = { cluster, options, now: options.now ?? new Date(), crypto, files: new Map(), steps: [], warnings: [...cluster.warnings], issued: [] };
  // the CA's keystore is opened first (its password may be asked for); a CA still to be made is
  // made while the nodes' keystores are read, its key generated on the thread pool meanwhile
  const making = isPkcs11Uri(cluster.ca.keystore) ? Promise.resolve(await planHsmCa(state)) : (await planCa(state)).ready;
  try {
    const lbNames = cluster.loadBalancer.names.map(parseSan);
    try {
      await readCaRules(state, lbNames);
      // every node's keystore read at once, one host after another only beyond --parallel hosts
      const nodes = [...cluster.gateway.instances, ...(cluster.replication ? [cluster.replication.master, ...cluster.replication.slaves] : [])];
      await forEachHost(nodes, (n) => hostOfLocation(n.keystore), async (n) => void (await openNode(state, n)));
    } catch (error) {
      // the CA's own failure, if any, is the one to report: it comes first in the file and in the plan
      throw (await making.then(() => undefined, (caError: unknown) => caError)) ?? error;
    }
    const ca = await making;
    await planNodeCertificates(state, ca, cluster.gateway.instances.map((node) => ({ node, required: [...node.hostnames.map(parseSan), ...lbNames], profile: 'server' })));
    if (cluster.replication) {
      const { master, slaves } = cluster.replication;
      await planNodeCertificates(state, ca, [master, ...slaves].map((node) => ({ node, required: node.hostnames.map(parseSan), profile: 'server-client' })));
      await planTrustMesh(state, cluster.replication);
    }
    if (cluster.token) await planToken(state, ca, cluster.token);
  } finally {
    (await making.catch(() => undefined))?.close?.();
  }
  const writes: PlannedWrite[] = [...state.files.entries()]
    .filter(([, w]) => w.changed)
    .map(([file, w]) => ({ file, store: w.store, password: w.password, exists: w.exists, ...(w.sha256 ? { sha256: w.sha256 } : {}), ...(w.bytes ? { bytes: w.bytes } : {}) }));
  const order = writeOrder(state);
  const byFile = <T extends { file: string }>(items: T[]): T[] => [...items].sort((a, b) => order.indexOf(a.file) - order.indexOf(b.file));
  const nodes = [...cluster.gateway.instances, ...(cluster.replication ? [cluster.replication.master, ...cluster.replication.slaves] : [])];
  const nodeLeaves: Record<string, string> = {};
  for (const n of nodes) {
    const leaf = nodeLeafOf(state.files.get(n.keystore)?.store, n.alias);
    if (leaf) nodeLeaves[n.name] = sha256Hex(leaf);
  }
  const owed = await restartsOwed(nodes.filter((n) => n.restart !== undefined || n.endpoint !== undefined));
  return {
    cluster: cluster.path,
    dir: cluster.dir,
    steps: byFile(state.steps),
    writes: byFile(writes),
    warnings: state.warnings,
    issued: state.issued,
    ...(state.token ? { token: state.token } : {}),
    nodeLeaves,
    owedRestarts: owed.map((o) => o.node),
  };
}

/**
 * Opens the CA's keystore; `ready` is the CA ready to sign, made first when the file is absent
 * and ca.create says how, while the nodes are read (its rejection already handled: a failure
 * elsewhere while it runs leaves no unhandled rejection).
 */
async function planCa(state: PlanState): Promise<{ ready: Promise<CaFacts> }> {
  const { ca } = state.cluster;
  const opened = await openStoreOf('ca', ca, state.cluster.dir, state.options);
  state.files.set(ca.keystore, { store: opened.store ?? { format: newKeystoreFormat(ca.keystore), entries: [], integrityChecked: true, warnings: [] }, password: opened.password, exists: opened.store !== undefined, ...(opened.sha256 ? { sha256: opened.sha256 } : {}), changed: false });
  if (!opened.store && !ca.create) throw new HapkiError('ERR_FILE_NOT_FOUND', `ca (${relativeFile(state, ca.keystore)}): no such file, and ca.create does not say how to make one`);
  // a CA that is there is opened at once: its failure (no such alias) stops the plan before any node is read
  if (opened.store) return { ready: Promise.resolve(await caFacts(state, opened.store)) };
  const ready = makeCa(state, ca.create!).then((store) => caFacts(state, store));
  ready.catch(() => undefined);
  return { ready };
}

async function makeCa(state: PlanState, create: NonNullable<ClusterFile['ca']['create']>): Promise<Keystore> {
  const { ca } = state.cluster;
  const created = await createCa({ subject: create.subject, key: create.key, days: create.days, alias: ca.alias, format: newKeystoreFormat(ca.keystore), now: state.now }, state.crypto);
  const summary = describeCertificate(created.certificate);
  const key = create.key.kty === 'rsa' ? `RSA ${create.key.bits ?? 3072}` : create.key.kty === 'ec' ? `EC ${create.key.curve ?? 'P-256'}` : 'Ed25519';
  addStep(state, { kind: 'create-ca', node: 'ca', file: ca.keystore, summary: `create the CA: ${summary.subject}`, details: [`${key} key, valid until ${summary.notAfter.slice(0, 10)}`] }, created.store);
  return created.store;
}

async function caFacts(state: PlanState, store: Keystore): Promise<CaFacts> {
  const { ca } = state.cluster;
  const issuer = await issuerFromEntry(caEntry(store, ca.alias), state.crypto);
  const root = issuer.chain[issuer.chain.length - 1]!;
  return { issuer, certificate: issuer.chain[0]!, root, rootSha256: sha256Hex(root) };
}

/**
 * A CA whose key is in an HSM (ca.keystore a pkcs11: URI, ca.password its PIN): used as it is,
 * never created here (planning writes nothing, and an HSM key is made once, by `hapki ca init --key`).
 */
async function planHsmCa(state: PlanState): Promise<CaFacts> {
  const { ca } = state.cluster;
  const where = `ca (${formatPkcs11Uri(parsePkcs11Uri(ca.keystore))})`;
  try {
    const pin = await resolveSecret(ca.password, `PIN of ${where}`, state.options);
    const chain = ca.certificate === undefined ? undefined : readCertificates(await readFileBytes(ca.certificate), ca.certificate);
    const { openPkcs11Issuer } = await import('../pkcs11/pkcs11_issuer.js');
    const { issuer, key } = await openPkcs11Issuer(ca.keystore, { pin, ...(ca.pkcs11Module === undefined ? {} : { module: ca.pkcs11Module }), ...(state.options.env ? { env: state.options.env } : {}) }, chain);
    const root = issuer.chain[issuer.chain.length - 1]!;
    return { issuer, certificate: issuer.chain[0]!, root, rootSha256: sha256Hex(root), close: () => key.close() };
  } catch (error) {
    if (error instanceof HapkiError && (error.code === 'ERR_PKCS11_OBJECT_NOT_FOUND' || error.code === 'ERR_PKCS11_TOKEN_NOT_FOUND') && ca.create) {
      throw new HapkiError(error.code, `${where}: ${error.message}; apply does not make keys in an HSM: run hapki ca init --key first`, { cause: error });
    }
    if (error instanceof HapkiError && !error.message.startsWith(where)) throw new HapkiError(error.code, `${where}: ${error.message}`, { cause: error });
    throw error;
  }
}

async function openNode(state: PlanState, node: ClusterNode): Promise<Keystore> {
  const known = state.files.get(node.keystore);
  if (known) return known.store;
  const opened = await openStoreOf(node.name, node, state.cluster.dir, state.options);
  if (!opened.store) throw new HapkiError('ERR_FILE_NOT_FOUND', `${node.name} (${relativeFile(state, node.keystore)}): no such file; a node's keystore must hold the node's key`);
  state.files.set(node.keystore, { store: opened.store, password: opened.password, exists: true, ...(opened.sha256 ? { sha256: opened.sha256 } : {}), changed: false });
  return opened.store;
}

interface NodeCertificate {
  node: ClusterNode;
  required: SubjectAltName[];
  profile: ProfileName;
}

/**
 * The certificates of a group of nodes: first every node's request is made and the whole group
 * signed in one batch (the CA key opened once, the signatures in parallel), then each node is
 * planned in order as if alone, taking its certificate from the batch when it is still for the
 * node's key (a node named twice, or changed by the one before it, is signed again).
 */
async function planNodeCertificates(state: PlanState, ca: CaFacts, nodes: readonly NodeCertificate[]): Promise<void> {
  const requests: { index: number; csr: Uint8Array; options: Parameters<typeof signCsr>[2] }[] = [];
  for (const [index, { node, required, profile }] of nodes.entries()) {
    const entry = nodeKeyEntry(await openNode(state, node), node.name, node.alias);
    const health = await healthOf(state, entry, ca, required);
    if (health.reasons.length === 0) continue;
    const { csr } = await createCsr(entry, { sans: required }, state.crypto);
    requests.push({ index, csr, options: signOptions(state, required, profile) });
  }
  const results = await signCsrs(requests, ca.issuer, state.crypto);
  const presigned = new Map<number, BatchResult>(requests.map((r, i) => [r.index, results[i]!]));
  for (const [index, item] of nodes.entries()) await planNodeCertificate(state, ca, item, presigned.get(index));
}

function signOptions(state: PlanState, required: SubjectAltName[], profile: ProfileName): Parameters<typeof signCsr>[2] {
  return { ...state.caRules, sans: required, profile, days: state.cluster.renewal.days, now: state.now };
}

/**
 * The CA's rules for the plan: its settings beside the keystore and the cluster file's policy,
 * the load balancer's and every node's names allowed by construction; and the serials its record
 * marks revoked, whose certificates are re-issued.
 */
async function readCaRules(state: PlanState, lbNames: SubjectAltName[]): Promise<void> {
  const { cluster } = state;
  const nodes = [...cluster.gateway.instances, ...(cluster.replication ? [cluster.replication.master, ...cluster.replication.slaves] : [])];
  const allowedNames = [...lbNames, ...nodes.flatMap((n) => n.hostnames.map(parseSan))];
  const { rules } = await caSigningRules(cluster.ca.keystore, { ...(cluster.ca.policy ? { namePolicy: cluster.ca.policy } : {}), allowedNames });
  state.caRules = rules;
  if (!keepsCaFiles(cluster.ca.keystore)) return;
  const record = issuedCertificates(await readRecord(cluster.ca.keystore));
  state.revoked = new Set(record.filter((c) => c.revoked).map((c) => c.serial));
}

/** certificateState, and a certificate the CA has revoked needs re-issuing too. */
async function healthOf(state: PlanState, entry: PrivateKeyEntry, ca: CaFacts, required: SubjectAltName[]): Promise<Awaited<ReturnType<typeof certificateState>>> {
  const health = await certificateState(entry, { caCertificate: ca.certificate, required, windowDays: state.cluster.renewal.windowDays, now: state.now }, state.crypto);
  const leaf = entry.chain[0];
  if (leaf && state.revoked?.has(serialOf(leaf)) && !health.reasons.some((r) => r.includes('revoked'))) return { ...health, reasons: [...health.reasons, 'revoked by the CA'] };
  return health;
}

async function planNodeCertificate(state: PlanState, ca: CaFacts, { node, required, profile }: NodeCertificate, presigned: BatchResult | undefined): Promise<void> {
  let store = await openNode(state, node);
  const entry = nodeKeyEntry(store, node.name, node.alias);
  const health = await healthOf(state, entry, ca, required);
  if (health.warning) state.warnings.push(`${node.name}: ${health.warning}`);
  if (health.reasons.length > 0) {
    if (presigned && !presigned.ok) throw presigned.error;
    let signed: SignedCertificate;
    if (presigned?.ok && keyMatchesCertificate(unlockedKey(entry), presigned.signed.certificate)) signed = presigned.signed;
    else signed = await signCsr((await createCsr(entry, { sans: required }, state.crypto)).csr, ca.issuer, signOptions(state, required, profile), state.crypto);
    for (const w of signed.warnings) state.warnings.push(`${node.name}: ${w}`);
    state.issued.push({ certificate: signed.certificate, profile });
    const installed = await installReply(store, { alias: entry.alias, reply: signed.chain, trustRoot: ca.rootSha256, now: state.now }, state.crypto);
    store = installed.store;
    addStep(
      state,
      {
        kind: 'issue-certificate',
        node: node.name,
        file: node.keystore,
        summary: `issue a certificate for "${entry.alias}": ${signed.subject}`,
        details: [`names: ${signed.sans.map(formatSan).join(', ')}`, `why: ${health.reasons.join('; ')}`, `valid until ${signed.notAfter.toISOString().slice(0, 10)}, chain of ${installed.chain.length}`],
      },
      store,
    );
    if (installed.addedRootAlias !== undefined) trustCaStep(state, node, installed.addedRootAlias, ca, store);
    return;
  }
  const chain = [entry.chain[0]!, ...ca.issuer.chain];
  if (!sameChain(entry.chain, chain)) {
    const updated: PrivateKeyEntry = { ...entry, chain };
    store = { ...store, entries: store.entries.map((e) => (e === entry ? updated : e)), warnings: [] };
    addStep(state, { kind: 'install-chain', node: node.name, file: node.keystore, summary: `complete the chain of "${entry.alias}" up to the CA`, details: [`chain of ${entry.chain.length} becomes ${chain.length}`] }, store);
  }
  const root = ca.issuer.chain[ca.issuer.chain.length - 1]!;
  if (!store.entries.some((e) => e.type === 'trusted-cert' && bytesEqual(e.certificate, root))) {
    const alias = uniqueAlias(store, nameFor(root, 'root-ca'));
    store = { ...store, entries: [...store.entries, { type: 'trusted-cert', alias, certificate: root, created: state.now }], warnings: [] };
    trustCaStep(state, node, alias, ca, store);
  }
}

function trustCaStep(state: PlanState, node: ClusterNode, alias: string, ca: CaFacts, store: Keystore): void {
  const root = describeCertificate(ca.issuer.chain[ca.issuer.chain.length - 1]!);
  addStep(state, { kind: 'trust-ca', node: node.name, file: node.keystore, summary: `trust the CA as "${alias}": ${root.subject}`, details: [`sha256 ${root.sha256}`] }, store);
}

/** The leaf of a node's key entry (its alias, else its only one). */
export function nodeLeafOf(store: Keystore | undefined, alias: string | undefined): Uint8Array | undefined {
  const keys = (store?.entries ?? []).filter((e): e is PrivateKeyEntry => e.type === 'private-key');
  const entry = alias === undefined ? (keys.length === 1 ? keys[0] : undefined) : keys.find((e) => e.alias === alias);
  return entry?.chain[0];
}

function sameChain(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  return a.length === b.length && a.every((der, i) => bytesEqual(der, b[i]!));
}


/** The CA first, then the token's home, the gateway instances, the replication nodes, their trust stores. */
function writeOrder(state: PlanState): string[] {
  const { cluster } = state;
  const replication = cluster.replication ? [cluster.replication.master, ...cluster.replication.slaves] : [];
  return [
    cluster.ca.keystore,
    ...(cluster.token ? [cluster.token.keystore] : []),
    ...cluster.gateway.instances.map((n) => n.keystore),
    ...replication.map((n) => n.keystore),
    ...replication.map((n) => n.truststore),
  ];
}
