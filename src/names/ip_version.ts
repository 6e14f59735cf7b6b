import { isIP } from 'node:net';

/**
 * node:net's isIP (4, 6 or 0), without its cost for the names that cannot be addresses: its
 * IPv6 pattern takes tens of milliseconds to compile and tier up on first use, which every
 * issuing command paid for checking "host.example.com". An IPv6 address has a colon; an IPv4 one
 * is digits and dots only.
 */
export function ipVersion(text: string): 0 | 4 | 6 {
  if (!text.includes(':') && !/^[0-9.]+$/.test(text)) return 0;
  return isIP(text) as 0 | 4 | 6;
}
