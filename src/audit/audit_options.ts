import { InvalidArgumentError } from '../errors.js';
import type { AuditConfig } from './config.js';
import { parseThreshold } from './duration.js';
import { parseDuration } from '../trust/duration.js';
import { parseTokenGroup, parseTrustGroup } from './groups.js';
import { passwordLookup, type PasswordSourceResolver } from './passwords.js';
import type { AuditOptions } from './run_audit.js';

/** An audit as asked for on a command line: texts, not yet parsed. */
export interface AuditRequest {
  paths?: readonly string[];
  endpoints?: readonly string[];
  warn?: string;
  crit?: string;
  expectSan?: readonly string[];
  /** `<alias>=<store>,<store>,...` */
  tokenGroups?: readonly string[];
  /** `master=<store>,slaves=<store>,<store>,...` */
  trustGroups?: readonly string[];
  ignore?: readonly string[];
  exclude?: readonly string[];
  /** Password source for stores no configured rule matches. */
  storepass?: string;
  crlFetch?: boolean;
  ocsp?: boolean;
  crlRequired?: boolean;
  ocspRequired?: boolean;
  /** Durations: per CRL fetch or OCSP query, and for all of them together. */
  fetchTimeout?: string;
  fetchDeadline?: string;
}

/**
 * The audit options of a request and a configuration file: lists are joined (the file's first),
 * single values on the command line win over the file's. Refuses an audit of nothing.
 */
export function auditOptionsFrom(
  request: AuditRequest,
  config: AuditConfig | undefined,
  resolveSource: PasswordSourceResolver,
  /** Set when something else (a --cluster file) already names what to audit. */
  more = false,
): AuditOptions {
  const paths = [...(request.paths ?? []), ...(config?.paths ?? [])];
  const endpoints = [...(request.endpoints ?? []), ...(config?.endpoints ?? [])];
  const tokenGroups = [...(config?.tokenGroups ?? []), ...(request.tokenGroups ?? []).map(parseTokenGroup)];
  const trustGroups = [...(config?.trustGroups ?? []), ...(request.trustGroups ?? []).map(parseTrustGroup)];
  if (!more && paths.length + endpoints.length + tokenGroups.length + trustGroups.length === 0) {
    throw new InvalidArgumentError('nothing to audit: give paths, --endpoint, --token-group, --trust-group, or a --config that names some');
  }
  const warnMs = request.warn === undefined ? config?.warnMs : parseThreshold(request.warn, '--warn');
  const critMs = request.crit === undefined ? config?.critMs : parseThreshold(request.crit, '--crit');
  const fetchTimeoutMs = request.fetchTimeout === undefined ? config?.fetchTimeoutMs : parseDuration(request.fetchTimeout);
  const revocationDeadlineMs = request.fetchDeadline === undefined ? config?.fetchDeadlineMs : parseDuration(request.fetchDeadline);
  const on = (a: boolean | undefined, b: boolean | undefined): boolean | undefined => (a || b ? true : undefined);
  const revocation = { crlFetch: on(request.crlFetch, config?.crlFetch), ocsp: on(request.ocsp, config?.ocsp), crlRequired: on(request.crlRequired, config?.crlRequired), ocspRequired: on(request.ocspRequired, config?.ocspRequired), fetchTimeoutMs, revocationDeadlineMs };
  return {
    ...(Object.fromEntries(Object.entries(revocation).filter(([, v]) => v !== undefined)) as Partial<AuditOptions>),
    paths,
    endpoints,
    ...(warnMs === undefined ? {} : { warnMs }),
    ...(critMs === undefined ? {} : { critMs }),
    expectSan: [...(config?.expectSan ?? []), ...(request.expectSan ?? [])],
    tokenGroups,
    trustGroups,
    ignore: [...(config?.ignore ?? []), ...(request.ignore ?? [])],
    exclude: [...(config?.exclude ?? []), ...(request.exclude ?? [])],
    passwordFor: passwordLookup(config?.passwords ?? [], request.storepass ?? config?.storepass, resolveSource),
  };
}

/**
 * One audit made of two: a cluster's own (`--cluster`) and what the command line and --config
 * add to it. Lists are joined; the extra's thresholds win; a store's password comes from the
 * first that knows one.
 */
export function combineAuditOptions(base: AuditOptions, extra: AuditOptions): AuditOptions {
  const joined = <T>(a: readonly T[] | undefined, b: readonly T[] | undefined): T[] => [...(a ?? []), ...(b ?? [])];
  const combined: AuditOptions = {
    ...base,
    ...extra,
    paths: joined(base.paths, extra.paths),
    endpoints: joined(base.endpoints, extra.endpoints),
    expectSan: joined(base.expectSan, extra.expectSan),
    expectSanFor: joined(base.expectSanFor, extra.expectSanFor),
    tokenGroups: joined(base.tokenGroups, extra.tokenGroups),
    trustGroups: joined(base.trustGroups, extra.trustGroups),
    ignore: joined(base.ignore, extra.ignore),
    exclude: joined(base.exclude, extra.exclude),
  };
  const warnMs = extra.warnMs ?? base.warnMs;
  const critMs = extra.critMs ?? base.critMs;
  if (warnMs !== undefined) combined.warnMs = warnMs;
  if (critMs !== undefined) combined.critMs = critMs;
  const first = base.passwordFor;
  const second = extra.passwordFor;
  if (first && second) combined.passwordFor = async (path) => (await first(path)) ?? second(path);
  return combined;
}
