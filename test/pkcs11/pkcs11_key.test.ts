import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CK } from '../../src/pkcs11/binding.js';
import { createKeyOnToken, generatePkcs11Key, listPkcs11Token, openPkcs11Key } from '../../src/pkcs11/pkcs11_key.js';
import { softHsm, USER_PIN } from '../helpers/softhsm.js';
import { openssl, tempDir, tool } from '../helpers/tools.js';

const hsm = softHsm();
const dir = tempDir();
const access = { module: hsm.module, pin: USER_PIN };

beforeAll(async () => {
  process.env.SOFTHSM2_CONF = hsm.conf;
  await hsm.initToken('hapki-ca');
});

function pem(spki: Uint8Array): string {
  return `-----BEGIN PUBLIC KEY-----\n${Buffer.from(spki).toString('base64').replace(/.{64}/g, '$&\n')}\n-----END PUBLIC KEY-----\n`;
}

async function opensslVerifies(spki: Uint8Array, data: Uint8Array, signature: Uint8Array, name: string): Promise<boolean> {
  writeFileSync(join(dir, `${name}.pub`), pem(spki));
  writeFileSync(join(dir, `${name}.data`), data);
  writeFileSync(join(dir, `${name}.sig`), signature);
  const result = await tool('openssl', ['dgst', '-sha256', '-verify', join(dir, `${name}.pub`), '-signature', join(dir, `${name}.sig`), join(dir, `${name}.data`)]);
  return result.code === 0 && result.stdout.includes('Verified OK');
}

