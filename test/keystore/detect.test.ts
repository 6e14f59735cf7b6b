import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../src/keystore/detect.js';
import { fixture } from '../helpers/fixtures.js';

describe('detectFormat', () => {
  it.each([
    ['gateway.p12', 'PKCS12'],
    ['gateway-legacy.p12', 'PKCS12'],
    ['gateway.jks', 'JKS'],
    ['gateway.jceks', 'JCEKS'],
    ['gateway.pem', 'PEM'],
    ['ca.pem', 'PEM'],
  ] as const)('%s is %s, by content', (name, format) => {
    expect(detectFormat(fixture(name))).toBe(format);
  });

  it('tells a DER certificate from a PKCS#12 file', () => {
    const pem = new TextDecoder().decode(fixture('ca.pem'));
    const der = new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
    expect(detectFormat(der)).toBe('DER');
  });

  it('rejects empty and unknown input with ERR_KEYSTORE_FORMAT', () => {
    expect(() => detectFormat(new Uint8Array())).toThrow(expect.objectContaining({ code: 'ERR_KEYSTORE_FORMAT' }));
    expect(() => detectFormat(new TextEncoder().encode('hello world'))).toThrow(expect.objectContaining({ code: 'ERR_KEYSTORE_FORMAT' }));
    expect(() => detectFormat(Uint8Array.of(0x30, 0x84, 0x7f, 0xff, 0xff, 0xff))).toThrow(expect.objectContaining({ code: 'ERR_KEYSTORE_FORMAT' }));
  });

  it('says a truncated PKCS#12 is truncated, not of an unknown format', () => {
    const p12 = fixture('gateway.p12');
    expect(() => detectFormat(p12.subarray(0, 100))).toThrow(expect.objectContaining({ code: 'ERR_KEYSTORE_FORMAT', message: expect.stringMatching(/exceeds/) }));
  });

  it('knows BouncyCastle stores: BKS is read; UBER and BCFKS are named (ERR_UNSUPPORTED_KEYSTORE), not "unrecognised"', () => {
    expect(detectFormat(fixture('bouncycastle/bc.bks'))).toBe('BKS');
    expect(() => detectFormat(fixture('bouncycastle/bc.uber'))).toThrow(expect.objectContaining({ code: 'ERR_UNSUPPORTED_KEYSTORE', message: expect.stringMatching(/BouncyCastle UBER/) }));
    expect(() => detectFormat(fixture('bouncycastle/bc.bcfks'))).toThrow(expect.objectContaining({ code: 'ERR_UNSUPPORTED_KEYSTORE', message: expect.stringMatching(/BouncyCastle BCFKS/) }));
  });

  it('does not take any file starting with a small integer for BKS: the header must hold together', () => {
    const junk = new Uint8Array(64).fill(0xab);
    junk.set([0, 0, 0, 2, 0, 0, 0, 20]);
    expect(() => detectFormat(junk)).toThrow(expect.objectContaining({ code: 'ERR_KEYSTORE_FORMAT' }));
    const hugeSalt = fixture('bouncycastle/bc.bks').slice();
    hugeSalt.set([0x7f, 0xff, 0xff, 0xff], 4);
    expect(() => detectFormat(hugeSalt)).toThrow(expect.objectContaining({ code: 'ERR_KEYSTORE_FORMAT' }));
  });
});
