import { describe, expect, it } from 'vitest';
import { sunProtect, sunRecover } from '../../../src/keystore/jks/key_protector.js';

describe('Sun JKS key protector', () => {
  const key = new Uint8Array(Array.from({ length: 117 }, (_, i) => (i * 7) & 0xff));

  it('round-trips with any password, including non-ASCII', () => {
    for (const password of ['changeit', '', 'ლ(ಠ益ಠლ)']) {
      const data = sunProtect(key, password);
      expect(data.length).toBe(20 + key.length + 20);
      expect(sunRecover(data, password)).toEqual(key);
    }
  });

  it('tells a wrong password by its check value', () => {
    const data = sunProtect(key, 'right');
    expect(sunRecover(data, 'wrong')).toBeUndefined();
    expect(sunRecover(data.subarray(0, 30), 'right')).toBeUndefined();
  });

  it('is deterministic for a given salt', () => {
    const salt = new Uint8Array(20).fill(9);
    expect(sunProtect(key, 'pw', salt)).toEqual(sunProtect(key, 'pw', salt));
  });
});
