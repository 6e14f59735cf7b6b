import { openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tools.js';

const dir = tempDir();
const store = join(FIXTURES, 'gateway.p12');

describe('password sources', () => {
  it('env:NAME', async () => {
    const r = await hapki(['list', store, '--storepass', 'env:P'], { env: { P: 'changeit' } });
    expect(r).toMatchObject({ code: 0, stderr: '' });
  });

  it('file:PATH reads the first line only', async () => {
    const file = join(dir, 'pass.txt');
    writeFileSync(file, 'changeit\nsecond line\n');
    expect((await hapki(['list', store, '--storepass', `file:${file}`])).code).toBe(0);
  });

  it('fd:N', async () => {
    const file = join(dir, 'pass-fd.txt');
    writeFileSync(file, 'changeit\n');
    const fd = openSync(file, 'r');
    const r = await hapki(['list', store, '--storepass', 'fd:3'], { stdio: ['pipe', 'pipe', 'pipe', fd] });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('stdin, one line per option in order', async () => {
    const out = join(dir, 'from-stdin.p12');
    const r = await hapki(['convert', store, out, '--storepass', 'stdin', '--outpass', 'stdin'], { input: 'changeit\nnewpass\n' });
    expect(r.code).toBe(0);
    expect((await hapki(['list', out, '--storepass', 'env:P'], { env: { P: 'newpass' } })).code).toBe(0);
  });

  it('pass:LITERAL works but warns, and the warning does not repeat the password', async () => {
    const r = await hapki(['list', store, '--storepass', 'pass:changeit']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: .*process list/);
    expect(r.stderr).not.toContain('changeit');
  });

  it('a bad source is ERR_PASSWORD_SOURCE and never echoes what was given', async () => {
    const unset = await hapki(['list', store, '--storepass', 'env:NOT_SET_ANYWHERE']);
    expect(unset.code).toBe(1);
    expect(unset.stderr).toMatch(ONE_LINE_ERROR('ERR_PASSWORD_SOURCE'));
    const bare = await hapki(['list', store, '--storepass', 'hunter2']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(ONE_LINE_ERROR('ERR_USAGE'));
    expect(bare.stderr).not.toContain('hunter2');
    const endless = await hapki(['list', store, '--storepass', 'file:/dev/zero']);
    expect(endless.code).toBe(1);
    expect(endless.stderr).toMatch(ONE_LINE_ERROR('ERR_PASSWORD_SOURCE'));
    const missing = await hapki(['list', store, '--storepass', `file:${join(dir, 'absent')}`]);
    expect(missing.stderr).toMatch(ONE_LINE_ERROR('ERR_PASSWORD_SOURCE'));
  });
});