describe('PKCS#11 keys in SoftHSM', () => {
  it.each([
    ['RSA 2048', { kty: 'rsa', bits: 2048 } as const, 'rsa-key', '300d06092a864886f70d01010b0500'],
    ['EC P-256', { kty: 'ec', curve: 'P-256' } as const, 'ec-key', '300a06082a8648ce3d040302'],
  ])('%s: made non-extractable on the token; its signatures verify with openssl against the token\'s public key', async (_name, spec, label, algorithm) => {
    const key = await generatePkcs11Key(`pkcs11:token=hapki-ca;object=${label}`, spec, access);
    try {
      expect(Buffer.from(key.signer.signatureAlgorithm).toString('hex')).toBe(algorithm);
      const data = new TextEncoder().encode(`tbs bytes for ${label}`);
      const signature = await key.signer.sign(data);
      expect(await opensslVerifies(key.signer.publicKeyInfo, data, signature, label)).toBe(true);
      expect(await opensslVerifies(key.signer.publicKeyInfo, new TextEncoder().encode('other bytes'), signature, `${label}-other`)).toBe(false);
      expect(() => key.exportPrivateKey()).toThrow(expect.objectContaining({ code: 'ERR_PKCS11_DEVICE' }));
    } finally {
      key.close();
    }
    // opened again by label: the same public key, and the token says it can never leave
    const reopened = await openPkcs11Key(`pkcs11:token=hapki-ca;object=${label}`, access);
    try {
      expect(reopened.signer.publicKeyInfo).toEqual(key.signer.publicKeyInfo);
      expect(reopened.object.keyType).toBe(spec.kty === 'rsa' ? 'RSA' : 'EC');
    } finally {
      reopened.close();
    }
    const listing = await listPkcs11Token('pkcs11:token=hapki-ca', access);
    const entry = listing.entries.find((e) => e.alias === label);
    expect(entry).toMatchObject({ type: 'private-key', extractable: false, algorithm: spec.kty === 'rsa' ? 'RSA' : 'EC P-256' });
    expect(CK.CKA_EXTRACTABLE).toBe(0x162);
  });

  it('an --extractable key can be exported as PKCS#8 and signs the same', async () => {
    const key = await generatePkcs11Key('pkcs11:token=hapki-ca;object=shared-token', { kty: 'ec', curve: 'P-256' }, access, { extractable: true });
    try {
      const pkcs8 = key.exportPrivateKey();
      writeFileSync(join(dir, 'exported.der'), pkcs8);
      const pub = await openssl(['pkey', '-inform', 'DER', '-in', join(dir, 'exported.der'), '-pubout']);
      expect(pub.stdout).toBe(pem(key.signer.publicKeyInfo));
      const data = new TextEncoder().encode('x');
      expect(await opensslVerifies(key.signer.publicKeyInfo, data, await key.signer.sign(data), 'extractable')).toBe(true);
    } finally {
      key.close();
    }
  });

  it('on a module without CKM_SHA256_RSA_PKCS, RSA signs through CKM_RSA_PKCS with a hapki-made DigestInfo', async () => {
    const key = await openPkcs11Key('pkcs11:token=hapki-ca;object=rsa-key', access);
    try {
      const token = (key.signer as unknown as { token: { supports: (m: number) => boolean } }).token;
      const supports = token.supports.bind(token);
      let asked = false;
      token.supports = (m) => {
        if (m === CK.CKM_SHA256_RSA_PKCS) {
          asked = true;
          return false;
        }
        return supports(m);
      };
      const data = new TextEncoder().encode('raw PKCS#1');
      expect(await opensslVerifies(key.signer.publicKeyInfo, data, await key.signer.sign(data), 'raw-rsa')).toBe(true);
      expect(asked).toBe(true);
    } finally {
      key.close();
    }
  });

  it('a key whose certificate could not be made is removed again, leaving the token as it was', async () => {
    const location = 'pkcs11:token=hapki-ca;object=half-made';
    const failing = createKeyOnToken(location, { kty: 'ec', curve: 'P-256' }, access, {}, async () => {
      throw new Error('certify failed');
    });
    await expect(failing).rejects.toThrow('certify failed');
    await expect(openPkcs11Key(location, access)).rejects.toMatchObject({ code: 'ERR_PKCS11_OBJECT_NOT_FOUND' });
    expect((await listPkcs11Token('pkcs11:token=hapki-ca', access)).entries.map((e) => e.alias)).not.toContain('half-made');
  });

  it('refuses a label already in use (ERR_PKCS11_OBJECT_EXISTS)', async () => {
    await expect(generatePkcs11Key('pkcs11:token=hapki-ca;object=rsa-key', { kty: 'rsa', bits: 2048 }, access)).rejects.toMatchObject({ code: 'ERR_PKCS11_OBJECT_EXISTS' });
  });

  it('a wrong PIN is ERR_PKCS11_PIN; no PIN is ERR_PASSWORD_REQUIRED', async () => {
    await expect(openPkcs11Key('pkcs11:token=hapki-ca;object=rsa-key', { module: hsm.module, pin: '000000' })).rejects.toMatchObject({ code: 'ERR_PKCS11_PIN' });
    await expect(openPkcs11Key('pkcs11:token=hapki-ca;object=rsa-key', { module: hsm.module })).rejects.toMatchObject({ code: 'ERR_PASSWORD_REQUIRED' });
  });

  it('a missing object, token or module each has its code', async () => {
    await expect(openPkcs11Key('pkcs11:token=hapki-ca;object=nope', access)).rejects.toMatchObject({ code: 'ERR_PKCS11_OBJECT_NOT_FOUND' });
    await expect(openPkcs11Key('pkcs11:token=other;object=rsa-key', access)).rejects.toMatchObject({ code: 'ERR_PKCS11_TOKEN_NOT_FOUND', message: expect.stringContaining('"hapki-ca"') });
    await expect(openPkcs11Key('pkcs11:token=hapki-ca;object=rsa-key', { ...access, module: join(dir, 'no-such-module.so') })).rejects.toMatchObject({ code: 'ERR_PKCS11_MODULE' });
    writeFileSync(join(dir, 'not-a-module.so'), 'not a library');
    await expect(openPkcs11Key('pkcs11:token=hapki-ca;object=rsa-key', { ...access, module: join(dir, 'not-a-module.so') })).rejects.toMatchObject({ code: 'ERR_PKCS11_MODULE' });
    await expect(openPkcs11Key('pkcs11:token=hapki-ca', access)).rejects.toMatchObject({ code: 'ERR_PKCS11_URI' });
  });
});
