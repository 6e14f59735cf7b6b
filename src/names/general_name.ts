import { ipVersion } from './ip_version.js';
import { dnsNameProblem, type DnsNameOptions } from './dns_name.js';

/** The canonical text of an IP address (dotted quad, RFC 5952 IPv6), or undefined when it is not one. */
export function canonicalIp(text: string): string | undefined {
  const version = ipVersion(text);
  if (version === 4) return text;
  if (version !== 6 || text.includes('%')) return undefined;
  // the WHATWG URL parser writes IPv6 in the RFC 5952 form (lower case, longest zero run compressed)
  return new URL(`http://[${text}]/`).hostname.slice(1, -1);
}

const ATEXT = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/i;

/** Why an e-mail address (RFC 5321 mailbox, dot-atom local part) may not go into a certificate. */
export function emailProblem(address: string): string | undefined {
  const at = address.lastIndexOf('@');
  if (at <= 0) return 'is not an e-mail address (local@domain)';
  const local = address.slice(0, at);
  if (local.length > 64 || !ATEXT.test(local)) return 'has a local part that is not a plain dot-atom';
  const domain = dnsNameProblem(address.slice(at + 1));
  return domain === undefined ? undefined : `has a domain that ${domain}`;
}

/** RFC 3986 2: unreserved, reserved and percent-encoded characters, nothing else. */
const URI_CHARACTERS = /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/;
/** RFC 3986 appendix B, for the authority of a hierarchical URI. */
const AUTHORITY = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i;

/**
 * Why a URI may not go into a certificate: it must be absolute, of RFC 3986 characters only, with
 * a host when hierarchical, no user information, and the same host however it is parsed. A
 * backslash, a "user@" or a percent-encoded host name make the WHATWG parser (and so the name
 * policy) and an RFC 3986 parser see different hosts: "https://a.example.com\\@evil.com/".
 */
export function uriProblem(uri: string): string | undefined {
  if (/[^\x21-\x7e]/.test(uri)) return 'contains spaces, control or non-ASCII characters';
  if (!URI_CHARACTERS.test(uri)) return 'has characters RFC 3986 does not allow in a URI (a backslash, quotes, braces, a bad %-escape)';
  if (!/^[a-z][a-z0-9+.-]*:/i.test(uri) || !URL.canParse(uri)) return 'is not an absolute URI';
  const authority = AUTHORITY.exec(uri)?.[1];
  if (authority !== undefined) {
    if (authority.includes('@')) return 'has user information (user@host) in its authority';
    const host = new URL(uri).hostname;
    if (host === '') return 'has no host';
    const rawHost = authority.startsWith('[') ? authority.slice(0, authority.indexOf(']') + 1) : authority.replace(/:[0-9]*$/, '');
    if (rawHost.toLowerCase() !== host.toLowerCase() && !(rawHost.startsWith('[') && canonicalIp(rawHost.slice(1, -1)) !== undefined)) return 'has a host that is not written plainly (percent-encoded or not canonical)';
    const ip = host.startsWith('[') ? canonicalIp(host.slice(1, -1)) : ipVersion(host) ? host : undefined;
    if (ip === undefined && dnsNameProblem(host) !== undefined) return `has a host that ${dnsNameProblem(host)}`;
    // an address host is held to the rules of an iPAddress name (not IPv4-mapped, a host's)
    const ipProblem = ip === undefined ? undefined : nameProblem('ip', ip);
    if (ipProblem) return `has a host that ${ipProblem}`;
  }
  return undefined;
}

export type NameKind = 'dns' | 'ip' | 'email' | 'uri';

/**
 * The one check every subject alternative name goes through, wherever it comes from (--san, a
 * request's extension or its CN, the cluster file): the reason it is refused, or undefined. IP
 * addresses must already be canonical text (canonicalIp).
 */
export function nameProblem(kind: NameKind, value: string, options: DnsNameOptions = {}): string | undefined {
  switch (kind) {
    case 'dns':
      return dnsNameProblem(value, options);
    case 'ip': {
      const ip = canonicalIp(value);
      if (ip === undefined) return 'is not an IPv4 or IPv6 address';
      // ::ffff:10.0.0.1 is 10.0.0.1 to a dual-stack socket, but no IPv4 iPAddress SAN or constraint
      // matches it: one host under two spellings, of which policies and validators see one
      if (/^::ffff:[0-9a-f]{1,4}:[0-9a-f]{1,4}$/.test(ip)) return 'is an IPv4-mapped IPv6 address: write the IPv4 address itself';
      // "any address" and the broadcast address name no host: a listener bound to 0.0.0.0 is
      // reached at its real addresses, and those go into its certificate
      if (ip === '0.0.0.0' || ip === '::' || ip === '255.255.255.255') return 'is the unspecified or the broadcast address, not a host\'s';
      return undefined;
    }
    case 'email':
      return emailProblem(value);
    case 'uri':
      return uriProblem(value);
  }
}
