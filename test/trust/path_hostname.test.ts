import { describe, expect, it } from 'vitest';
import { hostnameMatches, parseIpAddress } from '../../src/trust/hostname.js';
import type { GeneralName } from '../../src/path/path_certificate.js';

const dns = (...names: string[]): GeneralName[] => names.map((value) => ({ type: 'dns', value }));

describe('hostnameMatches (RFC 6125 as the web PKI applies it)', () => {
  it.each([
    ['exact, any case, trailing dot', dns('GW.Example.com'), 'gw.example.COM.', true],
    ['wildcard covers one left-most label', dns('*.example.com'), 'gw.example.com', true],
    ['wildcard does not cross dots', dns('*.example.com'), 'a.gw.example.com', false],
    ['wildcard does not cover the apex', dns('*.example.com'), 'example.com', false],
    ['partial-label wildcard is refused', dns('g*.example.com'), 'gw.example.com', false],
    ['wildcard not left-most is refused', dns('gw.*.com'), 'gw.example.com', false],
    ['wildcard over a single label (*.com) is refused', dns('*.com'), 'example.com', false],
    ['a bare * is refused', dns('*'), 'example', false],
    // BR 3.2.2.6: a wildcard over a public suffix (Public Suffix List, ICANN and private sections)
    ['wildcard over a two-label public suffix (*.co.uk) is refused', dns('*.co.uk'), 'example.co.uk', false],
    ['wildcard over a private-section suffix (*.s3.amazonaws.com) is refused', dns('*.S3.amazonaws.com'), 'bucket.s3.amazonaws.com', false],
    ['wildcard over a *.ck-style wildcard rule is refused', dns('*.bar.ck'), 'foo.bar.ck', false],
    ['wildcard under a registrable domain of a two-label suffix matches', dns('*.example.co.uk'), 'www.example.co.uk', true],
    ['wildcard under a name of an unlisted top-level domain matches', dns('*.corp.internal'), 'gw.corp.internal', true],
    ['no SAN at all: the CN is never used', undefined, 'gw.example.com', false],
    ['an IP only matches an iPAddress SAN', dns('10.0.0.5'), '10.0.0.5', false],
    ['IPv4 iPAddress SAN', [{ type: 'ip', value: new Uint8Array([10, 0, 0, 5]) }] as GeneralName[], '10.0.0.5', true],
    ['IPv6 iPAddress SAN, any spelling', [{ type: 'ip', value: parseIpAddress('::1')! }] as GeneralName[], '[0:0:0:0:0:0:0:1]', true],
  ])('%s', (_what, sans, host, expected) => {
    expect(hostnameMatches(sans, host)).toBe(expected);
  });

  it('parses IPv4-mapped IPv6 addresses', () => {
    expect(Array.from(parseIpAddress('::ffff:192.0.2.1')!)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1]);
    expect(parseIpAddress('gw.example.com')).toBeUndefined();
  });
});
