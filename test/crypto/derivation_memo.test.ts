import { describe, expect, it } from 'vitest';
import { memoizedDerivation, withDerivationMemo } from '../../src/crypto/pbe/derivation_memo.js';
import { derivePkcs12Key, pkcs12PasswordBytes, Pkcs12KdfPurpose } from '../../src/crypto/pbe/pkcs12_kdf.js';
import { derivePbkdf2 } from '../../src/crypto/pbe/pbkdf2.js';

describe('derivation memo', () => {
  it('remembers a derivation for the same inputs within a job only', async () => {
    let runs = 0;
    const derive = async (): Promise<Uint8Array> => {
      runs++;
      return new Uint8Array([1, 2, 3]);
    };
    // outside a job: derived every time
    await memoizedDerivation(['k', 'pw', 1], derive);
    await memoizedDerivation(['k', 'pw', 1], derive);
    expect(runs).toBe(2);
    let kept: Uint8Array | undefined;
    await withDerivationMemo(async () => {
      const first = await memoizedDerivation(['k', 'pw', 1], derive);
      first.fill(9); // a caller scribbling on its copy changes nothing remembered
      const again = await memoizedDerivation(['k', 'pw', 1], derive);
      expect([...again]).toEqual([1, 2, 3]);
      expect(runs).toBe(3);
      // any input differing, or inputs that would concatenate alike, is another derivation
      await memoizedDerivation(['k', 'pw', 2], derive);
      await memoizedDerivation(['k', 'p', 'w1'], derive);
      await memoizedDerivation(['k', 'pw1', ''], derive);
      expect(runs).toBe(6);
      kept = again;
    });
    expect(kept).toBeDefined();
    // after the job: derived again
    await memoizedDerivation(['k', 'pw', 1], derive);
    expect(runs).toBe(7);
  });

  it('gives the same keys as deriving afresh (PKCS#12 KDF and PBKDF2), hit or miss', async () => {
    const password = pkcs12PasswordBytes('changeit');
    const salt = new Uint8Array(16).fill(7);
    const fresh = await derivePkcs12Key('sha256', password, salt, 2048, Pkcs12KdfPurpose.mac, 32);
    const freshPbkdf2 = await derivePbkdf2(new TextEncoder().encode('changeit'), { salt, iterations: 2048, prf: 'sha256' }, 32);
    await withDerivationMemo(async () => {
      for (let i = 0; i < 2; i++) {
        expect(await derivePkcs12Key('sha256', password, salt, 2048, Pkcs12KdfPurpose.mac, 32)).toEqual(fresh);
        expect(await derivePbkdf2(new TextEncoder().encode('changeit'), { salt, iterations: 2048, prf: 'sha256' }, 32)).toEqual(freshPbkdf2);
      }
      // another purpose from the same inputs is another key
      expect(await derivePkcs12Key('sha256', password, salt, 2048, Pkcs12KdfPurpose.key, 32)).not.toEqual(fresh);
    });
  });
});
