import { describe, expect, it } from 'vitest';
import { checkTokenSource, issueTokenCertificate, type IssueTokenOptions } from '../../src/token/issue_token.js';
import { tokenStep } from '../../src/token/rotation.js';

/**
 * `hapki token issue` refuses an inconsistent request before reading anything; the checks are the
 * library's, so a library caller gets the same ERR_USAGE, in the same order.
 */
const usage = (message: string): unknown => expect.objectContaining({ code: 'ERR_USAGE', message });

describe('checkTokenSource', () => {
  it('wants exactly one source', () => {
    expect(() => checkTokenSource({ subject: 'CN=t' })).toThrow(usage('give exactly one of --ca, --self-signed and --from'));
    expect(() => checkTokenSource({ ca: 'ca.p12', selfSigned: true, subject: 'CN=t' })).toThrow(usage('give exactly one of --ca, --self-signed and --from'));
    expect(() => checkTokenSource({ selfSigned: false, from: 'gw.p12#ssl', ca: 'ca.p12' })).toThrow(usage('give exactly one of --ca, --self-signed and --from'));
  });
  it('wants a subject for a new certificate, and none of subject, key type or days for an existing entry', () => {
    expect(() => checkTokenSource({ selfSigned: true })).toThrow(usage('--subject is required with --ca and --self-signed'));
    expect(() => checkTokenSource({ ca: 'ca.p12' })).toThrow(usage('--subject is required with --ca and --self-signed'));
    for (const extra of [{ subject: 'CN=t' }, { kty: 'ec' }, { days: '30' }]) {
      expect(() => checkTokenSource({ from: 'gw.p12#ssl', ...extra })).toThrow(usage('--from takes the existing certificate: --subject, --kty and --days do not apply'));
    }
  });
  it('the source is checked before the subject', () => {
    expect(() => checkTokenSource({})).toThrow(usage('give exactly one of --ca, --self-signed and --from'));
  });
  it('lets a consistent request through', () => {
    expect(() => checkTokenSource({ selfSigned: true, subject: 'CN=t', kty: 'ec', days: '3' })).not.toThrow();
    expect(() => checkTokenSource({ from: 'gw.p12' })).not.toThrow();
  });
});

describe('issueTokenCertificate', () => {
  it('refuses a request without a subject before making a key', async () => {
    await expect(issueTokenCertificate({} as IssueTokenOptions)).rejects.toMatchObject({ code: 'ERR_USAGE', message: '--subject is required with --ca and --self-signed' });
  });
});

describe('tokenStep', () => {
  it('is install, or the one rotation step asked for', () => {
    expect(tokenStep({ token: 't.p12' })).toBe('install');
    expect(tokenStep({ stage: true, token: 't.p12' })).toBe('stage');
    expect(tokenStep({ activate: true, retire: false, token: 't.p12' })).toBe('activate');
    expect(tokenStep({ retire: true })).toBe('retire');
  });
  it('refuses two steps, then a step without the token keystore', () => {
    expect(() => tokenStep({ stage: true, retire: true })).toThrow(usage('give one of --stage, --activate and --retire'));
    expect(() => tokenStep({ activate: true })).toThrow(usage('name the token keystore'));
    expect(() => tokenStep({})).toThrow(usage('name the token keystore'));
  });
});
