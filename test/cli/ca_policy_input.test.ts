import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { openssl, tempDir } from '../helpers/tools.js';

/**
 * A name policy the operator cannot have meant: `ca set --allow-domain com` allowed the names of
 * every .com registrant (a wildcard over a public suffix is refused, and so was never the policy
 * over one); `--allow-ip 10.0.0.1/8` was kept as written and became a sub-CA's name constraint
 * with host bits set (openssl prints IP:10.0.0.1/255.0.0.0); an IPv4-mapped range matches no
 * certificate hapki signs. Each is refused as one coded line and the settings stay as they were.
 */
const dir = tempDir('hapki-ca-policy-input-');
const at = (name: string): string => join(dir, name);
const env = { P: 'policy-pass-1' };
const ca = at('ca.p12');
const settings = `${ca}.settings.json`;

beforeAll(async () => {
  expect((await hapki(['ca', 'init', '--subject', 'CN=Policy Input CA', '--kty', 'ec', '--out', ca, '--outpass', 'env:P'], { env })).code).toBe(0);
  expect((await hapki(['ca', 'set', '--ca', ca, '--allow-domain', 'example.com', '--allow-ip', '10.0.0.0/8'])).code).toBe(0);
}, 60_000);

describe('ca set refuses a policy it cannot mean', () => {
  it.each([
    ['--allow-domain', 'com', /public suffix/],
    ['--allow-domain', 'co.uk', /public suffix/],
    ['--allow-domain', 'github.io', /public suffix/],
    ['--allow-ip', '10.0.0.1/8', /10\.0\.0\.0\/8/],
    ['--allow-ip', 'fd00::1/8', /fd00::\/8/],
    ['--allow-ip', '::ffff:10.0.0.0/104', /IPv4-mapped/],
    // a range no one network holds allows other networks' addresses, as a public suffix other registrants' names
    ['--allow-ip', '0.0.0.0/0', /every IPv4 address/],
    ['--allow-ip', '::/0', /every IPv6 address/],
    ['--allow-ip', '0::0/0', /every IPv6 address/],
    ['--allow-ip', '128.0.0.0/1', /wider than a \/8/],
    ['--allow-ip', '2000::/3', /wider than a \/12/],
    ['--allow-ip', 'fc00::/6', /wider than a \/12/],
    // a DNS allow that matches everything
    ['--allow-domain', '.', /is empty/],
    ['--allow-domain', '*', /bare wildcard/],
  ])('%s %s: ERR_INVALID_ARGUMENT, settings unchanged', async (flag, value, why) => {
    const before = readFileSync(settings, 'utf8');
    const r = await hapki(['ca', 'set', '--ca', ca, flag, value]);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_INVALID_ARGUMENT'));
    expect(r.stderr).toMatch(why);
    expect(readFileSync(settings, 'utf8')).toBe(before);
  });

  it('sign --allow-domain over a public suffix is refused too, before anything is signed', async () => {
    await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at('l.key'), '-subj', '/CN=shop.evil.com', '-out', at('l.csr')]);
    const r = await hapki(['sign', at('l.csr'), '--ca', ca, '--ca-storepass', 'env:P', '--allow-domain', 'com', '--out', at('l.pem')], { env });
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_INVALID_ARGUMENT'));
    expect(existsSync(at('l.pem'))).toBe(false);
  });

  it('sign --allow-ip 0.0.0.0/0 is refused too, before anything is signed', async () => {
    await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at('ip.key'), '-subj', '/CN=203.0.113.9', '-addext', 'subjectAltName=IP:203.0.113.9', '-out', at('ip.csr')]);
    for (const range of ['0.0.0.0/0', '::/0']) {
      const r = await hapki(['sign', at('ip.csr'), '--ca', ca, '--ca-storepass', 'env:P', '--allow-ip', range, '--out', at('ip.pem')], { env });
      expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_INVALID_ARGUMENT'));
      expect(r.stderr).toMatch(/every IPv[46] address/);
      expect(existsSync(at('ip.pem'))).toBe(false);
    }
  });

  it('a domain under a public suffix, a private TLD and a canonical range are taken, as are a /8 and the whole private IPv6 block', async () => {
    const r = await hapki(['ca', 'set', '--ca', ca, '--allow-domain', 'example.co.uk', '--allow-domain', 'corp.internal', '--allow-ip', 'fd00::/8', '--allow-ip', '100.0.0.0/8', '--allow-ip', 'fc00::/7', '--allow-ip', '2001:db8::/32', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).policy).toEqual({ domains: ['example.com', 'example.co.uk', 'corp.internal'], ipRanges: ['10.0.0.0/8', 'fd00::/8', '100.0.0.0/8', 'fc00::/7', '2001:db8::/32'] });
  });
});

describe('a range kept with host bits set is read as its network', () => {
  it("a sub-CA's name constraint from such settings is canonical, as openssl prints it", async () => {
    const other = at('old.p12');
    expect((await hapki(['ca', 'init', '--subject', 'CN=Old Settings CA', '--kty', 'ec', '--out', other, '--outpass', 'env:P'], { env })).code).toBe(0);
    // settings written before ranges were canonical
    writeFileSync(`${other}.settings.json`, JSON.stringify({ policy: { domains: ['example.com'], ipRanges: ['10.0.0.1/8'] } }));
    await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at('sub.key'), '-subj', '/CN=Sub CA', '-out', at('sub.csr')]);
    const r = await hapki(['sign', at('sub.csr'), '--ca', other, '--ca-storepass', 'env:P', '--profile', 'ca', '--out', at('sub.pem')], { env });
    expect(r.code, r.stderr).toBe(0);
    const text = (await openssl(['x509', '-in', at('sub.pem'), '-noout', '-ext', 'nameConstraints'])).stdout;
    expect(text).toContain('IP:10.0.0.0/255.0.0.0');
    expect(text).not.toContain('10.0.0.1');
  });
});
