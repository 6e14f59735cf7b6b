import { resolve } from 'node:path';
import { DAY_MS } from '../audit/duration.js';
import type { AuditOptions } from '../audit/run_audit.js';
import type { ClusterFile, ClusterStore } from './cluster_file.js';
import { resolveSecret, type ResolveSecretOptions, type SecretRef } from './secrets.js';

/**
 * The audit of exactly a cluster's keystores: the CA's, the token's home, every gateway instance's,
 * every replication node's keystore and trust store, judged with the cluster's thresholds, each
 * opened with its own password source, and the instances as one token group.
 *
 * Not mapped yet, because the audit options cannot say them: the load balancer's names as
 * expect-san scoped to the instances' node entries (AuditOptions.expectSan applies to every key
 * entry's leaf, the token's and the replication nodes' too), and trust groups whose trust stores
 * are files apart from the nodes' keystores (TrustGroup takes one store per node as both).
 */
export function clusterAuditOptions(cluster: ClusterFile, options: ResolveSecretOptions = {}): AuditOptions {
  const stores: [string, SecretRef][] = [];
  const add = (store: ClusterStore): void => {
    stores.push([store.keystore, store.password]);
  };
  add(cluster.ca);
  if (cluster.token) add(cluster.token);
  for (const n of cluster.gateway.instances) add(n);
  const replication = cluster.replication ? [cluster.replication.master, ...cluster.replication.slaves] : [];
  for (const n of replication) add(n);
  for (const n of replication) stores.push([n.truststore, n.truststorePassword]);
  const sources = new Map(stores.map(([path, ref]) => [resolve(path), ref]));
  return {
    paths: stores.map(([path]) => path),
    warnMs: cluster.audit.warnDays * DAY_MS,
    critMs: cluster.audit.critDays * DAY_MS,
    ...(cluster.token ? { tokenGroups: [{ alias: cluster.token.alias, stores: cluster.gateway.instances.map((n) => n.keystore) }] } : {}),
    passwordFor: async (path) => {
      const ref = sources.get(resolve(path));
      return ref === undefined ? undefined : resolveSecret(ref, `password of ${path}`, options);
    },
  };
}
