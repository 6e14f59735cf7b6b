import { describe, expect, it } from 'vitest';
import { derProblem } from '../../src/asn1/der_strict.js';

describe('derProblem: DER as X.690 distinguishes it from BER', () => {
  const cases: [string, number[], RegExp | undefined][] = [
    ['a SEQUENCE of an INTEGER and a NULL', [0x30, 0x05, 0x02, 0x01, 0x05, 0x05, 0x00], undefined],
    ['an empty SEQUENCE', [0x30, 0x00], undefined],
    ['a long-form length of 128', [0x04, 0x81, 0x80, ...new Array<number>(128).fill(0)], undefined],
    ['an indefinite length', [0x30, 0x80, 0x05, 0x00, 0x00, 0x00], /indefinite/],
    ['a long-form length under 128', [0x04, 0x81, 0x01, 0x00], /under 128/],
    ['a length with a leading zero octet', [0x04, 0x82, 0x00, 0x01, 0x00], /leading zero/],
    ['a constructed OCTET STRING', [0x24, 0x03, 0x04, 0x01, 0x00], /constructed/],
    ['a BOOLEAN of 01', [0x01, 0x01, 0x01], /BOOLEAN/],
    ['an INTEGER with a redundant 00', [0x02, 0x02, 0x00, 0x7f], /INTEGER/],
    ['an INTEGER with a redundant FF', [0x02, 0x02, 0xff, 0x80], /INTEGER/],
    ['an empty INTEGER', [0x02, 0x00], /INTEGER/],
    ['a NULL with contents', [0x05, 0x01, 0x00], /NULL/],
    ['a low tag number in long form', [0x9f, 0x01, 0x00], /long form/],
    ['trailing bytes', [0x05, 0x00, 0x00], /trailing/],
    ['a nested problem', [0x30, 0x04, 0x30, 0x02, 0x02, 0x00], /INTEGER/],
    ['a length past the end', [0x30, 0x05, 0x05, 0x00], /past the end/],
  ];
  for (const [what, bytes, problem] of cases) {
    it(what, () => {
      const found = derProblem(Uint8Array.from(bytes));
      if (problem) expect(found).toMatch(problem);
      else expect(found).toBeUndefined();
    });
  }
});
