import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';

/**
 * `hapki sign` leaves the request's consistency to the library (prepareSigning checks it once,
 * before the CA is read): each fault is still a usage error, exit 2, found before any file, and
 * of two faults the first in the library's order is the one reported.
 */
const dir = mkdtempSync(join(tmpdir(), 'hapki-sign-checks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// neither the request nor the CA exists: a check that let the command through would fail on reading them
const base = ['sign', join(dir, 'absent.csr'), '--ca', join(dir, 'absent-ca.p12'), '--out', join(dir, 'out.pem')];

describe('hapki sign refuses an inconsistent request before reading anything', () => {
  it.each([
    [['--profile', 'webserver'], '--profile must be one of server, client, server-client, token, ca'],
    [['--days', '3', '--not-after', '2030-01-01'], 'give --days or --not-after, not both'],
    [['--replace-san'], '--replace-san needs at least one --san'],
    [['--path-len', '1'], '--path-len constrains a CA certificate: give it with --profile ca, not server'],
    [['--profile', 'nope', '--days', '3', '--not-after', '2030-01-01'], '--profile must be one of server, client, server-client, token, ca'],
    [['--profile', 'ca', '--path-len', '1', '--replace-san'], '--replace-san needs at least one --san'],
    [['--replace-san', '--path-len', '0'], '--replace-san needs at least one --san'],
  ])('%j', async (args, message) => {
    const r = await hapki([...base, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_USAGE'));
    expect(r.stderr).toBe(`hapki: ${message} (ERR_USAGE)\n`);
    expect(r.stdout).toBe('');
  });
});
