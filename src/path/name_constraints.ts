import { nameWithin } from './dn_match.js';
import type { GeneralName, NameConstraints, PathCertificate } from './path_certificate.js';

/**
 * RFC 5280 4.2.1.10 name constraints, for dNSName, iPAddress, rfc822Name and directoryName.
 * A constraint of any other form cannot be evaluated: a name of that form under it fails the path
 * (the RFC's "process the constraint or reject the certificate"), a path without such names is
 * unaffected. Wildcard SANs are judged by every name they could match (CVE-2025-61727).
 */

const MAX_NAME_CHECKS = 1 << 20;

/** Why the constraints themselves are malformed, or undefined when they are usable. */
export function constraintsDefect(nc: NameConstraints): string | undefined {
  for (const c of [...nc.permitted, ...nc.excluded]) {
    if (c.type === 'dns' && c.value !== '' && !isDomain(c.value)) return `name constraint dNSName "${c.value}" is not a domain name`;
    if (c.type === 'ip' && !isCidr(c.value)) return 'name constraint iPAddress is not an address and a contiguous mask';
    if (c.type === 'email' && !isEmailConstraint(c.value)) return `name constraint rfc822Name "${c.value}" is not a mailbox, host or domain`;
  }
  return undefined;
}

/** Why a name in a certificate is malformed (so no constraint can judge it), or undefined. */
export function nameDefect(name: GeneralName): string | undefined {
  if (name.type === 'dns' && !isDnsSan(name.value)) return `subjectAltName dNSName "${name.value}" is not a host name`;
  if (name.type === 'ip' && name.value.length !== 4 && name.value.length !== 16) return 'subjectAltName iPAddress is neither 4 nor 16 bytes';
  if (name.type === 'email' && !isMailbox(name.value)) return `subjectAltName rfc822Name "${name.value}" is not a mailbox`;
  return undefined;
}

/** The names of a certificate that constraints apply to: subject, subject e-mail attributes, SANs. */
export function constrainedNames(cert: PathCertificate): GeneralName[] {
  const names: GeneralName[] = [];
  if (cert.subjectRdns.length > 0) names.push({ type: 'dn', value: cert.subject });
  for (const email of cert.subjectEmails) names.push({ type: 'email', value: email });
  names.push(...(cert.subjectAltNames ?? []));
  return names;
}

/** The first name of `cert` that `nc` does not allow, described, or undefined when all are allowed. */
export function nameConstraintViolation(nc: NameConstraints, cert: PathCertificate): string | undefined {
  if (nc.subtrees !== undefined) return `${nc.subtrees} name constraint subtrees are more than hapki checks`;
  const names = constrainedNames(cert);
  // openssl's bound: a certificate built to make this check quadratic is refused, not ground through
  if (names.length * (nc.permitted.length + nc.excluded.length) > MAX_NAME_CHECKS) return `${names.length} names against ${nc.permitted.length + nc.excluded.length} constraints is too many to check`;
  for (const name of names) {
    const excluded = nc.excluded.filter((c) => sameForm(c, name));
    if (excluded.some((c) => (name.type === 'other' ? true : mayMatch(c, name)))) return `${describeName(name)} is excluded by a name constraint`;
    const permitted = nc.permitted.filter((c) => sameForm(c, name));
    if (permitted.length > 0 && !permitted.some((c) => name.type !== 'other' && within(c, name))) {
      return `${describeName(name)} is outside the permitted name constraints`;
    }
  }
  return undefined;
}

function sameForm(c: GeneralName, n: GeneralName): boolean {
  return c.type === n.type && (c.type !== 'other' || n.type !== 'other' || c.tag === n.tag);
}

/** Every name `n` stands for lies inside constraint `c` (for permitted subtrees). */
function within(c: GeneralName, n: GeneralName): boolean {
  if (c.type === 'dns' && n.type === 'dns') {
    const name = n.value.toLowerCase();
    return dnsWithin(name.startsWith('*.') ? name.slice(2) : name, c.value.toLowerCase());
  }
  return matches(c, n);
}

