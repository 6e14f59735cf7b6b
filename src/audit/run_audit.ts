import { promises as fsp } from 'node:fs';
import { InvalidArgumentError } from '../errors.js';
import { readCrl } from '../revocation/crl_read.js';
import { parseNodeRef } from '../trust/node_ref.js';
import { certificatesOf, type MalformedCertificate } from './certificates.js';
import { DAY_MS } from '../lib/duration.js';
import { isIgnored, parseIgnoreRule } from './ignore.js';
import { auditRevocation } from './revocation.js';
import { SEVERITY_EXIT_CODES, worstSeverity, type AuditCertificate, type AuditCheck, type AuditSource, type Finding, type Severity, type NodeSanExpectation, type TokenGroup, type TrustGroup } from './model.js';
import type { PasswordLookup } from './passwords.js';
import { AUDIT_CHECKS, CHECK_IDS } from './rules/index.js';
import { DEFAULT_ENDPOINT_TIMEOUT_MS, scanEndpoints } from './scan/scan_endpoints.js';
import { scanFiles } from './scan/scan_files.js';

export const DEFAULT_WARN_MS = 30 * DAY_MS;
export const DEFAULT_CRIT_MS = 7 * DAY_MS;

export interface AuditOptions {
  /** Files and directories (searched recursively). */
  paths?: readonly string[];
  /** TLS endpoints, "host:port". */
  endpoints?: readonly string[];
  /** The time to judge at (default now). */
  at?: Date;
  warnMs?: number;
  critMs?: number;
  /** Names every node certificate must carry (the load balancer's). */
  expectSan?: readonly string[];
  /** Names particular nodes' certificates must carry (`path#alias`), beside expectSan. */
  expectSanFor?: readonly NodeSanExpectation[];
  tokenGroups?: readonly TokenGroup[];
  trustGroups?: readonly TrustGroup[];
  /** "<check>" or "<check>:<sha256>". */
  ignore?: readonly string[];
  /** Glob patterns of files and directories not to audit; hapki's own .bak, temp and lock files never are. */
  exclude?: readonly string[];
  passwordFor?: PasswordLookup;
  /** Files read at once (default 32). */
  concurrency?: number;
  /** Worker threads for PKCS#12 stores (0: none; default one per CPU for 16 files or more). */
  workers?: number;
  endpointTimeoutMs?: number;
  onProgress?: (done: number, total: number) => void;
  /** DER CRLs (--crl): a certificate one of them revokes, signed by its issuer, is CRITICAL (check `revoked`). */
  crls?: readonly Uint8Array[];
  /** Fetch the CRLs of the audited certificates' http:// distribution points (each URL once). */
  crlFetch?: boolean;
  /** Ask each audited certificate's OCSP responder (authorityInfoAccess, http://). */
  ocsp?: boolean;
  /** With crls or crlFetch: a certificate whose status stays undetermined is a WARNING (check `revocation-unknown`). */
  crlRequired?: boolean;
  /** With ocsp: the same. */
  ocspRequired?: boolean;
  /** Per CRL fetch or OCSP query (default 10 s). */
  fetchTimeoutMs?: number;
  /** All revocation fetches and queries together (default 60 s); what is not done by then is an UNKNOWN finding. */
  revocationDeadlineMs?: number;
  /** The checks to run (default all, AUDIT_CHECKS). */
  checks?: readonly AuditCheck[];
}

/** A certificate as the audit reports it: where, what, and the worst finding about it. */
export interface AuditedCertificate extends AuditCertificate {
  status: Severity;
  /** Ids of the checks that found something about this certificate. */
  checks: string[];
}

export interface AuditReport {
  at: Date;
  warnMs: number;
  critMs: number;
  status: Severity;
  /** The monitoring-plugin exit code of `status`: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. */
  exitCode: number;
  /** Sorted by days left, then by location. */
  certificates: AuditedCertificate[];
  /** Findings not silenced by an ignore rule, worst first. */
  findings: Finding[];
  /** How many findings ignore rules silenced. */
  ignored: number;
  sources: AuditSource[];
}

