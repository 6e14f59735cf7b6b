import type { NamePolicy } from '../issue/name_policy.js';
import type { KeySpec } from '../crypto/key_spec.js';
import type { ProbeTarget } from '../trust/probe_target.js';
import type { MeshMode } from '../trust/mesh.js';
import type { SecretRef } from './secrets.js';

/**
 * A cluster file once loaded and checked: every path absolute (resolved against the cluster
 * file's directory), every default filled in, passwords still as their sources.
 */
export interface ClusterFile {
  /** The cluster file as given, for messages. */
  path: string;
  /** Its directory, absolute: where relative paths in it start. */
  dir: string;
  ca: ClusterCa;
  loadBalancer: { names: string[] };
  gateway: { name: string; instances: ClusterNode[] };
  replication?: ClusterReplication;
  token?: ClusterToken;
  renewal: { windowDays: number; days: number };
  audit: { warnDays: number; critDays: number };
  /** How remote nodes are reached (the cluster file's `ssh:` section); command-line flags win. */
  ssh?: ClusterSsh;
  /** Things to tell the user: pass: sources (the secret is in the file). */
  warnings: string[];
  /** Where the file holds a password itself (pass:), e.g. `ca.password`. */
  literalPasswords?: string[];
}

/** A keystore the cluster file names, with what opens it. */
export interface ClusterStore {
  keystore: string;
  password: SecretRef;
  /** A key password where it differs from the store password (JKS, JCEKS). */
  keyPassword?: SecretRef;
}

export interface ClusterCa extends ClusterStore {
  alias: string;
  /** For a CA key in an HSM (keystore is a pkcs11: URI, password its PIN): the module, else $HAPKI_PKCS11_MODULE or SoftHSM's. */
  pkcs11Module?: string;
  /** For a CA key in an HSM: its certificate chain file, where the token holds none. */
  certificate?: string;
  /** The names the CA may certify, beside the load balancer's and the nodes' own (allowed by construction). */
  policy?: NamePolicy;
  /** Make the CA when its keystore is absent. */
  create?: { subject: string; key: KeySpec; days: number };
}

/** A gateway instance or a replication node: a keystore holding the node's key entry. */
export interface ClusterNode extends ClusterStore {
  /** Unique across the whole cluster file. */
  name: string;
  /** The node's key entry; absent: the only private-key entry there is. */
  alias?: string;
  /** DNS names (or ip:, email:, uri: names) the node's certificate must carry besides any others. */
  hostnames: string[];
  /** `ssh://user@host:port` when the node's files are on another host (its `host:`, or its keystore's location). */
  host?: string;
  /** The TLS service presenting the node's certificate, checked after a restart. */
  endpoint?: ProbeTarget;
  /** Run on the node's host (over SSH; locally for a local node) after its keystores changed. */
  restart?: string;
  /** Run locally before the restart and after a passed check (drain from / return to the load balancer). */
  before?: string;
  after?: string;
  /** Default 60 s for the endpoint to present the new certificate, 120 s for the restart command. */
  health?: { restartTimeoutMs?: number; timeoutMs?: number };
}

export interface ClusterSsh {
  /** An ssh_config file (absolute), or false for none (`config: none`). */
  config?: string | false;
  user?: string;
  identity?: string;
  identityPassword?: SecretRef;
  /** Absolute. */
  knownHosts?: string;
  sudo?: boolean;
  acceptNewHostKeys?: boolean;
}

export interface ClusterReplicationNode extends ClusterNode {
  truststore: string;
  /** Default: the node's keystore password. */
  truststorePassword: SecretRef;
}

export interface ClusterReplication {
  mode: MeshMode;
  master: ClusterReplicationNode;
  slaves: ClusterReplicationNode[];
}

export interface ClusterToken extends ClusterStore {
  alias: string;
  subject: string;
  days: number;
  key: KeySpec;
}
