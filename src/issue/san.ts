import { domainToASCII } from 'node:url';
import { ipVersion } from '../names/ip_version.js';
import { InvalidArgumentError } from '../errors.js';
import { canonicalIp as canonicalIpText, nameProblem } from '../names/general_name.js';
import { escapeText } from '../text/escape.js';

export const SAN_TYPES = ['dns', 'ip', 'email', 'uri'] as const;
export type SanType = (typeof SAN_TYPES)[number];

/** One subject alternative name. */
export interface SubjectAltName {
  type: SanType;
  value: string;
}

/** How hapki prints each type, the same as `hapki list` and openssl: "DNS:", "IP:", "email:", "URI:". */
const LABEL: Readonly<Record<SanType, string>> = { dns: 'DNS', ip: 'IP', email: 'email', uri: 'URI' };

const PREFIXES: Readonly<Record<string, SanType>> = { dns: 'dns', ip: 'ip', email: 'email', uri: 'uri', url: 'uri' };

const LABEL_RE = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/i;

/**
 * A name as the user writes it: bare names are DNS names; `dns:`, `ip:`, `email:` and `uri:`
 * (any case, so `DNS:` and `IP:` as printed also work) say otherwise.
 */
export function parseSan(text: string): SubjectAltName {
  const trimmed = text.trim();
  const m = /^([a-z]+):(.*)$/i.exec(trimmed);
  const prefixed = m ? PREFIXES[m[1]!.toLowerCase()] : undefined;
  // "host:8443" is not a prefix; only the known ones are
  const type: SanType = prefixed ?? 'dns';
  const value = prefixed ? m![2]!.trim() : trimmed;
  return checkSan({ type, value }, text);
}

function checkSan(san: SubjectAltName, original: string): SubjectAltName {
  // the one validator every name goes through; wildcards parse here and are judged at signing
  const value = san.type === 'ip' ? canonicalIpText(san.value) ?? san.value : san.type === 'dns' ? san.value.replace(/\.$/, '') : san.value;
  // one trailing dot is the root's; a second would leave one in the certificate
  const problem = san.type === 'dns' && value.endsWith('.') ? 'has an empty label' : nameProblem(san.type, value, { allowWildcard: true });
  if (problem) {
    const hint = san.type === 'dns' && /IP address|not ASCII|spaces/.test(problem) ? ' (use ip:, email: or uri: for other kinds)' : '';
    throw new InvalidArgumentError(`subject alternative name "${escapeText(original)}" ${problem}${hint}`);
  }
  return { type: san.type, value };
}

/**
 * True for a host name: dot-separated labels of letters, digits, '-' and '_', a leftmost '*'
 * allowed, and not an IP address. A common name counts only with a dot in it ("msas1.example.com",
 * not "Example Root CA" nor "gateway").
 */
export function isDnsName(value: string, options: { requireDot?: boolean } = {}): boolean {
  const name = value.replace(/\.$/, '');
  if (name.length === 0 || name.length > 253 || ipVersion(name) !== 0) return false;
  const labels = name.split('.');
  if ((options.requireDot ?? true) && labels.length < 2) return false;
  if (/^\d+$/.test(labels[labels.length - 1]!)) return false;
  return labels.every((label, i) => (i === 0 && label === '*' && labels.length > 1) || LABEL_RE.test(label));
}

export function formatSan(san: SubjectAltName): string {
  return `${LABEL[san.type]}:${san.value}`;
}

/** The key two names are the same under: DNS names and email domains ignore case, IPs compare as addresses. */
function sameKey(san: SubjectAltName): string {
  switch (san.type) {
    case 'dns':
      return `dns:${san.value.toLowerCase().replace(/\.$/, '')}`;
    case 'ip':
      return `ip:${canonicalIp(san.value)}`;
    case 'email': {
      const at = san.value.lastIndexOf('@');
      return `email:${san.value.slice(0, at)}@${san.value.slice(at + 1).toLowerCase()}`;
    }
    case 'uri':
      return `uri:${san.value}`;
  }
}

function canonicalIp(ip: string): string {
  if (ipVersion(ip) === 4) return ip.split('.').map((o) => String(Number(o))).join('.');
  // the URL parser normalises IPv6 (zero compression, case)
  try {
    return new URL(`http://[${ip}]/`).hostname;
  } catch {
    return ip.toLowerCase();
  }
}

export interface SanSources {
  /** What the certificate request asks for, in its order. */
  requested?: readonly SubjectAltName[];
  /** The subject's common name; used as a DNS name when it looks like one. */
  commonName?: string | undefined;
  /** Names given by the signer (--san). */
  extra?: readonly SubjectAltName[];
  /** Only the signer's names, as `keytool -gencert -ext san=...` does. */
  replace?: boolean;
}

