import { describe, expect, it } from 'vitest';
import { oid, sequence, setOf, tlv, utf8String } from '../../src/asn1/der_writer.js';
import { nameText, namesMatch, nameWithin, prepare, rdnCount } from '../../src/path/dn_match.js';

const PRINTABLE = 0x13;
const CN = '2.5.4.3';
const O = '2.5.4.10';
const C = '2.5.4.6';
const printable = (text: string): Uint8Array => tlv(PRINTABLE, new TextEncoder().encode(text));
const atv = (type: string, value: Uint8Array): Uint8Array => sequence(oid(type), value);
const name = (...rdns: Uint8Array[][]): Uint8Array => sequence(...rdns.map((r) => setOf(...r)));

describe('RFC 5280 7.1 name matching with RFC 4518 preparation', () => {
  const base = name([atv(C, printable('US'))], [atv(O, printable('Test Certificates 2011'))], [atv(CN, printable('Good CA'))]);

  it('matches across case, insignificant whitespace and PrintableString vs UTF8String', () => {
    expect(namesMatch(base, name([atv(C, printable('us'))], [atv(O, utf8String('  test   CERTIFICATES 2011 '))], [atv(CN, utf8String('good ca'))]))).toBe(true);
  });

  it('does not match another value, another order, or another RDN count', () => {
    expect(namesMatch(base, name([atv(C, printable('US'))], [atv(O, printable('Test Certificates 2011'))], [atv(CN, printable('Good CA2'))]))).toBe(false);
    expect(namesMatch(base, name([atv(O, printable('Test Certificates 2011'))], [atv(C, printable('US'))], [atv(CN, printable('Good CA'))]))).toBe(false);
    expect(namesMatch(base, name([atv(C, printable('US'))], [atv(O, printable('Test Certificates 2011'))]))).toBe(false);
    // inner spaces are significant as one space: "GoodCA" is another name
    expect(namesMatch(base, name([atv(C, printable('US'))], [atv(O, printable('Test Certificates 2011'))], [atv(CN, printable('GoodCA'))]))).toBe(false);
  });

  it('prepares printable ASCII and other text alike: case, tabs and other spaces, controls, compatibility forms', () => {
    expect(prepare('  Test   CERTIFICATES 2011 ')).toBe('test certificates 2011');
    expect(prepare('Good\tCA')).toBe('good ca');
    expect(prepare('Good\u00a0CA\u200b')).toBe('good ca');
    expect(prepare('\uff27ood CA')).toBe('good ca');
    expect(namesMatch(name([atv(CN, utf8String('Good\tCA'))]), name([atv(CN, printable('good ca'))]))).toBe(true);
  });

  it('counts the RDNs of a name from its framing, -1 for what is not one', () => {
    expect(rdnCount(base)).toBe(3);
    expect(rdnCount(name([atv(CN, printable('x')), atv(O, printable('y'))]))).toBe(1);
    expect(rdnCount(new Uint8Array([0x30, 0x05, 1]))).toBe(-1);
  });

  it('compares a multi-valued RDN as a set', () => {
    const a = name([atv(CN, printable('x')), atv(O, printable('y'))]);
    const b = name([atv(O, printable('Y')), atv(CN, printable('X'))]);
    expect(namesMatch(a, b)).toBe(true);
  });

  it('directoryName subtrees: a prefix of RDNs, prepared the same way', () => {
    expect(nameWithin(base, name([atv(C, utf8String('us'))], [atv(O, printable('test certificates 2011'))]))).toBe(true);
    expect(nameWithin(base, name([atv(C, printable('US'))], [atv(O, printable('Other'))]))).toBe(false);
  });

  it('an unreadable name matches only the same bytes', () => {
    const junk = new Uint8Array([0x30, 0x03, 0x31, 0x01, 0x00]);
    expect(namesMatch(junk, new Uint8Array(junk))).toBe(true);
    expect(namesMatch(junk, base)).toBe(false);
    expect(nameText(base)).toBe('CN=Good CA, O=Test Certificates 2011, C=US');
  });

  it('a name in a message shows at most 64 characters of each value: a value built to fill it (a certificate as hex) is cut', () => {
    const long = name([atv(CN, utf8String(`\x1b${'a'.repeat(5000)}`))], [atv(O, sequence(tlv(0x04, new Uint8Array(2000).fill(0xab))))], [atv(C, printable('US'))]);
    const text = nameText(long);
    expect(text).toMatch(/^C=US, O=#3082[0-9a-f]*\.\.\.\(\d+ characters\), CN=\\u001baaaa[a]*\.\.\.\(5006 characters\)$/);
    expect(text.length).toBeLessThan(250);
    expect(text).not.toContain('abababababababababababababababababababababababababababababababababababab');
  });
});