/** Some name `n` stands for lies inside constraint `c` (for excluded subtrees). */
function mayMatch(c: GeneralName, n: GeneralName): boolean {
  if (c.type === 'dns' && n.type === 'dns') {
    const name = n.value.toLowerCase();
    const constraint = c.value.toLowerCase();
    if (!name.startsWith('*.')) return dnsWithin(name, constraint);
    const base = name.slice(2);
    // "*.example.com" covers "bar.example.com", and everything under "example.com" if that is excluded
    return dnsWithin(base, constraint) || constraint.endsWith(`.${base}`);
  }
  return matches(c, n);
}

function matches(c: GeneralName, n: GeneralName): boolean {
  if (c.type === 'ip' && n.type === 'ip') {
    const half = c.value.length / 2;
    if (n.value.length !== half) return false;
    for (let i = 0; i < half; i++) if ((n.value[i]! & c.value[half + i]!) !== (c.value[i]! & c.value[half + i]!)) return false;
    return true;
  }
  if (c.type === 'email' && n.type === 'email') return emailWithin(n.value, c.value);
  if (c.type === 'dn' && n.type === 'dn') return nameWithin(n.value, c.value);
  if (c.type === 'uri' && n.type === 'uri') return uriWithin(n.value, c.value);
  return false;
}

function dnsWithin(name: string, constraint: string): boolean {
  if (constraint === '') return true;
  return name === constraint || name.endsWith(`.${constraint}`);
}

function emailWithin(mailbox: string, constraint: string): boolean {
  const at = mailbox.lastIndexOf('@');
  const domain = mailbox.slice(at + 1).toLowerCase();
  // a constraint with "@" names one mailbox, every character literal ("*" is not a wildcard)
  if (constraint.includes('@')) {
    const cat = constraint.lastIndexOf('@');
    return mailbox.slice(0, at) === constraint.slice(0, cat) && domain === constraint.slice(cat + 1).toLowerCase();
  }
  const c = constraint.toLowerCase();
  if (c.startsWith('.')) return domain.endsWith(c);
  return domain === c;
}

function uriWithin(uri: string, constraint: string): boolean {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?(\[[^\]]*\]|[^:/?#]*)/i.exec(uri);
  if (!m) return false;
  const host = m[1]!.toLowerCase();
  const c = constraint.toLowerCase();
  return c.startsWith('.') ? host.endsWith(c) : host === c;
}


function describeName(name: GeneralName): string {
  switch (name.type) {
    case 'dns':
      return `DNS name "${name.value}"`;
    case 'email':
      return `e-mail address "${name.value}"`;
    case 'uri':
      return `URI "${name.value}"`;
    case 'ip':
      return `IP address ${name.value.length === 4 ? name.value.join('.') : Buffer.from(name.value).toString('hex')}`;
    case 'dn':
      return 'the directory name';
    default:
      return `a name of form [${name.tag}], which hapki cannot check against a constraint,`;
  }
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

export function isDomain(value: string): boolean {
  const labels = value.replace(/\.$/, '').split('.');
  return value.length <= 253 && labels.every((l) => LABEL.test(l));
}

function isDnsSan(value: string): boolean {
  return isDomain(value.startsWith('*.') ? value.slice(2) : value);
}

function isCidr(bytes: Uint8Array): boolean {
  if (bytes.length !== 8 && bytes.length !== 32) return false;
  let seenZero = false;
  for (const byte of bytes.subarray(bytes.length / 2)) {
    for (let b = 7; b >= 0; b--) {
      const one = (byte >> b) & 1;
      if (one && seenZero) return false;
      if (!one) seenZero = true;
    }
  }
  return true;
}

function isMailbox(value: string): boolean {
  const at = value.indexOf('@');
  return at > 0 && at === value.lastIndexOf('@') && isDomain(value.slice(at + 1));
}

function isEmailConstraint(value: string): boolean {
  if (value.includes('@')) return isMailbox(value);
  return isDomain(value.startsWith('.') ? value.slice(1) : value);
}
