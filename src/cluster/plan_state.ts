import type { IssuanceRules } from '../issue/issuance_checks.js';
import type { WebCrypto } from '../crypto/provider.js';
import { displayLocation } from '../transport/location.js';
import type { Issuer } from '../issue/issuer.js';
import type { Keystore } from '../keystore/model.js';
import type { TokenPlan } from '../token/distribute_token.js';
import type { ClusterFile } from './cluster_file.js';
import type { ClusterStep } from './cluster_plan.js';
import type { ResolveSecretOptions } from './secrets.js';

export interface PlanClusterOptions extends ResolveSecretOptions {
  /** Judge validity and the renewal window at this time (default now). */
  now?: Date;
  /**
   * Remove a peer's superseded certificate (its certificate before it was re-issued) from the
   * trust stores. Off by default: a peer not yet restarted still presents its old certificate,
   * and replication would stop until it is; prune once every node runs its new certificate.
   */
  prune?: boolean;
}

/** A keystore the plan has read, as it will be after the plan. */
export interface Working {
  store: Keystore;
  password: string;
  exists: boolean;
  /** SHA-256 of the file as read, when it exists. */
  sha256?: string;
  changed: boolean;
  /** The encoded new file, where the token library made it. */
  bytes?: Uint8Array;
}

/** What planning carries from one part to the next; internal to src/cluster. */
export interface PlanState {
  cluster: ClusterFile;
  options: PlanClusterOptions;
  now: Date;
  /** An injected WebCrypto provider; node:crypto without one. */
  crypto?: WebCrypto;
  files: Map<string, Working>;
  steps: ClusterStep[];
  warnings: string[];
  token?: TokenPlan;
  /** The CA's rules (policy, CRL/AIA URLs) for the certificates planned. */
  caRules?: IssuanceRules;
  /** Serials the CA's issuance record marks revoked: their certificates are re-issued. */
  revoked?: ReadonlySet<string>;
  /** Certificates signed in this plan, to be appended to the CA's record once written. */
  issued: { certificate: Uint8Array; profile: string }[];
}

export interface CaFacts {
  issuer: Issuer;
  /** The CA's own certificate. */
  certificate: Uint8Array;
  root: Uint8Array;
  rootSha256: string;
  /** Ends the HSM session of a CA key in an HSM. */
  close?: () => void;
}

export function relativeFile(state: PlanState, file: string): string {
  return displayLocation(state.cluster.dir, file);
}

/** Records a step and the keystore as it leaves it. */
export function addStep(state: PlanState, s: ClusterStep, store: Keystore): void {
  state.steps.push(s);
  const working = state.files.get(s.file)!;
  working.store = store;
  working.changed = true;
}
