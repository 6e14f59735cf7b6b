import { absoluteLocation } from '../transport/location.js';
import { isPkcs11Uri } from '../pkcs11/uri.js';
import { DAY_MS } from '../lib/duration.js';
import type { AuditOptions } from '../audit/run_audit.js';
import type { ClusterFile, ClusterStore } from './cluster_file.js';
import { resolveSecret, type ResolveSecretOptions, type SecretRef } from './secrets.js';

/**
 * The audit of exactly a cluster's keystores: the CA's, the token's home, every gateway instance's,
 * every replication node's keystore and trust store, judged with the cluster's thresholds, each
 * opened with its own password source; the load balancer's names expected on every gateway
 * instance's node certificate, the instances as one token group, and the replication nodes as
 * one trust group whose trust stores are the files the cluster names.
 */
export function clusterAuditOptions(cluster: ClusterFile, options: ResolveSecretOptions = {}): AuditOptions {
  const stores: [string, SecretRef][] = [];
  const add = (store: ClusterStore): void => {
    stores.push([store.keystore, store.password]);
  };
  // a CA key in an HSM is no file to audit
  if (!isPkcs11Uri(cluster.ca.keystore)) add(cluster.ca);
  if (cluster.token) add(cluster.token);
  for (const n of cluster.gateway.instances) add(n);
  const replication = cluster.replication ? [cluster.replication.master, ...cluster.replication.slaves] : [];
  for (const n of replication) add(n);
  for (const n of replication) stores.push([n.truststore, n.truststorePassword]);
  const sources = new Map(stores.map(([path, ref]) => [absoluteLocation(path), ref]));
  const nodeOf = (n: { keystore: string; alias?: string }): string => (n.alias === undefined ? n.keystore : `${n.keystore}#${n.alias}`);
  const lbNames = cluster.loadBalancer?.names ?? [];
  return {
    paths: stores.map(([path]) => path),
    warnMs: cluster.audit.warnDays * DAY_MS,
    critMs: cluster.audit.critDays * DAY_MS,
    expectSanFor: lbNames.length === 0 ? [] : cluster.gateway.instances.map((n) => ({ node: nodeOf(n), names: lbNames })),
    // the token's home keystore votes too: with two instances, it tells which one drifted
    ...(cluster.token ? { tokenGroups: [{ alias: cluster.token.alias, stores: [cluster.token.keystore, ...cluster.gateway.instances.map((n) => n.keystore)] }] } : {}),
    ...(cluster.replication
      ? {
          trustGroups: [
            {
              master: nodeOf(cluster.replication.master),
              slaves: cluster.replication.slaves.map(nodeOf),
              trustStores: Object.fromEntries(replication.map((n) => [nodeOf(n), n.truststore])),
            },
          ],
        }
      : {}),
    passwordFor: async (path) => {
      const ref = sources.get(absoluteLocation(path));
      return ref === undefined ? undefined : resolveSecret(ref, `password of ${path}`, options);
    },
  };
}
