import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ipVersion } from '../../src/names/ip_version.js';

describe('ipVersion', () => {
  it("agrees with node:net's isIP on addresses, near-addresses and names", () => {
    const samples = ['10.0.0.1', '255.255.255.255', '256.1.1.1', '1.2.3', '01.2.3.4', '::1', '::', 'fe80::1%eth0', '::ffff:192.0.2.1', '2001:db8::1', '2001:db8:::1', 'g::1', 'host.example.com', 'lbrhost', '1e100.net', '192.168.1.1.', '*.example.com', '', '.', '1.2.3.4.5'];
    for (const s of samples) expect(ipVersion(s), s).toBe(isIP(s));
  });
});
