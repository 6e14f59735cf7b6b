import { describe, expect, it } from 'vitest';
import { readDer } from '../../src/asn1/der_reader.js';
import { oid } from '../../src/asn1/der_writer.js';

describe('object identifiers', () => {
  it('round-trip through the writer and reader, arcs past 2^53 included (2.25 UUID OIDs)', () => {
    for (const dotted of ['1.2.840.113549.1.1.11', '2.5.29.17', '0.9.2342.19200300.100.1.25', '2.999.1', '2.25.329800735698586629295641978511506172918', '1.3.6.1.4.1.9007199254740993.7']) {
      expect(readDer(oid(dotted), 'oid').oid()).toBe(dotted);
    }
  });

  it('refuses an identifier whose last arc is cut off', () => {
    expect(() => readDer(Uint8Array.of(0x06, 0x02, 0x2a, 0x86), 'oid').oid()).toThrow(expect.objectContaining({ code: 'ERR_KEYSTORE_FORMAT' }));
  });
});
