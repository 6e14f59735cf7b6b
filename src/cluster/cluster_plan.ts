import type { Keystore } from '../keystore/model.js';
import type { TokenPlan } from '../token/distribute_token.js';

/** What one step of a plan does; `hapki plan --json` prints these names. */
export type ClusterStepKind =
  | 'create-ca'
  | 'issue-certificate'
  | 'install-chain'
  | 'trust-ca'
  | 'create-truststore'
  | 'add-trusted'
  | 'remove-trusted'
  | 'issue-token'
  | 'distribute-token';

export interface ClusterStep {
  kind: ClusterStepKind;
  /** Whom the step is for: "ca", a node's name, "token". */
  node: string;
  /** The keystore the step changes, absolute. */
  file: string;
  /** One line: "issue a certificate for \"server\": CN=msas1.example.com". */
  summary: string;
  /** More lines: the names a certificate gets, why it is re-issued, a fingerprint. */
  details: string[];
}

/** A keystore as the plan leaves it, written once, whole, by apply. Holds private keys: keep it in memory. */
export interface PlannedWrite {
  file: string;
  store: Keystore;
  /** The password to write it with (PEM trust stores: none needed, may be empty). */
  password: string;
  /** True when the file is there now: apply replaces it, keeping `<file>.bak`. */
  exists: boolean;
  /** SHA-256 of the file as the plan read it (when it exists). */
  sha256?: string;
  /** The file's new bytes, where they are already encoded (by the token library). */
  bytes?: Uint8Array;
}

export interface ClusterPlan {
  /** The cluster file, as given. */
  cluster: string;
  /** Its directory: files are shown relative to it. */
  dir: string;
  /** Empty when every keystore is as the cluster file says. */
  steps: ClusterStep[];
  /** In the order apply writes them: the CA, the token's home, instances, replication nodes, trust stores. */
  writes: PlannedWrite[];
  warnings: string[];
  /** Certificates signed for this plan; apply appends them to the CA's issuance record once written. */
  issued?: { certificate: Uint8Array; profile: string }[];
  /**
   * The token's distribution to the gateway instances, prepared by the token library over the
   * instances as this plan leaves them; apply writes the instances through it, all or nothing.
   */
  token?: TokenPlan;
  /** SHA-256 (hex) of the leaf each node's keystore holds once the plan is applied, by node name. */
  nodeLeaves?: Record<string, string>;
  /** Nodes an earlier apply changed whose restart and check did not happen (their marker is there). */
  owedRestarts?: string[];
}