/**
 * The names a certificate gets: the request's, then the common name when it is a DNS name,
 * then the signer's, without repeats (the first spelling wins). With `replace`, the signer's only.
 */
export function mergeSans(sources: SanSources): SubjectAltName[] {
  const fromCn = sources.replace ? undefined : commonNameAsSan(sources.commonName)[0];
  const candidates: SubjectAltName[] = sources.replace
    ? [...(sources.extra ?? [])]
    : [...(sources.requested ?? []), ...(fromCn ? [fromCn] : []), ...(sources.extra ?? [])];
  const seen = new Map<string, number>();
  const merged: SubjectAltName[] = [];
  for (const san of candidates) {
    const key = sameKey(san);
    const at = seen.get(key);
    // the CN's own spelling wins (a name of another case asked first): the CN must be a copy of a SAN (CA/B BR 7.1.4.3)
    if (at !== undefined) {
      if (san === fromCn) merged[at] = san;
      continue;
    }
    seen.set(key, merged.length);
    merged.push(san);
  }
  return merged;
}

/** A CN that is a host name (with a dot) or an IP address, as the name it stands for. */
export function commonNameAsSan(commonName: string | undefined): SubjectAltName[] {
  if (commonName === undefined) return [];
  if (ipVersion(commonName) !== 0) return [{ type: 'ip', value: commonName }];
  return isDnsName(commonName) ? [{ type: 'dns', value: commonName.replace(/\.$/, '') }] : [];
}

const HOST_LIKE = /^[a-z0-9*_-]+(\.[a-z0-9*_-]+)*\.?$/i;

/**
 * The names a subject carries that a client may match or a name policy must judge, whether or
 * not they become subject alternative names: the CN when it is a host name or an IP address
 * (with `singleLabel`, also a one-label name such as "localhost", which a client falling back to
 * the CN would match), and every emailAddress.
 */
export function namesInSubject(commonName: string | undefined, emails: readonly string[], options: { singleLabel: boolean }): SubjectAltName[] {
  const names = commonNameAsSan(commonName);
  if (names.length === 0 && commonName !== undefined && options.singleLabel && HOST_LIKE.test(commonName)) names.push({ type: 'dns', value: commonName.replace(/\.$/, '') });
  if (names.length === 0 && commonName !== undefined) names.push(...nameReadInCommonName(commonName, options));
  return [...names, ...emails.map((value) => ({ type: 'email' as const, value }))];
}

const EMAIL_LIKE = /^[^\s@]+@[^\s@]+$/;
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;
const BRACKETED_IP = /^\[([^\]]+)\](?::\d{1,5})?$/;

/**
 * The name a client or a reader would take a CN for that is not written as a host name: an e-mail
 * address ("admin@evil.com"), a host name with a port or in a URL ("evil.com:443",
 * "https://evil.com/"), an IP address in brackets, or a host name IDNA maps to one (a U-label
 * "bücher.evil.com", full-width or ideographic dots "evil。com", as browsers and URL parsers read
 * them). Such a CN is judged as that name, as the SANs are, so no policy is passed by spelling a
 * foreign host otherwise; a CN that maps to no host name ("Example Gateway", "ACME,Inc.") is
 * descriptive and yields nothing.
 */
function nameReadInCommonName(commonName: string, options: { singleLabel: boolean }): SubjectAltName[] {
  if (/\s/.test(commonName)) return [];
  if (EMAIL_LIKE.test(commonName) && !URL_LIKE.test(commonName)) return [{ type: 'email', value: commonName }];
  let host = commonName;
  if (URL_LIKE.test(commonName)) {
    try {
      host = new URL(commonName).hostname;
    } catch {
      return [];
    }
  } else {
    host = host.replace(/:\d{1,5}$/, '');
  }
  const bracketed = BRACKETED_IP.exec(host) ?? /^\[(.+)\]$/.exec(host);
  if (bracketed) return ipVersion(bracketed[1]!) === 0 ? [] : [{ type: 'ip', value: bracketed[1]! }];
  if (ipVersion(host) !== 0) return [{ type: 'ip', value: host }];
  const mapped = domainToASCII(host.replace(/\.$/, ''));
  if (mapped === '') return [];
  if (ipVersion(mapped) !== 0) return [{ type: 'ip', value: mapped }];
  if (isDnsName(mapped) || (options.singleLabel && HOST_LIKE.test(mapped))) return [{ type: 'dns', value: mapped }];
  return [];
}

/** True when two names are the same name (DNS case and trailing dot, IP spelling, e-mail domain case ignored). */
export function sameSan(a: SubjectAltName, b: SubjectAltName): boolean {
  return a.type === b.type && sameKey(a) === sameKey(b);
}
