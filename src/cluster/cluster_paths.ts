import type { ClusterFile } from './cluster_file.js';

/** Every keystore and trust store a cluster file names (absolute), the cluster file's own directory first. */
export function clusterPaths(cluster: ClusterFile): string[] {
  const nodes = [...cluster.gateway.instances, ...(cluster.replication ? [cluster.replication.master, ...cluster.replication.slaves] : [])];
  const stores = [cluster.ca.keystore, ...nodes.map((n) => n.keystore), ...(cluster.replication ? [cluster.replication.master, ...cluster.replication.slaves].map((n) => n.truststore) : []), ...(cluster.token ? [cluster.token.keystore] : [])];
  return [...new Set(stores)];
}
