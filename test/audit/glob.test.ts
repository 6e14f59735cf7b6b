import { describe, expect, it } from 'vitest';
import { globMatches } from '../../src/audit/glob.js';
import { parseThreshold } from '../../src/audit/duration.js';
import { parseTokenGroup, parseTrustGroup } from '../../src/audit/groups.js';
import { parseIgnoreRule } from '../../src/audit/ignore.js';
import { CHECK_IDS } from '../../src/audit/rules/index.js';

describe('globMatches', () => {
  it('** spans any number of directories, none included', () => {
    expect(globMatches('/opt/msas/**/*.jks', '/opt/msas/gw.jks')).toBe(true);
    expect(globMatches('/opt/msas/**/*.jks', '/opt/msas/a/b/gw.jks')).toBe(true);
    expect(globMatches('/opt/msas/**/*.jks', '/opt/other/gw.jks')).toBe(false);
    expect(globMatches('**/*.p12', '/etc/x/node.p12')).toBe(true);
    expect(globMatches('/opt/**', '/opt/a/b')).toBe(true);
  });

  it('* and ? stay within one path segment; other characters are literal', () => {
    expect(globMatches('/opt/*.jks', '/opt/gw.jks')).toBe(true);
    expect(globMatches('/opt/*.jks', '/opt/a/gw.jks')).toBe(false);
    expect(globMatches('/opt/gw?.p12', '/opt/gw1.p12')).toBe(true);
    expect(globMatches('/opt/gw?.p12', '/opt/gw12.p12')).toBe(false);
    expect(globMatches('/opt/a.b+(c)', '/opt/a.b+(c)')).toBe(true);
    expect(globMatches('/opt/a.b', '/opt/aXb')).toBe(false);
  });
});

describe('parseThreshold', () => {
  it('reads d, h, w and bare days', () => {
    expect(parseThreshold('30d')).toBe(30 * 86_400_000);
    expect(parseThreshold('12h')).toBe(12 * 3_600_000);
    expect(parseThreshold('2w')).toBe(14 * 86_400_000);
    expect(parseThreshold('7')).toBe(7 * 86_400_000);
    expect(parseThreshold('0')).toBe(0);
  });

  it('refuses anything else with ERR_INVALID_ARGUMENT', () => {
    for (const bad of ['', '30x', '-1d', 'd', '1y']) expect(() => parseThreshold(bad, '--warn')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});

describe('groups and ignore rules', () => {
  it('parses token and trust groups', () => {
    expect(parseTokenGroup('token=a.jks,b.p12')).toEqual({ alias: 'token', stores: ['a.jks', 'b.p12'] });
    expect(parseTrustGroup('master=m.p12,slaves=s1.jks,s2.p12#node')).toEqual({ master: 'm.p12', slaves: ['s1.jks', 's2.p12#node'] });
    expect(() => parseTokenGroup('token=a.jks')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => parseTrustGroup('slaves=a.jks')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => parseTrustGroup('m.p12,slaves=a.jks')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });

  it('parses ignore rules by id and by id:fingerprint (colons and case tolerated)', () => {
    const fp = 'AB'.repeat(32);
    expect(parseIgnoreRule('weak-signature', CHECK_IDS)).toEqual({ check: 'weak-signature' });
    expect(parseIgnoreRule(`weak-signature:${fp.match(/../g)!.join(':')}`, CHECK_IDS)).toEqual({ check: 'weak-signature', sha256: 'ab'.repeat(32) });
    expect(() => parseIgnoreRule('weak-sig', CHECK_IDS)).toThrow(/no check "weak-sig"/);
    expect(() => parseIgnoreRule('expired:abcd', CHECK_IDS)).toThrow(/64 hex digits/);
  });
});
