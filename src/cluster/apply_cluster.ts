import type { WebCrypto } from '../crypto/provider.js';
import { ClusterNotConvergedError } from '../errors.js';
import { withDerivationMemo } from '../crypto/pbe/derivation_memo.js';
import { encodeNewKeystore, holdsSecrets } from '../fs/keystore_file.js';
import { rewriteKeystore } from '../keystore/write_keystore.js';
import { distributeToken } from '../token/distribute_token.js';
import { localTokenFiles, type TokenFileLayer } from '../token/instance_files.js';
import { commitChangeSet, type FileChange } from '../txn/change_set.js';
import type { ClusterFile } from './cluster_file.js';
import type { PlannedWrite } from './cluster_plan.js';
import type { ClusterPlan } from './cluster_plan.js';
import { planCluster } from './plan_cluster.js';
import { restartMarkerChange } from './restart_marker.js';
import { plannedRestarts } from './rollout.js';
import { keepsCaFiles } from '../authority/ca_files.js';
import { issuedRecordOf, recordIssuedChange } from '../authority/issuance_record.js';
import type { PlanClusterOptions } from './plan_state.js';

export interface ApplyClusterOptions extends PlanClusterOptions {
  /** How the gateway instances are read back after the token is written (default: where they are). */
  tokenFiles?: TokenFileLayer;
  /**
   * Record a restart owed to each node whose files change (restart_marker.ts), in the same change
   * set: the rollout removes it once the node passed its check. Off with --no-restart.
   */
  restartMarkers?: boolean;
}

export interface AppliedCluster {
  /** What was done: the plan made before writing. */
  plan: ClusterPlan;
  /** The files written, in order. */
  written: string[];
}

/**
 * Plans, then writes every changed keystore (the CA, the token's home, the gateway instances,
 * the replication nodes and their trust stores) as ONE change set (src/txn/): all locked, each
 * checked to be still the file the plan read (ERR_CONCURRENT_CHANGE otherwise), staged,
 * journaled, renamed, old files kept as `<file>.bak`. A failure writes nothing; a process killed
 * part way is finished or undone by the next hapki command touching one of the files, or by
 * `hapki recover <cluster.yaml>`. After writing it plans again: anything still to do is
 * ERR_CLUSTER_NOT_CONVERGED.
 */
export function applyCluster(cluster: ClusterFile, options: ApplyClusterOptions = {}, crypto?: WebCrypto): Promise<AppliedCluster> {
  // the check reads back the files just written: their keys are derived once (derivation_memo.ts)
  return withDerivationMemo(() => planAndApply(cluster, options, crypto));
}

async function planAndApply(cluster: ClusterFile, options: ApplyClusterOptions, crypto: WebCrypto | undefined): Promise<AppliedCluster> {
  const plan = await planCluster(cluster, options, crypto);
  const grouped = new Set(plan.token ? plan.token.instances.map((p) => p.instance.path) : []);
  // each file encoded at once with the others: their key derivations run side by side on the thread pool;
  // all settle before a failure is reported (the first in plan order), so none runs on past the apply
  const encoded = await Promise.allSettled(plan.writes.filter((w) => !grouped.has(w.file)).map(changeOf));
  const failed = encoded.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const others: FileChange[] = encoded.map((r) => (r as PromiseFulfilledResult<FileChange>).value);
  if (options.restartMarkers && plan.writes.length > 0) {
    for (const r of plannedRestarts(cluster, plan)) if (!r.owed) others.push(restartMarkerChange(r.node, r.keystore, options.now));
  }
  // the record of what the plan issued goes in the same change set: written after it, a kill in between left
  // certificates in the keystores that the CA's record never got (the rerun, converged, issues nothing)
  const record = keepsCaFiles(cluster.ca.keystore) ? recordIssuedChange(cluster.ca.keystore, (plan.issued ?? []).map((i) => issuedRecordOf(i.certificate, i.profile, 'apply'))) : undefined;
  if (record) others.push(record);
  if (plan.token) {
    // the instances as the token library prepared them (the token over the new certificates), and the rest with them
    const instances = plan.token.instances.map((p) => {
      const w = plan.writes.find((x) => x.file === p.instance.path);
      const { bytes: _prepared, ...rest } = p;
      return { ...rest, ...(w?.sha256 ? { sha256: w.sha256 } : {}), ...(w?.bytes ? { bytes: w.bytes } : {}) };
    });
    await distributeToken({ ...plan.token, instances }, options.tokenFiles ?? localTokenFiles(), others);
  } else {
    await commitChangeSet(others);
  }
  const written = plan.writes.map((w) => w.file);
  if (written.length > 0) {
    const check = await planCluster(cluster, options, crypto);
    if (check.steps.length > 0) throw new ClusterNotConvergedError(check.steps.map((s) => `${s.node}: ${s.summary}`));
  }
  return { plan, written };
}

async function changeOf(w: PlannedWrite): Promise<FileChange> {
  const content = w.bytes ?? (w.exists ? await rewriteKeystore(w.store, w.password) : await encodeNewKeystore(w.file, w.store, { password: w.password }));
  return {
    path: w.file,
    action: w.exists ? 'update' : 'write',
    content,
    expectedSha256: w.exists ? (w.sha256 ?? null) : null,
    backup: true,
    private: holdsSecrets(w.store),
    createParents: !w.exists,
  };
}
