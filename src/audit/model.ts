import type { CertificateSummary } from '../cert/describe.js';
import type { Keystore, KeystoreFormat } from '../keystore/model.js';
import type { Crl } from '../revocation/crl_read.js';
import type { AuditRevocation } from './revocation.js';

/**
 * Monitoring-plugin states. The exit code of each is its index in the plugin convention
 * (OK 0, WARNING 1, CRITICAL 2, UNKNOWN 3); "worst" ranks UNKNOWN below WARNING, because a store
 * hapki could not open says less than a certificate known to be expiring.
 */
export type Severity = 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';

export const SEVERITY_EXIT_CODES: Readonly<Record<Severity, number>> = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 };

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { OK: 0, UNKNOWN: 1, WARNING: 2, CRITICAL: 3 };

export function worstSeverity(severities: Iterable<Severity>): Severity {
  let worst: Severity = 'OK';
  for (const s of severities) if (SEVERITY_RANK[s] > SEVERITY_RANK[worst]) worst = s;
  return worst;
}

export type CheckId =
  | 'expired'
  | 'expires-critical'
  | 'expires-warning'
  | 'not-yet-valid'
  | 'weak-key'
  | 'weak-signature'
  | 'missing-san'
  | 'chain-invalid'
  | 'revoked'
  | 'revocation-unknown'
  | 'revocation-failed'
  | 'token-drift'
  | 'trust-gap'
  | 'unreadable'
  | 'nothing-found'
  | 'integrity-unchecked';

/** Where a certificate was found: a keystore entry (file, alias, position in its chain) or a TLS endpoint. */
export interface CertificateLocation {
  kind: 'file' | 'endpoint';
  /** The file path as scanned, or "host:port". */
  source: string;
  /** File sources only. */
  format?: KeystoreFormat;
  alias?: string;
  entryType?: 'private-key' | 'trusted-cert';
  /** 0 for the leaf (or the trusted certificate itself), 1 for its issuer, and so on. */
  position: number;
}

export interface AuditCertificate {
  location: CertificateLocation;
  summary: CertificateSummary;
  /** Whole days from the audit time to notAfter, rounded down: negative once expired. */
  daysLeft: number;
  der: Uint8Array;
}

/** A file or endpoint the audit looked at, opened or not. */
export interface AuditSource {
  kind: 'file' | 'endpoint';
  source: string;
  /** Files: the path with every symbolic link resolved, which names the file however it was reached. */
  realPath?: string;
  /** The keystore as read, with every private and secret key removed; absent when it could not be opened. */
  store?: Keystore;
  /** The presented chain of an endpoint, leaf first. */
  chain?: Uint8Array[];
  /** Why it could not be opened: a HapkiError code and its message. */
  error?: { code: string; message: string };
}

/** What a check reports; the audit adds the check's id and severity. */
export interface CheckHit {
  message: string;
  location?: CertificateLocation;
  /** The certificate the finding is about, for `--ignore <check>:<sha256>`. */
  sha256?: string;
  /** The source (file or endpoint) the finding is about, when it is not one certificate. */
  source?: string;
  /** A HapkiError code that explains it (unreadable, chain-invalid, trust-gap). */
  code?: string;
}

export interface Finding extends CheckHit {
  check: CheckId;
  severity: Severity;
}

/** A group of stores that must hold the same token entry. */
export interface TokenGroup {
  alias: string;
  stores: string[];
}

/**
 * A master and its slaves; `path#alias` picks the key entry. A node's store is also its trust
 * store unless `trustStores` names a separate one for it (keyed by the node as written).
 */
export interface TrustGroup {
  master: string;
  slaves: string[];
  trustStores?: Readonly<Record<string, string>>;
}

/** Names one node's certificate must carry: its key entry's leaf in `node` (`path#alias`). */
export interface NodeSanExpectation {
  node: string;
  names: readonly string[];
}

/** Everything a check may look at. */
export interface AuditInput {
  at: Date;
  warnMs: number;
  critMs: number;
  expectSan: readonly string[];
  /** Names for particular nodes only (a cluster's gateway instances), beside the global ones. */
  expectSanFor: readonly NodeSanExpectation[];
  certificates: readonly AuditCertificate[];
  sources: readonly AuditSource[];
  tokenGroups: readonly TokenGroup[];
  trustGroups: readonly TrustGroup[];
  /** CRLs given to the audit (--crl), parsed. */
  crls: readonly Crl[];
  /** Each certificate's revocation status, when revocation checking was asked for (--crl, --crl-fetch, --ocsp). */
  revocation?: AuditRevocation & {
    /** --crl-required or --ocsp-required: an undetermined status is a finding. */
    required: boolean;
  };
}

/** A check is data: a stable id, the severity of what it finds, and a function over the audit's input. */
export interface AuditCheck {
  readonly id: CheckId;
  readonly severity: Severity;
  readonly description: string;
  run(input: AuditInput): CheckHit[] | Promise<CheckHit[]>;
}
