import { describe, expect, it } from 'vitest';
import { formatSan, isDnsName, mergeSans, parseSan } from '../../src/issue/san.js';

describe('parseSan', () => {
  it('reads bare names as DNS and honours the ip:, email:, uri:, dns: prefixes in any case', () => {
    expect(parseSan('lbrhost.example.com')).toEqual({ type: 'dns', value: 'lbrhost.example.com' });
    expect(parseSan('ip:10.0.0.5')).toEqual({ type: 'ip', value: '10.0.0.5' });
    expect(parseSan('IP:2001:db8::1')).toEqual({ type: 'ip', value: '2001:db8::1' });
    expect(parseSan('email:ops@example.com')).toEqual({ type: 'email', value: 'ops@example.com' });
    expect(parseSan('uri:https://gw.example.com/token')).toEqual({ type: 'uri', value: 'https://gw.example.com/token' });
    expect(parseSan('DNS:*.example.com')).toEqual({ type: 'dns', value: '*.example.com' });
    expect(parseSan('localhost')).toEqual({ type: 'dns', value: 'localhost' });
  });

  it('refuses what is not a name of its kind', () => {
    for (const bad of ['ip:10.0.0.300', 'email:nobody', 'uri:not a uri', 'has space.example.com', 'dns:-bad.example.com', '']) {
      expect(() => parseSan(bad), bad).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    }
  });

  it('prints names the way openssl and hapki list do', () => {
    expect(['a.example.com', 'ip:10.0.0.5', 'email:a@b.example', 'uri:urn:x:y'].map((s) => formatSan(parseSan(s)))).toEqual([
      'DNS:a.example.com',
      'IP:10.0.0.5',
      'email:a@b.example',
      'URI:urn:x:y',
    ]);
  });
});

describe('isDnsName', () => {
  it('takes a common name as a DNS name only when it looks like a host name with a dot', () => {
    expect(isDnsName('msas1.example.com')).toBe(true);
    expect(isDnsName('*.example.com')).toBe(true);
    expect(isDnsName('Example Root CA')).toBe(false);
    expect(isDnsName('gateway')).toBe(false);
    expect(isDnsName('10.0.0.5')).toBe(false);
    expect(isDnsName('ops@example.com')).toBe(false);
    expect(isDnsName('gateway', { requireDot: false })).toBe(true);
  });
});

describe('mergeSans', () => {
  const dns = (value: string) => ({ type: 'dns' as const, value });

  it("orders the request's names, then the CN, then --san, dropping repeats (DNS case-insensitively, first spelling wins but the CN's: the CN is a copy of a SAN)", () => {
    const merged = mergeSans({
      requested: [dns('MSAS1.example.com'), parseSan('ip:10.0.0.5')],
      commonName: 'msas1.example.com',
      extra: [dns('lbrhost.example.com'), dns('Lbrhost.Example.com'), parseSan('ip:10.0.0.5'), parseSan('ip:10.0.0.6')],
    });
    expect(merged.map(formatSan)).toEqual(['DNS:msas1.example.com', 'IP:10.0.0.5', 'DNS:lbrhost.example.com', 'IP:10.0.0.6']);
  });

  it('adds the CN after the requested names, and only when it is a DNS name', () => {
    expect(mergeSans({ requested: [dns('a.example.com')], commonName: 'msas1.example.com', extra: [dns('b.example.com')] }).map((s) => s.value)).toEqual([
      'a.example.com',
      'msas1.example.com',
      'b.example.com',
    ]);
    expect(mergeSans({ commonName: 'Example Token Signer', extra: [dns('b.example.com')] }).map((s) => s.value)).toEqual(['b.example.com']);
  });

  it('compares IPv6 addresses as addresses and keeps email, URI and IP names apart from DNS names', () => {
    const merged = mergeSans({
      extra: [parseSan('ip:2001:DB8:0:0::1'), parseSan('ip:2001:db8::1'), parseSan('email:ops@Example.com'), parseSan('email:ops@example.com'), parseSan('uri:https://a.example.com/'), dns('a.example.com')],
    });
    expect(merged.map(formatSan)).toEqual(['IP:2001:db8::1', 'email:ops@Example.com', 'URI:https://a.example.com/', 'DNS:a.example.com']);
  });

  it('with replace, keeps only the --san names, as keytool -gencert -ext san= does', () => {
    const merged = mergeSans({ requested: [dns('old.example.com')], commonName: 'msas1.example.com', extra: [dns('new.example.com')], replace: true });
    expect(merged).toEqual([dns('new.example.com')]);
  });
});
