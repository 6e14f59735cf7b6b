import { describe, expect, it } from 'vitest';
import { describePasswordSource, parsePasswordSource } from '../../src/secrets/password_source.js';

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
