import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { keytool, keytoolFingerprints, tempDir } from '../helpers/tools.js';

const env = { STOREPASS: 'changeit' };
const dir = tempDir();

describe('hapki list', () => {
  it('prints the JSON shape README documents, with the fingerprints keytool reports', async () => {
    const path = join(FIXTURES, 'gateway.jks');
    const result = await hapki(['list', path, '--storepass', 'env:STOREPASS', '--json'], { env });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const listing = JSON.parse(result.stdout);
    expect(listing.format).toBe('JKS');
    expect(listing.entries.map((e: { alias: string; type: string }) => [e.alias, e.type]).sort()).toEqual([
      ['example-root', 'trusted-cert'],
      ['server1', 'private-key'],
    ]);
    const server = listing.entries.find((e: { alias: string }) => e.alias === 'server1');
    expect(server).toMatchObject({ algorithm: 'RSA', bits: 2048 });
    expect(server.chain[0]).toMatchObject({ subject: expect.stringContaining('CN=msas1.example.com'), san: ['DNS:msas1.example.com'] });
    expect(Object.keys(server.chain[0]).sort()).toEqual(['issuer', 'notAfter', 'notBefore', 'san', 'serial', 'sha256', 'subject']);
    expect(server.chain[0].notAfter).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const k = await keytool(['-list', '-v', '-keystore', path, '-storepass', 'changeit', '-alias', 'server1']);
    expect(server.chain[0].sha256).toBe(keytoolFingerprints(k.stdout)[0]);
    expect(server.chain[0].serial).toBe(/Serial number: ([0-9a-f]+)/.exec(k.stdout)![1]);
    expect(server.chain[0].subject).toBe(/^Owner: (.*)$/m.exec(k.stdout)![1]);
    expect(new Date(server.chain[0].notAfter).getTime()).toBe(new Date(/until: (.*)$/m.exec(k.stdout)![1]!).getTime());
  });

  it('detects the format by content: a PKCS#12 named .jks is listed as PKCS12', async () => {
    const misnamed = join(dir, 'really-pkcs12.jks');
    copyFileSync(join(FIXTURES, 'gateway.p12'), misnamed);
    const result = await hapki(['list', misnamed, '--storepass', 'env:STOREPASS', '--json'], { env });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).format).toBe('PKCS12');
  });

  it('lists a JKS without its password, warning that integrity was not checked', async () => {
    const result = await hapki(['list', join(FIXTURES, 'gateway.jks')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('server1: private-key');
    expect(result.stderr).toMatch(/warning: .*integrity/i);
  });

  it('prints text with every certificate field', async () => {
    const result = await hapki(['list', join(FIXTURES, 'gateway.p12'), '--storepass', 'env:STOREPASS'], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Keystore format: PKCS12, 2 entries\n/);
    for (const field of ['Subject:', 'Issuer:', 'Serial:', 'Valid:', 'SAN:     DNS:msas1.example.com', 'SHA-256:']) expect(result.stdout).toContain(field);
  });

  it('wrong password: exit 1, one line with ERR_KEYSTORE_PASSWORD, no stack trace', async () => {
    for (const name of ['gateway.p12', 'gateway.jks', 'gateway.jceks', 'gateway-legacy.p12']) {
      const result = await hapki(['list', join(FIXTURES, name), '--storepass', 'env:WRONG'], { env: { WRONG: 'not-it' } });
      expect(result.code, name).toBe(1);
      expect(result.stderr, name).toMatch(ONE_LINE_ERROR('ERR_KEYSTORE_PASSWORD'));
    }
  });

  it('a PKCS#12 with no password given at all: ERR_PASSWORD_REQUIRED', async () => {
    const result = await hapki(['list', join(FIXTURES, 'gateway.p12')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(ONE_LINE_ERROR('ERR_PASSWORD_REQUIRED'));
  });

  it('a missing file and a file that is no keystore give their codes', async () => {
    expect((await hapki(['list', join(dir, 'nope.p12')])).stderr).toMatch(ONE_LINE_ERROR('ERR_FILE_NOT_FOUND'));
    const result = await hapki(['list', join(FIXTURES, 'make_fixtures.sh')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(ONE_LINE_ERROR('ERR_KEYSTORE_FORMAT'));
  });

  it('usage errors exit 2', async () => {
    expect((await hapki(['list'])).code).toBe(2);
    expect((await hapki(['list', 'x', '--bogus'])).code).toBe(2);
    expect((await hapki(['frobnicate'])).code).toBe(2);
  });

  it('every command has help with examples and exit codes', async () => {
    for (const command of ['list', 'export', 'convert']) {
      const result = await hapki([command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Examples:');
      expect(result.stdout).toContain('Exit codes:');
    }
  });
});
