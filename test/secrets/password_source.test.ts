import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describePasswordSource, parsePasswordSource, readFirstLine } from '../../src/secrets/password_source.js';

describe('parsePasswordSource: one grammar for the CLI, cluster files and audit configurations', () => {
  it('reads every form, a relative file against the base directory', () => {
    expect(parsePasswordSource('env:STOREPASS')).toEqual({ kind: 'env', name: 'STOREPASS' });
    expect(parsePasswordSource('file:secrets/p', '/etc/hapki')).toEqual({ kind: 'file', path: '/etc/hapki/secrets/p' });
    expect(parsePasswordSource('file:/abs/p', '/etc/hapki')).toEqual({ kind: 'file', path: '/abs/p' });
    expect(parsePasswordSource('fd:3')).toEqual({ kind: 'fd', fd: 3 });
    expect(parsePasswordSource('stdin')).toEqual({ kind: 'stdin' });
    expect(parsePasswordSource('pass:')).toEqual({ kind: 'pass', value: '' });
  });

  it('says what is wrong without repeating what was given, and shows no secret', () => {
    for (const bad of ['hunter2', 'env:', 'env:1X', 'file:', 'fd:x', 'STDIN']) {
      const result = parsePasswordSource(bad);
      expect(typeof result, bad).toBe('string');
      expect(result as string).not.toContain(bad.replace(/^(env|file|fd):/, '') || '\0');
    }
    expect(describePasswordSource({ kind: 'pass', value: 'secret' })).toBe('pass:…');
  });
});

describe('readFirstLine of a named FIFO (file:PATH)', () => {
  it('fails coded, instead of blocking for ever, when no process ever writes to it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hapki-fifo-'));
    try {
      const fifo = join(dir, 'pass.fifo');
      execFileSync('mkfifo', [fifo]);
      expect(() => readFirstLine(fifo, 'store password')).toThrow(expect.objectContaining({ code: 'ERR_PASSWORD_SOURCE', message: expect.stringContaining('no process wrote to the FIFO') }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('still reads the line a writer holding the FIFO open has written (as file:<(pass show x))', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hapki-fifo-'));
    // on Linux, opening a FIFO read-write does not wait for a reader: the test is its writer
    let writer: number | undefined;
    try {
      const fifo = join(dir, 'pass.fifo');
      execFileSync('mkfifo', [fifo]);
      writer = openSync(fifo, 'r+');
      writeSync(writer, 's3cret\nrest');
      expect(readFirstLine(fifo, 'store password')).toBe('s3cret');
    } finally {
      if (writer !== undefined) closeSync(writer);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
