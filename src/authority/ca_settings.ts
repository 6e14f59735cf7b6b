import { InvalidArgumentError } from '../errors.js';
import { mergeNamePolicies, parseNamePolicy, type NamePolicy } from '../issue/name_policy.js';
import { uriProblem } from '../names/general_name.js';
import { escapeText } from '../text/escape.js';
import { caFiles, keepsCaFiles, readOptionalText, requireCaFile, updateCaFile } from './ca_files.js';

/** What a CA is configured with once and applies to everything it issues from then on. */
export interface CaSettings {
  policy: NamePolicy;
  /** Written as the CRL distribution point of every certificate issued. */
  crlUrl?: string;
  /** Written as the AIA caIssuers URL (where the CA certificate can be fetched). */
  caIssuersUrl?: string;
  /** A server certificate's CN must be one of its SANs (CA/B BR 7.1.4.3); else a descriptive CN is signed with a warning. */
  strictCommonName?: boolean;
}

export async function readCaSettings(keystorePath: string): Promise<CaSettings> {
  const path = caFiles(keystorePath).settings;
  const text = await readOptionalText(path);
  if (text === undefined) return { policy: { domains: [], ipRanges: [] } };
  let json: { policy?: { domains?: unknown; ipRanges?: unknown }; crlUrl?: unknown; caIssuersUrl?: unknown; strictCommonName?: unknown };
  try {
    json = JSON.parse(text);
    if (typeof json !== 'object' || json === null) throw new Error('not an object');
  } catch {
    throw new InvalidArgumentError(`${escapeText(path)}: not a JSON object of CA settings`);
  }
  const strings = (v: unknown, what: string): string[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw new InvalidArgumentError(`${escapeText(path)}: ${what} must be a list of strings`);
    return v as string[];
  };
  const url = (v: unknown, what: string): string | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || uriProblem(v)) throw new InvalidArgumentError(`${escapeText(path)}: ${what} must be an absolute URL`);
    return v;
  };
  const settings: CaSettings = { policy: parseNamePolicy({ domains: strings(json.policy?.domains, 'policy.domains'), ipRanges: strings(json.policy?.ipRanges, 'policy.ipRanges') }) };
  const crlUrl = url(json.crlUrl, 'crlUrl');
  const caIssuersUrl = url(json.caIssuersUrl, 'caIssuersUrl');
  if (crlUrl) settings.crlUrl = crlUrl;
  if (caIssuersUrl) settings.caIssuersUrl = caIssuersUrl;
  if (json.strictCommonName !== undefined && typeof json.strictCommonName !== 'boolean') throw new InvalidArgumentError(`${escapeText(path)}: strictCommonName must be true or false`);
  if (json.strictCommonName === true) settings.strictCommonName = true;
  return settings;
}

export interface CaSettingsChange {
  allowDomains?: readonly string[];
  allowIps?: readonly string[];
  crlUrl?: string;
  caIssuersUrl?: string;
  /** Set (true) or clear (false) the BR 7.1.4.3 rule; undefined leaves it as it is. */
  strictCommonName?: boolean;
}

/** A CRL or CA-issuers URL a certificate may carry: absolute http(s) or ldap. */
export function checkSettingUrl(what: string, v: string): void {
  if (uriProblem(v) || !/^(https?|ldap):\/\//i.test(v)) throw new InvalidArgumentError(`${what} "${escapeText(v)}" must be an absolute http(s) or ldap URL`);
}

/** Adds to the policy and sets the URLs; returns the settings now in force. */
export async function changeCaSettings(keystorePath: string, change: CaSettingsChange): Promise<CaSettings> {
  for (const [what, v] of [['--crl-url', change.crlUrl], ['--aia-url', change.caIssuersUrl]] as const) if (v !== undefined) checkSettingUrl(what, v);
  if (keepsCaFiles(keystorePath)) await requireCaFile(keystorePath);
  const current = await readCaSettings(keystorePath);
  const next: CaSettings = { ...current, policy: mergeNamePolicies(current.policy, parseNamePolicy({ domains: change.allowDomains ?? [], ipRanges: change.allowIps ?? [] }, { strict: true })) };
  if (change.crlUrl !== undefined) next.crlUrl = change.crlUrl;
  if (change.caIssuersUrl !== undefined) next.caIssuersUrl = change.caIssuersUrl;
  if (change.strictCommonName === true) next.strictCommonName = true;
  if (change.strictCommonName === false) delete next.strictCommonName;
  await updateCaFile(caFiles(keystorePath).settings, () => `${JSON.stringify(next, null, 2)}\n`);
  return next;
}
