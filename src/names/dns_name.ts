import { ipVersion } from './ip_version.js';
import { domainToASCII, domainToUnicode } from 'node:url';
import { isPublicSuffix } from './public_suffix.js';

export interface DnsNameOptions {
  /** Accept "*" as the whole leftmost label of a name with at least two more labels that are not a public suffix. */
  allowWildcard?: boolean;
}

const LDH_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/**
 * Why a DNS name may not go into a certificate, or undefined when it may: the preferred name
 * syntax of RFC 1034 3.5 as RFC 5890 refines it (letters, digits and hyphens; labels of 1..63
 * octets not starting or ending with a hyphen; 253 octets in all; A-labels that decode; no other
 * "??--" tagged labels), an optional trailing dot, and a wildcard only as the whole leftmost label
 * ("*.example.com", never "*", "*.com", "a*.example.com" or "a.*.example.com"), and not over a
 * public suffix of the Public Suffix List ("*.co.uk", "*.github.io": BR 3.2.2.6).
 */
export function dnsNameProblem(name: string, options: DnsNameOptions = {}): string | undefined {
  if (name.length === 0) return 'is empty';
  // eslint-disable-next-line no-control-regex
  if (/[^\x21-\x7e]/.test(name)) return /[^\x00-\x7f]/.test(name) ? 'is not ASCII (write an internationalized name as its A-label, xn--...)' : 'contains spaces or control characters';
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  if (bare.length > 253) return 'is longer than 253 characters';
  if (ipVersion(bare) !== 0) return 'is an IP address, not a DNS name (use ip:)';
  const labels = bare.split('.');
  if (labels.length === 1 && labels[0] === '*') return 'is a bare wildcard';
  for (const [i, label] of labels.entries()) {
    if (label === '*' && i === 0) {
      if (!options.allowWildcard) return 'is a wildcard name (allowed only with --allow-wildcard)';
      if (labels.length < 3) return 'is a wildcard over a top-level domain';
      continue;
    }
    if (label.includes('*')) return 'has a wildcard that is not the whole leftmost label';
    if (label.length === 0) return 'has an empty label';
    if (label.length > 63) return 'has a label longer than 63 characters';
    if (!LDH_LABEL.test(label)) return `has a label "${label}" that is not letters, digits and inner hyphens`;
    if (label[2] === '-' && label[3] === '-') {
      if (!/^xn--/i.test(label)) return `has a reserved label "${label}" (only xn-- may have hyphens in 3rd and 4th position)`;
      const problem = aLabelProblem(label.toLowerCase());
      if (problem) return `has an A-label "${label}" ${problem}`;
    }
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) return 'ends in an all-numeric label';
  // last: the list is read only for a wildcard that is otherwise well formed
  if (labels[0] === '*' && isPublicSuffix(labels.slice(1).join('.'))) return `is a wildcard over the public suffix "${labels.slice(1).join('.').toLowerCase()}" (Public Suffix List), which would cover other owners' domains`;
  return undefined;
}

/** Scripts whose letters look alike ("а" Cyrillic, "a" Latin, "ο" Greek, "օ" Armenian...): a label mixing them is a homograph. */
const LOOKALIKE_SCRIPTS = ['Latin', 'Cyrillic', 'Greek', 'Armenian', 'Georgian', 'Cherokee'].map((script) => new RegExp(`\\p{Script=${script}}`, 'u'));

/**
 * Why an A-label ("xn--...", lower case) may not be certified: it must decode, be the canonical
 * encoding of what it decodes to (IDNA: the same label back), hold only letters, combining marks,
 * digits and hyphens (IDNA2008 disallows symbols and punctuation: no emoji), and not mix letters
 * of scripts that look alike ("xn--pple-43d" is "аpple" with a Cyrillic "а"). A label wholly in
 * another script that happens to look Latin ("аррӏе", all Cyrillic) is not detected.
 */
function aLabelProblem(label: string): string | undefined {
  const unicode = domainToUnicode(label);
  if (unicode === '' || unicode === label) return 'that does not decode';
  if (domainToASCII(unicode) !== label) return 'that is not the canonical encoding of its name';
  if (!/^[\p{L}\p{M}\p{Nd}-]+$/u.test(unicode)) return 'that holds symbols or punctuation, which IDNA2008 does not allow';
  if (LOOKALIKE_SCRIPTS.filter((script) => script.test(unicode)).length > 1) return 'that mixes letters of look-alike scripts (Latin, Cyrillic, Greek...): a homograph of another name';
  return undefined;
}
