import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readlinkSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DescriptorLines, describePasswordSource, parsePasswordSource, readFirstLine } from '../../src/secrets/password_source.js';

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

describe('DescriptorLines (fd:N)', () => {
  // regression: the first option's read took the whole pipe or file, and a second option naming
  // the same descriptor got an empty password (refused as empty for a new store, used as-is otherwise)
  it('gives each option naming one descriptor its own line, in order, then fails coded past the end', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hapki-fd-'));
    const fd = openSync(join(dir, 'p'), 'w+');
    try {
      writeFileSync(fd, 'first\r\nsecond\nthird');
      const lines = new DescriptorLines();
      const fresh = openSync(join(dir, 'p'), 'r');
      try {
        expect([lines.next(fresh, 'a'), lines.next(fresh, 'b'), lines.next(fresh, 'c')]).toEqual(['first', 'second', 'third']);
        expect(() => lines.next(fresh, 'd')).toThrow(expect.objectContaining({ code: 'ERR_PASSWORD_SOURCE', message: expect.stringContaining('no more lines') }));
      } finally {
        closeSync(fresh);
      }
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says a descriptor open for writing only is not open for reading (it said "not an open file descriptor")', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hapki-fd-'));
    const fd = openSync(join(dir, 'w'), 'w');
    try {
      expect(() => new DescriptorLines().next(fd, 'store password')).toThrow(expect.objectContaining({ code: 'ERR_PASSWORD_SOURCE', message: `store password: cannot read fd ${fd} (not open for reading: give it as ${fd}<file)` }));
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // regression: fd:3 with no 3<file read one of Node's own descriptors (an event poll: a bare "EINVAL")
  it('refuses a descriptor that is no file, pipe or terminal (one Node opened for itself), naming it only', () => {
    const own = readdirSync('/proc/self/fd').map(Number).find((n) => {
      try {
        return /^anon_inode:/.test(readlinkSync(`/proc/self/fd/${n}`));
      } catch {
        return false;
      }
    });
    expect(own).toBeDefined();
    expect(() => new DescriptorLines().next(own!, 'store password')).toThrow(expect.objectContaining({ code: 'ERR_PASSWORD_SOURCE', message: `store password: fd ${own} is not a file, pipe or terminal given to hapki (open it for hapki, as ${own}<file)` }));
  });
});
