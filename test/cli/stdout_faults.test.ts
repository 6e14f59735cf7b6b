import { openSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/fixtures.js';

// Regression: a standard output that cannot be written (a full disk, /dev/full) made the stream's
// 'error' event throw, ending the process with a stack trace and the bundle's minified source,
// after hapki had already said it wrote the output.
const env = { STOREPASS: 'changeit' };

/** The built binary with its standard output on /dev/full, which fails every write with ENOSPC. */
function toFullDisk(args: string[]): ReturnType<typeof hapki> {
  const full = openSync('/dev/full', 'w');
  return hapki(args, { env, stdio: ['pipe', full, 'pipe'] });
}

describe('a standard output that cannot be written is one ERR_IO line and a failure', () => {
  it.each([
    ['export --out - (bytes)', ['export', join(FIXTURES, 'gateway.p12'), '--alias', 'server1', '--what', 'cert', '--out', '-', '--storepass', 'env:STOREPASS']],
    ['list (text)', ['list', join(FIXTURES, 'gateway.p12'), '--storepass', 'env:STOREPASS']],
    ['list --json', ['list', join(FIXTURES, 'gateway.p12'), '--storepass', 'env:STOREPASS', '--json']],
    ['--help', ['--help']],
  ])('%s', async (_name, args) => {
    const result = await toFullDisk(args);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(ONE_LINE_ERROR('ERR_IO'));
    expect(result.stderr).toContain('cannot write standard output: ENOSPC');
    expect(result.stderr).not.toContain('wrote');
  });

});
