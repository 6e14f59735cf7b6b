import { ClusterFileError, HapkiError } from '../errors.js';
import type { PrivateKeyEntry } from '../keystore/model.js';
import type { LiveNode } from '../trust/live_check.js';
import { trustAnchorsOf } from '../trust/trust_check.js';
import type { ClusterFile, ClusterReplicationNode } from './cluster_file.js';
import { openClusterStore, openStoreOf } from './cluster_store.js';
import { hostOfLocation, mapByHost } from '../transport/fan_out.js';
import type { ResolveSecretOptions } from './secrets.js';

/** The cluster's replication nodes as the live check needs them: key, chain, trust anchors, endpoint. */
export async function liveNodesOf(cluster: ClusterFile, options: ResolveSecretOptions = {}): Promise<{ master: LiveNode; slaves: LiveNode[] }> {
  const replication = cluster.replication;
  if (!replication) throw new ClusterFileError(cluster.path, [`${cluster.path}: a live trust check needs a replication: section`]);
  const toLive = async (n: ClusterReplicationNode): Promise<LiveNode> => {
    if (!n.endpoint) throw new ClusterFileError(cluster.path, [`${cluster.path}: replication node ${n.name} has no endpoint: to connect to`]);
    const opened = await openStoreOf(n.name, n, cluster.dir, options);
    const keys = (opened.store?.entries ?? []).filter((e): e is PrivateKeyEntry => e.type === 'private-key');
    const entry = n.alias === undefined ? (keys.length === 1 ? keys[0] : undefined) : keys.find((e) => e.alias === n.alias);
    if (!entry?.key || entry.chain.length === 0) throw new HapkiError('ERR_ALIAS_NOT_FOUND', `${n.name}: no usable key entry${n.alias ? ` "${n.alias}"` : ''} in ${n.keystore}`);
    const trust = await openClusterStore(n.name, n.truststore, n.truststorePassword, undefined, cluster.dir, options);
    const servername = n.hostnames.find((h) => !h.includes(':'));
    // the node's trust store judges the server it connects to (the server judges it): anchors for TLS server use, as probe takes them
    return { name: n.name, key: entry.key, chain: entry.chain, trusted: trust.store ? trustAnchorsOf(trust.store, 'server') : [], endpoint: n.endpoint, ...(servername ? { servername } : {}) };
  };
  // every node's stores read on all hosts at once (--parallel), the nodes of one host in turn
  const [master, ...slaves] = await mapByHost([replication.master, ...replication.slaves], (n) => hostOfLocation(n.keystore), toLive);
  return { master: master!, slaves };
}