/**
 * Audits keystores, certificate files and TLS endpoints: scans them, runs every check, and sums
 * up. Never throws for what it finds, only for bad options: a store that cannot be opened is an
 * UNKNOWN finding and the audit goes on.
 */
export async function runAudit(options: AuditOptions): Promise<AuditReport> {
  const at = options.at ?? new Date();
  if (Number.isNaN(at.getTime())) throw new InvalidArgumentError('the audit time is not a valid date');
  const warnMs = options.warnMs ?? DEFAULT_WARN_MS;
  // a --warn shorter than the default --crit brings the critical threshold down with it
  const critMs = options.critMs ?? Math.min(DEFAULT_CRIT_MS, warnMs);
  if (critMs > warnMs) throw new InvalidArgumentError('the critical threshold is longer than the warning threshold: --crit must not exceed --warn');
  const checks = options.checks ?? AUDIT_CHECKS;
  // parsed before any scan: a bad CRL is a bad option (ERR_CRL_FORMAT), not a finding
  const crls = (options.crls ?? []).map(readCrl);
  const checkRevocation = crls.length > 0 || options.crlFetch === true || options.ocsp === true;
  if (options.crlRequired && crls.length === 0 && !options.crlFetch) throw new InvalidArgumentError('--crl-required needs a CRL: --crl or --crl-fetch');
  if (options.ocspRequired && !options.ocsp) throw new InvalidArgumentError('--ocsp-required needs --ocsp');
  const ignore = (options.ignore ?? []).map((spec) => parseIgnoreRule(spec, CHECK_IDS));
  const tokenGroups = options.tokenGroups ?? [];
  const trustGroups = options.trustGroups ?? [];
  const expectSanFor = options.expectSanFor ?? [];
  const groupPaths = [
    ...tokenGroups.flatMap((g) => g.stores),
    ...trustGroups.flatMap((g) => [g.master, ...g.slaves].map((spec) => parseNodeRef(spec).path)),
    ...trustGroups.flatMap((g) => Object.values(g.trustStores ?? {})),
    ...expectSanFor.map((e) => parseNodeRef(e.node).path),
  ];

  const [files, endpoints] = await Promise.all([
    scanFiles([...(options.paths ?? []), ...groupPaths], {
      ...(options.passwordFor ? { passwordFor: options.passwordFor } : {}),
      ...(options.exclude ? { exclude: options.exclude } : {}),
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
      ...(options.workers === undefined ? {} : { workers: options.workers }),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    }),
    scanEndpoints(options.endpoints ?? [], options.endpointTimeoutMs ?? DEFAULT_ENDPOINT_TIMEOUT_MS),
  ]);
  const sources = [...files, ...endpoints];
  const { certificates, malformed } = certificatesOf(sources, at);
  const input = {
    at,
    warnMs,
    critMs,
    expectSan: options.expectSan ?? [],
    expectSanFor: await Promise.all(expectSanFor.map(async (e) => ({ node: await scannedNodeName(e.node, files), names: e.names }))),
    certificates,
    sources,
    // a group names its stores as the user typed them; the scan may have reached the file by another path
    tokenGroups: await Promise.all(tokenGroups.map(async (g) => ({ alias: g.alias, stores: await Promise.all(g.stores.map((p) => scannedName(p, files))) }))),
    trustGroups: await Promise.all(trustGroups.map((g) => scannedTrustGroup(g, files))),
    crls,
    ...(checkRevocation
      ? {
          revocation: {
            ...(await auditRevocation(
              certificates.map((c) => c.der),
              {
                at,
                crls,
                ...(options.crlFetch ? { crlFetch: true } : {}),
                ...(options.ocsp ? { ocsp: true } : {}),
                ...(options.fetchTimeoutMs === undefined ? {} : { fetchTimeoutMs: options.fetchTimeoutMs }),
                ...(options.revocationDeadlineMs === undefined ? {} : { deadlineMs: options.revocationDeadlineMs }),
              },
            )),
            required: (options.crlRequired ?? false) || (options.ocspRequired ?? false),
          },
        }
      : {}),
  };

  const all: Finding[] = malformed.map(malformedFinding);
  for (const check of checks) {
    for (const hit of await check.run(input)) all.push({ check: check.id, severity: check.severity, ...hit });
  }
  const findings = all.filter((f) => !isIgnored(f, ignore)).sort(byWorst);
  const status = worstSeverity(findings.map((f) => f.severity));
  return {
    at,
    warnMs,
    critMs,
    status,
    exitCode: SEVERITY_EXIT_CODES[status],
    certificates: withStatus(certificates, findings).sort(byDaysLeft),
    findings,
    ignored: all.length - findings.length,
    sources,
  };
}

