import { BlockList } from 'node:net';
import { ipVersion } from '../names/ip_version.js';
import { TagClass } from '../asn1/der_reader.js';
import { implicitPrimitive, sequence, tlv } from '../asn1/der_writer.js';
import { concatBytes } from '../lib/bytes.js';
import { InvalidArgumentError } from '../errors.js';
import { dnsNameProblem } from '../names/dns_name.js';
import { canonicalIp } from '../names/general_name.js';
import { escapeText } from '../text/escape.js';
import { isPublicSuffix } from '../names/public_suffix.js';
import { formatSan, type SubjectAltName } from './san.js';
import { ipBytes } from './san_extension.js';

/** The names a CA may certify: DNS suffixes (a domain and everything under it) and IP ranges (CIDR). */
export interface NamePolicy {
  domains: readonly string[];
  ipRanges: readonly string[];
}

export const EMPTY_NAME_POLICY: NamePolicy = { domains: [], ipRanges: [] };

/**
 * A policy from the operator's words: checked domain names and CIDR ranges, canonical (a range
 * is written with its host bits cleared, as the name constraints it becomes must be). `strict`,
 * for what an operator adds now (ca set, sign --allow-domain, a cluster file), also refuses what
 * cannot be meant: a public suffix as a domain ("com", "co.uk": every registrant's names), a
 * range with bits set beyond its prefix (10.0.0.1/8: the network or the one address?), an
 * IPv4-mapped range (no certificate hapki signs holds such an address), and a range wider than
 * any one network holds (0.0.0.0/0 and ::/0 allow every address, 0.0.0.0/1 half of them: see
 * rangeBreadthProblem).
 */
export function parseNamePolicy(input: { domains?: readonly string[]; ipRanges?: readonly string[] }, options: { strict?: boolean } = {}): NamePolicy {
  const domains = (input.domains ?? []).map((d) => {
    const bare = d.replace(/^\*?\./, '').replace(/\.$/, '').toLowerCase();
    const problem = dnsNameProblem(bare) ?? (options.strict && isPublicSuffix(bare) ? 'is a public suffix (Public Suffix List): the names of every registrant under it would be allowed; name the domains this CA certifies' : undefined);
    if (problem) throw new InvalidArgumentError(`allowed domain "${escapeText(d)}" ${problem}`);
    return bare;
  });
  const ipRanges = (input.ipRanges ?? []).map((r) => {
    const parsed = parseCidr(r);
    if (!parsed) throw new InvalidArgumentError(`allowed IP range "${escapeText(r)}" is not an address or CIDR range (10.0.0.0/8, fd00::/8)`);
    const network = networkOf(parsed.address, parsed.prefix);
    if (options.strict && network !== parsed.address) {
      throw new InvalidArgumentError(`allowed IP range "${escapeText(r)}" has address bits set beyond its /${parsed.prefix} prefix: write ${network}/${parsed.prefix} for the range, or the address alone`);
    }
    if (options.strict && ipVersion(network) === 6 && /^::ffff:[0-9a-f]{1,4}:[0-9a-f]{1,4}$|^::ffff:\d+\.\d+\.\d+\.\d+$/.test(network) && parsed.prefix >= 96) {
      throw new InvalidArgumentError(`allowed IP range "${escapeText(r)}" is IPv4-mapped IPv6, which no certificate hapki signs holds: write the IPv4 range`);
    }
    const breadth = options.strict ? rangeBreadthProblem(network, parsed.prefix) : undefined;
    if (breadth) throw new InvalidArgumentError(`allowed IP range "${escapeText(r)}" ${breadth}; name the ranges this CA certifies`);
    return `${network}/${parsed.prefix}`;
  });
  return { domains: [...new Set(domains)], ipRanges: [...new Set(ipRanges)] };
}

/** The widest range one network holds: IPv4 a /8 (10.0.0.0/8, the largest private block, and the old class A allocations); IPv6 a /12 (what IANA allocates a regional registry). */
const NARROWEST_PREFIX = { 4: 8, 6: 12 } as const;
/** Private IPv6 blocks wider than that, each of which an operator may allow whole: unique local (RFC 4193) and link-local. */
const PRIVATE_IPV6: readonly { network: string; prefix: number }[] = [
  { network: 'fc00::', prefix: 7 },
  { network: 'fe80::', prefix: 10 },
];

/**
 * Why a range (canonical network and prefix) cannot be meant as the names one CA certifies: it is
 * wider than any one network holds, so it allows addresses of networks that are not the CA's, as
 * a public suffix allows domains of every registrant under it. Undefined for a range one network
 * may hold, and for a private IPv6 block taken whole.
 */
