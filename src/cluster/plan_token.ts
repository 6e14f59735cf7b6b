import { issuanceExtensions } from '../issue/issuance_checks.js';
import { describeCertificate } from '../cert/describe.js';
import { readFileBytes } from '../fs/read_file.js';
import { readKeystore } from '../keystore/read_keystore.js';
import { rewriteKeystore } from '../keystore/write_keystore.js';
import { planTokenDistribution, type TokenInstance } from '../token/distribute_token.js';
import type { TokenFileLayer } from '../token/instance_files.js';
import { issueTokenCertificate } from '../token/issue_token.js';
import { tokenMaterialOf } from '../token/token_material.js';
import type { ClusterToken } from './cluster_file.js';
import { openStoreOf } from './cluster_store.js';
import { addStep, type CaFacts, type PlanState } from './plan_state.js';
import { DAY_MS } from '../lib/duration.js';
import { newKeystoreFormat } from '../keystore/format_for_path.js';
import { hostOfLocation, mapByHost } from '../transport/fan_out.js';


/**
 * The shared token: issued by the CA into its home keystore when that is absent, then prepared
 * for every gateway instance by the token library (`planTokenDistribution`), over the instances as
 * this plan leaves them, so that apply writes each instance once, through `distributeToken`.
 */
export async function planToken(state: PlanState, ca: CaFacts, token: ClusterToken): Promise<void> {
  const opened = await openStoreOf('token', token, state.cluster.dir, state.options);
  let home = opened.store;
  state.files.set(token.keystore, { store: home ?? { format: newKeystoreFormat(token.keystore), entries: [], integrityChecked: true, warnings: [] }, password: opened.password, exists: home !== undefined, ...(opened.sha256 ? { sha256: opened.sha256 } : {}), changed: false });
  if (!home) {
    const issued = await issueTokenCertificate({ subject: token.subject, alias: token.alias, key: token.key, days: token.days, issuer: ca.issuer, ...(state.caRules ? { extraExtensions: issuanceExtensions('token', state.caRules) } : {}), ...(state.caRules?.namePolicy ? { namePolicy: state.caRules.namePolicy } : {}), format: newKeystoreFormat(token.keystore), now: state.now }, state.crypto);
    home = issued.store;
    // recorded in the CA's issuance record with the nodes' certificates once apply has written it
    state.issued.push({ certificate: issued.certificate, profile: 'token' });
    for (const w of issued.warnings) state.warnings.push(`token: ${w}`);
    const summary = describeCertificate(issued.certificate);
    addStep(state, { kind: 'issue-token', node: 'token', file: token.keystore, summary: `issue the token certificate "${token.alias}": ${summary.subject}`, details: [`valid until ${summary.notAfter.slice(0, 10)}, signed by the CA`] }, home);
  }
  const material = tokenMaterialOf(home, token.alias);
  const leaf = describeCertificate(material.chain[0]!);
  if (new Date(leaf.notAfter).getTime() - state.now.getTime() < state.cluster.renewal.windowDays * DAY_MS) {
    state.warnings.push(`token: the token certificate ends ${leaf.notAfter.slice(0, 10)}; rotate it (stage, activate, retire) with the token commands`);
  }
  const planned = new Map<string, Uint8Array>();
  const instances: TokenInstance[] = [];
  const gateways = state.cluster.gateway.instances;
  // the unchanged instances are read again as bytes, every host at once
  const bytes = await mapByHost(gateways, (n) => hostOfLocation(n.keystore), async (n) => {
    const w = state.files.get(n.keystore)!;
    return w.changed ? await rewriteKeystore(w.store, w.password) : await readFileBytes(n.keystore);
  });
  for (const [i, n] of gateways.entries()) {
    planned.set(n.keystore, bytes[i]!);
    instances.push({ name: n.name, path: n.keystore, password: state.files.get(n.keystore)!.password });
  }
  const distribution = await planTokenDistribution(instances, { alias: token.alias, material }, inMemory(planned));
  for (const p of distribution.instances) {
    const w = state.files.get(p.instance.path)!;
    if (p.bytes) {
      const store = await readKeystore(p.bytes, { password: w.password });
      const details = [...p.changes.map((c) => `${c.action} ${c.entry === 'private-key' ? 'key entry' : 'trusted entry'} "${c.alias}"${c.after ? ` sha256 ${c.after}` : ''}`), ...p.warnings];
      addStep(state, { kind: 'distribute-token', node: p.instance.name, file: p.instance.path, summary: `install the token "${token.alias}": ${leaf.subject}`, details }, store);
      w.bytes = p.bytes;
    } else if (w.changed) {
      w.bytes = planned.get(p.instance.path)!;
    }
  }
  state.token = distribution;
}

/** The instances as the plan leaves them, for the token library to read; planning writes nothing. */
function inMemory(files: ReadonlyMap<string, Uint8Array>): TokenFileLayer {
  return {
    read: async (path) => {
      const bytes = files.get(path);
      if (!bytes) throw new TypeError(`${path} is not a planned instance`);
      return bytes;
    },
    assertWritable: async () => undefined,
  };
}
