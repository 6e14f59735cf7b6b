import { describe, expect, it } from 'vitest';
import { parseAuditConfig } from '../../src/audit/config.js';

const fail = (text: string): { code: string; message: string; line?: number } => {
  try {
    parseAuditConfig(text, { source: 'audit.yaml', baseDir: '/etc/hapki' });
  } catch (error) {
    return error as { code: string; message: string; line?: number };
  }
  throw new Error('no error');
};

describe('parseAuditConfig', () => {
  it('reads the documented example', () => {
    const config = parseAuditConfig(
      [
        'passwords:',
        '  - match: "/opt/msas/**/*.jks"',
        '    password: env:MSAS_STOREPASS',
        '  - match: "stores/*.p12"',
        '    password: file:/etc/hapki/p12pass',
        'warn: 30d',
        'crit: 7',
        'expect-san: [lbrhost.example.com]',
        'ignore: ["weak-signature:' + 'ab'.repeat(32) + '"]',
        'exclude: [archive, old/**]',
        'endpoints: [lbrhost.example.com:8443]',
        'token-groups:',
        '  - alias: token',
        '    stores: [/opt/a.jks, b.jks]',
        'trust-groups:',
        '  - master: /opt/m.p12',
        '    slaves: [/opt/s1.jks]',
        'crl: [ca.crl, /var/pki/sub.crl]',
      ].join('\n'),
      { baseDir: '/etc/hapki' },
    );
    expect(config).toEqual({
      passwords: [
        { match: '/opt/msas/**/*.jks', password: 'env:MSAS_STOREPASS' },
        { match: '/etc/hapki/stores/*.p12', password: 'file:/etc/hapki/p12pass' },
      ],
      warnMs: 30 * 86_400_000,
      critMs: 7 * 86_400_000,
      expectSan: ['lbrhost.example.com'],
      ignore: ['weak-signature:' + 'ab'.repeat(32)],
      exclude: ['archive', '/etc/hapki/old/**'],
      paths: [],
      endpoints: ['lbrhost.example.com:8443'],
      tokenGroups: [{ alias: 'token', stores: ['/opt/a.jks', '/etc/hapki/b.jks'] }],
      trustGroups: [{ master: '/opt/m.p12', slaves: ['/opt/s1.jks'] }],
      crls: ['/etc/hapki/ca.crl', '/var/pki/sub.crl'],
    });
  });

  it('revocation keys: booleans and durations, like the command line\'s flags', () => {
    const config = parseAuditConfig('crl-fetch: true\nocsp: true\ncrl-required: false\nocsp-required: true\nfetch-timeout: 5s\nfetch-deadline: 1m\n');
    expect(config).toMatchObject({ crlFetch: true, ocsp: true, crlRequired: false, ocspRequired: true, fetchTimeoutMs: 5000, fetchDeadlineMs: 60_000 });
    expect(fail('warn: 30d\nocsp: yes please\n')).toMatchObject({ line: 2, message: expect.stringContaining('ocsp must be true or false') });
    expect(fail('fetch-timeout: soon\n')).toMatchObject({ line: 1, message: expect.stringContaining('fetch-timeout') });
  });

  it('an empty file is an empty configuration', () => {
    expect(parseAuditConfig('')).toMatchObject({ passwords: [], ignore: [] });
  });

  it('an unknown key: ERR_AUDIT_CONFIG with its line', () => {
    const e = fail('warn: 30d\ncrit: 7d\npasword: env:X\n');
    expect(e).toMatchObject({ code: 'ERR_AUDIT_CONFIG', line: 3 });
    expect(e.message).toBe('audit.yaml:3: unknown key "pasword" in the configuration (known: passwords, storepass, warn, crit, expect-san, ignore, exclude, paths, endpoints, token-groups, trust-groups, crl, crl-fetch, crl-required, ocsp, ocsp-required, fetch-timeout, fetch-deadline)');
  });

  it('wrong types and values name the line of the value', () => {
    expect(fail('warn: 30d\nexpect-san:\n  a: b\n')).toMatchObject({ line: 3, message: expect.stringContaining('expect-san must be a list of strings') });
    expect(fail('warn: thirty\n')).toMatchObject({ line: 1, message: expect.stringContaining('warn "thirty" is not a duration') });
    expect(fail('passwords:\n  - match: "*.jks"\n    password: hunter2\n')).toMatchObject({ line: 3, message: expect.stringContaining('password must be a source') });
    expect(fail('passwords:\n  - match: "*.jks"\n')).toMatchObject({ line: 2, message: expect.stringContaining('needs "password"') });
    expect(fail('passwords:\n  - match: "*.jks"\n    password: env:X\n    pasword: env:Y\n')).toMatchObject({ line: 4, message: expect.stringContaining('unknown key "pasword" in a passwords item') });
    expect(fail('ignore: [1, [2]]\n')).toMatchObject({ line: 1, message: expect.stringContaining('each item of ignore') });
    expect(fail('- a\n- b\n')).toMatchObject({ line: 1, message: expect.stringContaining('must be a mapping') });
  });

  it('YAML syntax errors and duplicate keys carry the line too', () => {
    expect(fail('warn: 30d\ncrit: [7d\n')).toMatchObject({ code: 'ERR_AUDIT_CONFIG', line: expect.any(Number) });
    expect(fail('warn: 30d\nwarn: 20d\n')).toMatchObject({ code: 'ERR_AUDIT_CONFIG', line: 2 });
  });
});