function rangeBreadthProblem(network: string, prefix: number): string | undefined {
  const version = ipVersion(network) === 4 ? 4 : 6;
  if (prefix >= NARROWEST_PREFIX[version]) return undefined;
  if (version === 6 && PRIVATE_IPV6.some((block) => prefix >= block.prefix && networkOf(network, block.prefix) === block.network)) return undefined;
  if (prefix === 0) return `is every IPv${version} address: every host's certificate could be signed`;
  const widest = version === 4 ? 'a /8 (the largest private range, 10.0.0.0/8)' : "a /12 (a regional registry's allocation) outside the private fc00::/7";
  return `is wider than ${widest}: it allows other networks' addresses`;
}

/** The address with the bits beyond the prefix cleared, canonical. */
function networkOf(address: string, prefix: number): string {
  const bytes = ipBytes(address);
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    bytes[i]! &= (0xff << (8 - keep)) & 0xff;
  }
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return canonicalIp(groups.join(':')) ?? address;
}

export function mergeNamePolicies(...policies: readonly (NamePolicy | undefined)[]): NamePolicy {
  return parseNamePolicy({ domains: policies.flatMap((p) => p?.domains ?? []), ipRanges: policies.flatMap((p) => p?.ipRanges ?? []) });
}

export function isEmptyPolicy(policy: NamePolicy | undefined): boolean {
  return !policy || (policy.domains.length === 0 && policy.ipRanges.length === 0);
}

/** The names that fall outside the policy (all DNS, e-mail and URI names need a domain; IPs a range). */
export function namesOutsidePolicy(sans: readonly SubjectAltName[], policy: NamePolicy): SubjectAltName[] {
  // one list per family: node's BlockList matches an IPv4-mapped IPv6 address (::ffff:10.0.0.1)
  // against IPv4 ranges, but the 16-byte name is another name, outside the sub-CA's IPv4 constraints
  const ranges = { ipv4: new BlockList(), ipv6: new BlockList() };
  for (const r of policy.ipRanges) {
    const { address, prefix } = parseCidr(r)!;
    const family = ipVersion(address) === 4 ? 'ipv4' : 'ipv6';
    ranges[family].addSubnet(address, prefix, family);
  }
  const inDomain = (host: string): boolean => {
    const h = host.toLowerCase().replace(/\.$/, '').replace(/^\*\./, '');
    return policy.domains.some((d) => h === d || h.endsWith(`.${d}`));
  };
  const inRange = (ip: string): boolean => (ipVersion(ip) === 4 ? ranges.ipv4.check(ip, 'ipv4') : ranges.ipv6.check(ip, 'ipv6'));
  return sans.filter((san) => {
    switch (san.type) {
      case 'dns':
        return !inDomain(san.value);
      case 'ip':
        return !inRange(san.value);
      case 'email':
        return !inDomain(san.value.slice(san.value.lastIndexOf('@') + 1));
      case 'uri': {
        const host = URL.canParse(san.value) ? new URL(san.value).hostname.replace(/^\[|\]$/g, '') : '';
        return host === '' || (ipVersion(host) ? !inRange(host) : !inDomain(host));
      }
    }
  });
}

export function describeOutside(names: readonly SubjectAltName[]): string {
  return names.map((n) => escapeText(formatSan(n))).join(', ');
}

/**
 * NameConstraints (RFC 5280 4.2.1.10) permitting exactly the policy: dNSName subtrees for the
 * domains (and rfc822Name subtrees for mail under them), iPAddress subtrees for the ranges.
 */
export function nameConstraintsValue(policy: NamePolicy): Uint8Array {
  const subtrees: Uint8Array[] = [];
  const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
  for (const d of policy.domains) {
    subtrees.push(sequence(implicitPrimitive(2, ascii(d))));
    subtrees.push(sequence(implicitPrimitive(1, ascii(d))), sequence(implicitPrimitive(1, ascii(`.${d}`))));
  }
  for (const r of policy.ipRanges) {
    const { address, prefix } = parseCidr(r)!;
    const bytes = ipBytes(address);
    const mask = new Uint8Array(bytes.length);
    for (let i = 0; i < prefix; i++) mask[i >> 3]! |= 0x80 >> (i & 7);
    const masked = bytes.map((b, i) => b & mask[i]!);
    subtrees.push(sequence(implicitPrimitive(7, Uint8Array.from([...masked, ...mask]))));
  }
  // permittedSubtrees [0] IMPLICIT GeneralSubtrees
  return sequence(tlv(0, concatBytes(subtrees), { cls: TagClass.context, constructed: true }));
}

function parseCidr(text: string): { address: string; prefix: number } | undefined {
  const [addr, len, ...rest] = text.trim().split('/');
  if (rest.length > 0 || addr === undefined) return undefined;
  const address = canonicalIp(addr);
  if (address === undefined) return undefined;
  const max = ipVersion(address) === 4 ? 32 : 128;
  const prefix = len === undefined ? max : /^\d{1,3}$/.test(len) ? Number(len) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return undefined;
  return { address, prefix };
}


