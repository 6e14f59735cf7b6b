import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { WebCrypto } from '../crypto/provider.js';
import { ClusterNotConvergedError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic_write.js';
import { holdsSecrets, saveKeystore, type SaveKeystoreOptions } from '../fs/keystore_file.js';
import { readFileBytes } from '../fs/read_file.js';
import type { Keystore } from '../keystore/model.js';
import { distributeToken, type TokenPlan } from '../token/distribute_token.js';
import { localTokenFiles, type TokenFileLayer } from '../token/instance_files.js';
import type { ClusterFile } from './cluster_file.js';
import type { ClusterPlan, PlannedWrite } from './cluster_plan.js';
import { planCluster } from './plan_cluster.js';
import type { PlanClusterOptions } from './plan_state.js';

export interface ApplyClusterOptions extends PlanClusterOptions {
  /** Writes one keystore (default: saveKeystore: atomic, `<file>.bak` kept). Tests put a failing one here. */
  save?: (file: string, store: Keystore, options: SaveKeystoreOptions) => Promise<void>;
  /** How the gateway instances are written when the cluster has a token (default: the local disk). */
  tokenFiles?: TokenFileLayer;
}

export interface AppliedCluster {
  /** What was done: the plan made before writing. */
  plan: ClusterPlan;
  /** The files written, in order. */
  written: string[];
}

/**
 * Plans, then writes every changed keystore once, whole and atomically, the old file kept as
 * `<file>.bak`: the CA, the token's home, then the gateway instances (with a token, as one group
 * through the token library's all-or-nothing distribution), the replication nodes and their
 * trust stores. A failure part way leaves each keystore old or new, never broken, and a rerun
 * plans only what is left. After writing it plans again: anything still to do is
 * ERR_CLUSTER_NOT_CONVERGED.
 */
export async function applyCluster(cluster: ClusterFile, options: ApplyClusterOptions = {}, crypto?: WebCrypto): Promise<AppliedCluster> {
  const plan = await planCluster(cluster, options, crypto);
  const save = options.save ?? saveKeystore;
  const grouped = new Set(plan.token ? plan.token.instances.map((p) => p.instance.path) : []);
  const written: string[] = [];
  let groupDone = false;
  for (const w of plan.writes) {
    if (grouped.has(w.file)) {
      if (groupDone) continue;
      written.push(...(await writeInstanceGroup(plan.token!, plan.writes, options.tokenFiles ?? localTokenFiles())));
      groupDone = true;
      continue;
    }
    if (!w.exists) await mkdir(dirname(w.file), { recursive: true });
    if (w.bytes) await writeFileAtomic(w.file, w.bytes, { force: w.exists, backup: true, mode: holdsSecrets(w.store) ? 0o600 : 0o644 });
    else await save(w.file, w.store, { password: w.password, force: w.exists, backup: true });
    written.push(w.file);
  }
  if (written.length > 0) {
    const check = await planCluster(cluster, options, crypto);
    if (check.steps.length > 0) throw new ClusterNotConvergedError(check.steps.map((s) => `${s.node}: ${s.summary}`));
  }
  return { plan, written };
}

/**
 * The instances as the token library prepared them (the token, over the new certificates), each
 * restored to the bytes it has now if any of them fails.
 */
async function writeInstanceGroup(token: TokenPlan, writes: readonly PlannedWrite[], files: TokenFileLayer): Promise<string[]> {
  const instances = [];
  for (const p of token.instances) {
    const bytes = writes.find((w) => w.file === p.instance.path)?.bytes;
    const { bytes: _prepared, ...rest } = p;
    instances.push({ ...rest, original: await readFileBytes(p.instance.path), ...(bytes ? { bytes } : {}) });
  }
  const result = await distributeToken({ ...token, instances }, files);
  return result.outcomes.filter((o) => o.outcome === 'written').map((o) => o.path);
}
