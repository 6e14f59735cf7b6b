import { isIPv4, isIPv6 } from 'node:net';
import { domainToASCII } from 'node:url';
import { bytesEqual } from '../lib/bytes.js';
import { isPublicSuffix } from '../names/public_suffix.js';
import type { GeneralName } from '../path/path_certificate.js';

/**
 * Host name checking as RFC 6125 and the CA/Browser Forum allow it: only the subjectAltName
 * counts (the subject CN is ignored, as browsers, Go and x509-limbo do), DNS names compare
 * case-insensitively, and a wildcard is accepted only as the whole left-most label of a name with
 * at least two further labels that are not a public suffix ("*.co.uk", "*.s3.amazonaws.com": BR
 * 3.2.2.6, as browsers refuse them), matching exactly one label.
 */
export function hostnameMatches(sans: readonly GeneralName[] | undefined, hostname: string): boolean {
  if (!sans) return false;
  const ip = parseIpAddress(hostname);
  if (ip) return sans.some((n) => n.type === 'ip' && bytesEqual(n.value, ip));
  const host = normalizeHost(hostname);
  if (!host) return false;
  return sans.some((n) => n.type === 'dns' && dnsNameMatches(n.value, host));
}

/**
 * The host name as compared: an internationalized name in its A-labels (bücher.example is
 * xn--bcher-kva.example, as certificates carry it), lower case, without one trailing dot;
 * undefined when it cannot be one.
 */
export function normalizeHost(hostname: string): string | undefined {
  const ascii = /[^\x00-\x7f]/.test(hostname) ? domainToASCII(hostname) : hostname;
  const host = ascii.toLowerCase().replace(/\.$/, '');
  return /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(host) ? host : undefined;
}

/** The wildcard SAN that would match `hostname` but covers a public suffix ("*.co.uk"), to say why it does not. */
export function publicSuffixWildcard(sans: readonly GeneralName[] | undefined, hostname: string): string | undefined {
  const host = normalizeHost(hostname);
  if (!sans || !host) return undefined;
  const dot = host.indexOf('.');
  const found = sans.find((n) => n.type === 'dns' && n.value.toLowerCase().replace(/\.$/, '') === `*.${host.slice(dot + 1)}` && dot > 0 && isPublicSuffix(host.slice(dot + 1)));
  return found?.type === 'dns' ? found.value : undefined;
}

function dnsNameMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, '');
  if (!p.startsWith('*.')) return !p.includes('*') && p === host;
  const rest = p.slice(2);
  // "*.com" would cover a whole top-level domain; a wildcard needs two labels after it
  if (rest.includes('*') || !rest.includes('.') || normalizeHost(rest) === undefined) return false;
  const dot = host.indexOf('.');
  // the list is read only for a wildcard that would otherwise match
  return dot > 0 && host.slice(dot + 1) === rest && !isPublicSuffix(rest);
}

/** An IPv4 dotted quad or an IPv6 address (optionally in brackets) as its 4 or 16 bytes. */
export function parseIpAddress(text: string): Uint8Array | undefined {
  const t = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (isIPv4(t)) return new Uint8Array(t.split('.').map(Number));
  if (!isIPv6(t)) return undefined;
  let head = t;
  let v4: number[] = [];
  const lastColon = t.lastIndexOf(':');
  if (t.slice(lastColon + 1).includes('.')) {
    v4 = t.slice(lastColon + 1).split('.').map(Number);
    head = `${t.slice(0, lastColon + 1)}0:0`;
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const groups = (s: string | undefined): number[] => (s ? s.split(':').filter((g) => g !== '').map((g) => parseInt(g, 16)) : []);
  const l = groups(left);
  const r = groups(right);
  const words = right === undefined ? l : [...l, ...new Array<number>(8 - l.length - r.length).fill(0), ...r];
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  if (v4.length === 4) out.set(v4, 12);
  return out;
}
