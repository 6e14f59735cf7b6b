import { describe, expect, it } from 'vitest';
import { escapeText, guardOutput, hasUnsafeText } from '../../src/text/escape.js';

describe('escapeText and guardOutput', () => {
  it('tag characters, noncharacters and the Hangul fillers are escaped: invisible, they would hide text in a subject', () => {
    const hidden = 'Ex\u{e0041}ample\ufffe\u3164';
    expect(hasUnsafeText(hidden)).toBe(true);
    expect(escapeText(hidden)).toBe('Ex\\udb40\\udc41ample\\ufffe\\u3164');
  });

  it('guardOutput escapes an astral character as its surrogate pair, so JSON output still parses to the same value', () => {
    const json = JSON.stringify({ subject: 'O=Ex\u{e0041}ample' });
    const guarded = guardOutput(json);
    expect(guarded).not.toMatch(/\u{e0041}/u);
    expect(JSON.parse(guarded)).toEqual({ subject: 'O=Ex\u{e0041}ample' });
  });

  it('ordinary non-ASCII text stays as it is', () => {
    expect(escapeText('Bücher GmbH, 東京, emoji 🙂')).toBe('Bücher GmbH, 東京, emoji 🙂');
  });
});
