import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkSigningOptions, prepareSigning, signedFiles, type SignRequestsOptions } from '../../src/authority/sign_requests.js';

/**
 * The request checks `hapki sign` makes before reading anything are the library's: a caller of
 * prepareSigning gets the same ERR_USAGE, in the same order, before any CA file is looked at.
 */
const dir = mkdtempSync(join(tmpdir(), 'hapki-sign-requests-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// no CA files there: a check that let the request through would fail on reading them instead
const caBase = join(dir, 'absent-ca.p12');

async function refusal(options: Record<string, unknown>): Promise<unknown> {
  return prepareSigning(caBase, options as SignRequestsOptions).then(() => 'signed', (e: unknown) => e);
}

describe('prepareSigning refuses an inconsistent request before reading the CA', () => {
  it('an unknown profile', async () => {
    expect(await refusal({ profile: 'webserver' })).toMatchObject({ code: 'ERR_USAGE', message: '--profile must be one of server, client, server-client, token, ca' });
  });
  it('days and notAfter both', async () => {
    expect(await refusal({ days: 30, notAfter: new Date('2030-01-01T00:00:00Z') })).toMatchObject({ code: 'ERR_USAGE', message: 'give --days or --not-after, not both' });
  });
  it('replaceSans with no names', async () => {
    expect(await refusal({ replaceSans: true, sans: [] })).toMatchObject({ code: 'ERR_USAGE', message: '--replace-san needs at least one --san' });
  });
  it('a path length for a leaf profile, the default one included', async () => {
    expect(await refusal({ profile: 'client', pathLength: 0 })).toMatchObject({ code: 'ERR_USAGE', message: '--path-len constrains a CA certificate: give it with --profile ca, not client' });
    expect(await refusal({ pathLength: 1 })).toMatchObject({ code: 'ERR_USAGE', message: '--path-len constrains a CA certificate: give it with --profile ca, not server' });
  });
  it('the first of two faults, in the order hapki sign reports them', async () => {
    expect(await refusal({ profile: 'nope', days: 1, notAfter: new Date() })).toMatchObject({ message: expect.stringMatching(/^--profile/) });
    expect(await refusal({ days: 1, notAfter: new Date(), replaceSans: true })).toMatchObject({ message: 'give --days or --not-after, not both' });
    expect(await refusal({ replaceSans: true, pathLength: 0 })).toMatchObject({ message: '--replace-san needs at least one --san' });
  });
  it('a consistent request goes on to read the CA', async () => {
    expect(await refusal({ profile: 'ca', pathLength: 0, replaceSans: true, sans: [{ type: 'dns', value: 'a.example.com' }], days: 10 })).not.toMatchObject({ code: 'ERR_USAGE' });
  });
});

describe('checkSigningOptions checks only what it is given', () => {
  it('passes a partial request and refuses what it holds', () => {
    expect(() => checkSigningOptions({ profile: 'server', days: '30' })).not.toThrow();
    expect(() => checkSigningOptions({ sans: undefined, replaceSans: undefined })).not.toThrow();
    expect(() => checkSigningOptions({ days: '30', notAfter: '2030-01-01' })).toThrow(expect.objectContaining({ code: 'ERR_USAGE' }));
  });
});

describe('signedFiles', () => {
  it('writes each PEM to its output, then the issuance record, as one change set', () => {
    const record = { path: 'ca.p12.issued.jsonl', action: 'write' as const, content: 'x' };
    const files = signedFiles({ pems: ['A', 'B'], record }, ['a.pem', 'b.pem'], { force: true, createParents: false });
    expect(files).toEqual([
      { path: 'a.pem', action: 'write', content: 'A', force: true, backup: true, createParents: false },
      { path: 'b.pem', action: 'write', content: 'B', force: true, backup: true, createParents: false },
      record,
    ]);
    expect(signedFiles({ pems: ['A'], record: undefined }, ['-'], { force: false, createParents: false })).toHaveLength(1);
  });
});
