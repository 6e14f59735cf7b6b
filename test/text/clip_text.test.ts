import { describe, expect, it } from 'vitest';
import { clipText, escapeText, MAX_MESSAGE_CHARS } from '../../src/text/escape.js';

describe('clipText: a message quoting a huge input stays short', () => {
  it('leaves a short message alone', () => {
    expect(clipText('alias "x" not found')).toBe('alias "x" not found');
  });

  it('keeps the head and the tail of a long one, and says how much was cut', () => {
    const message = `subject alternative name "${'a'.repeat(100_000)}" is not valid`;
    const clipped = clipText(message);
    expect(clipped.length).toBeLessThan(MAX_MESSAGE_CHARS + 40);
    expect(clipped.startsWith('subject alternative name "aaa')).toBe(true);
    expect(clipped.endsWith('aaa" is not valid')).toBe(true);
    expect(clipped).toMatch(/\.\.\.\[\d+ characters cut\]\.\.\./);
  });

  it('never leaves half an escape or half a surrogate pair at the cut', () => {
    for (let shift = 0; shift < 8; shift++) {
      const head = escapeText(`${'b'.repeat(shift)}${'\u001b\u202e'.repeat(400)}`);
      const clipped = clipText(head + '😀'.repeat(400), 100);
      const [before] = clipped.split('...[');
      expect(before).toMatch(/^b*(\\x1b|\\u202e)*$/);
      expect(clipped).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
    }
  });
});
