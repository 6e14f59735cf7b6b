import { describe, expect, it } from 'vitest';
import { Tag } from '../../src/asn1/der_reader.js';
import { compactTree, derChunks, DerTree, encodeDer, explicit, explicitTree, implicitPrimitive, octetString, oid, primitiveTree, sequence, sequenceTree, type DerPart } from '../../src/asn1/der_writer.js';
import { concatBytes } from '../../src/lib/bytes.js';

// The tree writer (serialised once, as the PKCS#12 writer uses it for large stores) must give
// the very bytes the copying encoders give, at every length-octet boundary and nesting depth.
function leaf(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

const SIZES = [0, 1, 125, 126, 127, 128, 129, 250, 253, 255, 256, 257, 65_531, 65_535, 65_536, 65_540, 16_777_215, 16_777_216];

function bothWays(content: Uint8Array, depth: number): { eager: Uint8Array; tree: DerPart } {
  let eager = octetString(content);
  let tree: DerPart = primitiveTree(Tag.octetString, content);
  for (let level = 0; level < depth; level++) {
    const name = oid('1.2.840.113549.1.7.1');
    if (level % 3 === 0) {
      eager = sequence(name, eager, implicitPrimitive(0, content.subarray(0, 3)));
      tree = sequenceTree(name, tree, primitiveTree(0x80, content.subarray(0, 3)));
    } else if (level % 3 === 1) {
      eager = explicit(level, eager);
      tree = explicitTree(level, tree);
    } else {
      // an OCTET STRING wrapping DER, as PKCS#12 wraps its AuthenticatedSafe
      eager = octetString(sequence(eager));
      tree = primitiveTree(Tag.octetString, sequenceTree(tree));
    }
  }
  return { eager, tree };
}

describe('DER tree writer', () => {
  it('encodes nested structures to the same bytes as the copying encoders, at every length boundary', () => {
    for (const size of SIZES) {
      for (const depth of [0, 1, 2, 3, 7]) {
        const { eager, tree } = bothWays(leaf(size, depth), depth);
        const encoded = encodeDer(tree);
        expect(encoded.length).toBe(eager.length);
        expect(Buffer.from(encoded).equals(Buffer.from(eager)), `size ${size}, depth ${depth}`).toBe(true);
        // the chunks (what the PKCS#12 MAC reads) are the same bytes, in order
        expect(Buffer.from(concatBytes([...derChunks(tree)])).equals(Buffer.from(eager))).toBe(true);
      }
    }
  });

  it('writes a sequence of many parts, shared parts included, as sequence() does', () => {
    const shared = sequence(oid('1.2.3'), octetString(leaf(40, 1)));
    const items = Array.from({ length: 2000 }, (_, i) => (i % 2 === 0 ? shared : octetString(leaf(i % 300, i))));
    const trees = items.map((item, i) => (i % 2 === 0 ? item : primitiveTree(Tag.octetString, leaf(i % 300, i))));
    expect(Buffer.from(encodeDer(sequenceTree(...trees))).equals(Buffer.from(sequence(...items)))).toBe(true);
  });

  it('writes the length octets X.690 prescribes (short form, then the fewest long-form octets)', () => {
    const head = (n: number): number[] => [...encodeDer(primitiveTree(Tag.octetString, new Uint8Array(n))).subarray(0, 6)];
    expect(head(127).slice(0, 2)).toEqual([0x04, 0x7f]);
    expect(head(128).slice(0, 3)).toEqual([0x04, 0x81, 0x80]);
    expect(head(256).slice(0, 4)).toEqual([0x04, 0x82, 0x01, 0x00]);
    expect(head(65_536).slice(0, 5)).toEqual([0x04, 0x83, 0x01, 0x00, 0x00]);
    expect(head(16_777_216)).toEqual([0x04, 0x84, 0x01, 0x00, 0x00, 0x00]);
  });

  it('compactTree: the same bytes, small pieces merged into runs, large leaves kept by reference', () => {
    for (const size of SIZES.filter((n) => n < 1_000_000)) {
      for (const depth of [0, 1, 3]) {
        const { eager, tree } = bothWays(leaf(size, depth), depth);
        if (!(tree instanceof DerTree)) continue;
        const compact = compactTree(tree);
        expect(Buffer.from(encodeDer(compact)).equals(Buffer.from(eager)), `size ${size}, depth ${depth}`).toBe(true);
      }
    }
    // a certificate bag: what precedes the certificate is one run, the certificate itself is not copied
    const cert = leaf(900, 5);
    const bag = sequenceTree(oid('1.2.840.113549.1.12.10.1.3'), explicitTree(0, sequenceTree(oid('1.2.840.113549.1.9.22.1'), explicitTree(0, primitiveTree(Tag.octetString, cert)))), sequence(oid('1.2.3'), octetString(leaf(20, 2))));
    const compact = compactTree(bag);
    expect(compact.parts).toHaveLength(3);
    expect(compact.parts[1]).toBe(cert);
    expect(Buffer.from(encodeDer(compact)).equals(Buffer.from(encodeDer(bag)))).toBe(true);
  });

  it('passes encoded bytes through unchanged', () => {
    const bytes = sequence(oid('1.2.3'));
    expect(encodeDer(bytes)).toBe(bytes);
  });

  it('refuses identifiers it cannot write', () => {
    expect(() => explicitTree(31, new Uint8Array(0))).toThrow(TypeError);
    expect(() => primitiveTree(0x30, new Uint8Array(0))).toThrow(TypeError);
  });
});