async function scannedName(path: string, files: readonly AuditSource[]): Promise<string> {
  if (files.some((f) => f.source === path)) return path;
  const real = await fsp.realpath(path).catch(() => undefined);
  return files.find((f) => real !== undefined && f.realPath === real)?.source ?? path;
}

async function scannedTrustGroup(group: TrustGroup, files: readonly AuditSource[]): Promise<TrustGroup> {
  const named = async (spec: string): Promise<[string, string]> => [spec, await scannedNodeName(spec, files)];
  const nodes = new Map(await Promise.all([group.master, ...group.slaves].map(named)));
  const trustStores: Record<string, string> = {};
  for (const [spec, store] of Object.entries(group.trustStores ?? {})) trustStores[nodes.get(spec) ?? spec] = await scannedName(store, files);
  return { master: nodes.get(group.master)!, slaves: group.slaves.map((s) => nodes.get(s)!), trustStores };
}

async function scannedNodeName(spec: string, files: readonly AuditSource[]): Promise<string> {
  const ref = parseNodeRef(spec);
  const name = await scannedName(ref.path, files);
  return ref.alias === undefined ? name : `${name}#${ref.alias}`;
}

function malformedFinding(m: MalformedCertificate): Finding {
  return { check: 'unreadable', severity: 'UNKNOWN', message: `certificate cannot be parsed: ${m.message}`, location: m.location, source: m.location.source, code: m.code };
}

const locationKey = (l: { source: string; alias?: string; position: number }): string => `${l.source}\0${l.alias ?? ''}\0${l.position}`;

function withStatus(certificates: readonly AuditCertificate[], findings: readonly Finding[]): AuditedCertificate[] {
  const byLocation = new Map<string, Finding[]>();
  for (const f of findings) {
    if (!f.location) continue;
    const key = locationKey(f.location);
    byLocation.set(key, [...(byLocation.get(key) ?? []), f]);
  }
  return certificates.map((c) => {
    const mine = byLocation.get(locationKey(c.location)) ?? [];
    return { ...c, status: worstSeverity(mine.map((f) => f.severity)), checks: mine.filter((f) => f.severity !== 'OK').map((f) => f.check) };
  });
}

const SEVERITY_ORDER: Readonly<Record<Severity, number>> = { CRITICAL: 0, WARNING: 1, UNKNOWN: 2, OK: 3 };

function byWorst(a: Finding, b: Finding): number {
  return SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || (a.location?.source ?? a.source ?? '').localeCompare(b.location?.source ?? b.source ?? '');
}

function byDaysLeft(a: AuditedCertificate, b: AuditedCertificate): number {
  return (
    Date.parse(a.summary.notAfter) - Date.parse(b.summary.notAfter) ||
    a.location.source.localeCompare(b.location.source) ||
    (a.location.alias ?? '').localeCompare(b.location.alias ?? '') ||
    a.location.position - b.location.position
  );
}
