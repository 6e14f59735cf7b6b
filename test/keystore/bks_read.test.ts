import { generateKeyPairSync } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readBks } from '../../src/keystore/bc/bks_read.js';
import { MAX_BKS_ITERATIONS } from '../../src/keystore/bc/bks_format.js';
import { detectFormat } from '../../src/keystore/detect.js';
import type { PrivateKeyEntry, TrustedCertEntry } from '../../src/keystore/model.js';
import { bksCertificateEntry, bksKeyEntry, bksSealedEntry, bksStore, type BksKey } from '../helpers/bks.js';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { fixture } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tools.js';

/**
 * The BKS reader on crafted stores (test/helpers/bks.ts) with a valid HMAC: what it does after
 * the integrity check with entries BouncyCastle would not write, or writes only rarely.
 */
const PASS = 'store-pass';
const FIXTURE_PASS = 'bc-fixture-pass';

let pkcs8: Uint8Array; // the key of bc.bks, BouncyCastle's own
let leaf: Uint8Array; // its certificate
let other: Uint8Array; // an unrelated certificate
let foreignKey: Uint8Array; // a valid PKCS#8 key that is not the certificate's
const GARBAGE = Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00);

const privateKey = (encoded: Uint8Array): BksKey => ({ kind: 0, format: 'PKCS#8', algorithm: 'EC', encoded });

beforeAll(async () => {
  const bc = await readBks(fixture('bouncycastle/bc.bks'), { password: FIXTURE_PASS });
  const entry = bc.entries[0] as PrivateKeyEntry;
  pkcs8 = entry.key!;
  leaf = entry.chain[0]!;
  const pem = new TextDecoder().decode(fixture('ca.pem'));
  other = new Uint8Array(Buffer.from(pem.split('-----BEGIN CERTIFICATE-----')[1]!.split('-----END')[0]!.replace(/\s/g, ''), 'base64'));
  foreignKey = new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'der' }));
});

const formatError = (message: RegExp) => expect.objectContaining({ code: 'ERR_KEYSTORE_FORMAT', message: expect.stringMatching(message) });

describe('BKS: one alias twice', () => {
  it('keeps the last entry under an alias, with the warning the JKS reader gives; aliases differing in case are two entries, as in BouncyCastle\'s Hashtable', async () => {
    const store = await bksStore([bksCertificateEntry('a', other), bksCertificateEntry('A', other), bksCertificateEntry('a', leaf)], PASS);
    const read = await readBks(store, { password: PASS });
    expect(read.entries.map((e) => e.alias)).toEqual(['A', 'a']);
    expect(Buffer.from((read.entries[1] as TrustedCertEntry).certificate)).toEqual(Buffer.from(leaf));
    expect(read.warnings).toContain('duplicate alias "a": keeping the last of 2 entries, as keytool does');
  });

  it('convert writes one entry for the alias, not "a" and "a-2"', async () => {
    const dir = tempDir();
    const file = join(dir, 'dup.bks');
    writeFileSync(file, await bksStore([bksCertificateEntry('a', other), bksCertificateEntry('a', leaf)], PASS));
    const converted = await hapki(['convert', file, join(dir, 'dup.p12'), '--storepass', 'env:P'], { env: { P: PASS } });
    expect(converted.code).toBe(0);
    expect(converted.stderr).toMatch(/duplicate alias "a"/);
    expect(converted.stderr).not.toMatch(/a-2/);
    const listed = await hapki(['list', join(dir, 'dup.p12'), '--storepass', 'env:P', '--json'], { env: { P: PASS } });
    const entries = (JSON.parse(listed.stdout) as { entries: { alias: string }[] }).entries;
    expect(entries.map((e) => e.alias)).toEqual(['a']);
  });
});

describe('BKS: private-key bytes are parsed and matched to the chain when the key is opened', () => {
  it('a key in the clear that is not PKCS#8 is ERR_KEYSTORE_FORMAT naming the alias', async () => {
    const store = await bksStore([bksKeyEntry('k', [leaf], privateKey(GARBAGE))], PASS);
    await expect(readBks(store, { password: PASS })).rejects.toThrow(formatError(/private key "k" is not a valid PKCS#8 key/));
  });

  it('a sealed key that opens to garbage is ERR_KEYSTORE_FORMAT naming the alias', async () => {
    const store = await bksStore([await bksSealedEntry('k', [leaf], privateKey(GARBAGE), PASS)], PASS);
    await expect(readBks(store, { password: PASS })).rejects.toThrow(formatError(/private key "k" is not a valid PKCS#8 key/));
  });

  it('a valid key of another certificate is ERR_KEYSTORE_FORMAT: it does not belong to chain[0]', async () => {
    const store = await bksStore([await bksSealedEntry('k', [leaf], privateKey(foreignKey), PASS)], PASS);
    await expect(readBks(store, { password: PASS })).rejects.toThrow(formatError(/private key "k" does not belong to the first certificate of its chain/));
    const clear = await bksStore([bksKeyEntry('k', [leaf], privateKey(foreignKey))], PASS);
    await expect(readBks(clear, { password: PASS })).rejects.toThrow(formatError(/does not belong/));
  });

  it('the right key reads, sealed or in the clear, and a key without a chain must still parse', async () => {
    for (const entry of [await bksSealedEntry('k', [leaf], privateKey(pkcs8), PASS), bksKeyEntry('k', [leaf], privateKey(pkcs8)), bksKeyEntry('k', [], privateKey(pkcs8))]) {
      const read = await readBks(await bksStore([entry], PASS), { password: PASS });
      expect(Buffer.from((read.entries[0] as PrivateKeyEntry).key!)).toEqual(Buffer.from(pkcs8));
    }
    const noChain = await bksStore([bksKeyEntry('k', [], privateKey(GARBAGE))], PASS);
    await expect(readBks(noChain, { password: PASS })).rejects.toThrow(formatError(/private key "k"/));
  });

  it('the alias in the message is escaped, and the message is one line', async () => {
    const store = await bksStore([bksKeyEntry('k\u001b[31m\nx', [leaf], privateKey(GARBAGE))], PASS);
    const error = (await readBks(store, { password: PASS }).catch((e: unknown) => e)) as Error;
    expect(error.message).toContain('"k\\x1b[31m\\nx"');
    expect(error.message).not.toMatch(/[\u0000-\u001f]/);
  });

  it('a key of unknown kind, and a secret key with no algorithm, are ERR_KEYSTORE_FORMAT; a public key alone is still left out with a warning', async () => {
    const unknown = await bksStore([bksKeyEntry('u', [], { kind: 9, format: 'RAW', algorithm: 'AES', encoded: new Uint8Array(16) })], PASS);
    await expect(readBks(unknown, { password: PASS })).rejects.toThrow(formatError(/key "u" of unknown kind 9/));
    const nameless = await bksStore([bksKeyEntry('s', [], { kind: 2, format: 'RAW', algorithm: '', encoded: new Uint8Array(16) })], PASS);
    await expect(readBks(nameless, { password: PASS })).rejects.toThrow(formatError(/secret key "s" names no algorithm/));
    const sealedNameless = await bksStore([await bksSealedEntry('s', [], { kind: 2, format: 'RAW', algorithm: '', encoded: new Uint8Array(16) }, PASS)], PASS);
    await expect(readBks(sealedNameless, { password: PASS })).rejects.toThrow(formatError(/secret key "s" names no algorithm/));
    const aes = await readBks(await bksStore([bksKeyEntry('s', [], { kind: 2, format: 'RAW', algorithm: 'AES', encoded: new Uint8Array(16) })], PASS), { password: PASS });
    expect(aes.entries).toMatchObject([{ type: 'secret-key', alias: 's', algorithm: 'AES' }]);
    const publicOnly = await readBks(await bksStore([bksKeyEntry('p', [], { kind: 1, format: 'X.509', algorithm: 'EC', encoded: new Uint8Array(8) })], PASS), { password: PASS });
    expect(publicOnly.entries).toEqual([]);
    expect(publicOnly.warnings.join('\n')).toMatch(/"p" is a public key alone/);
  });

  it('hapki list names the file and the alias in one coded line; convert to .p12 and .pem fails and writes nothing', async () => {
    const dir = tempDir();
    const file = join(dir, 'garbage.bks');
    writeFileSync(file, await bksStore([bksKeyEntry('k', [leaf], privateKey(GARBAGE))], PASS));
    const env = { env: { P: PASS } };
    const listed = await hapki(['list', file, '--storepass', 'env:P'], env);
    expect(listed.code).toBe(1);
    expect(listed.stderr).toMatch(ONE_LINE_ERROR('ERR_KEYSTORE_FORMAT'));
    expect(listed.stderr).toContain('garbage.bks');
    expect(listed.stderr).toContain('private key "k"');
    for (const out of ['garbage.p12', 'garbage.pem']) {
      const converted = await hapki(['convert', file, join(dir, out), '--storepass', 'env:P', ...(out.endsWith('.pem') ? ['--no-encrypt'] : [])], env);
      expect(converted.code).toBe(1);
      expect(converted.stderr).toMatch(ONE_LINE_ERROR('ERR_KEYSTORE_FORMAT'));
      expect(existsSync(join(dir, out))).toBe(false);
    }
  });
});

describe('BKS: read without the store password', () => {
  it('with a key password the warning says keys are opened with it, not that they stay sealed', async () => {
    const store = await bksStore([await bksSealedEntry('k', [leaf], privateKey(pkcs8), 'key-pass')], PASS);
    const withKeyPass = await readBks(store, { keyPassword: 'key-pass' });
    expect((withKeyPass.entries[0] as PrivateKeyEntry).key).toBeDefined();
    const said = withKeyPass.warnings.join('\n');
    expect(said).not.toMatch(/stay sealed/);
    expect(said).toMatch(/integrity check was skipped; keys are opened with the key password given/);
    const byAlias = await readBks(store, { keyPasswords: { k: 'key-pass' } });
    expect(byAlias.warnings.join('\n')).not.toMatch(/stay sealed/);
    const none = await readBks(store, {});
    expect((none.entries[0] as PrivateKeyEntry).key).toBeUndefined();
    expect(none.warnings.join('\n')).toMatch(/integrity check was skipped and keys stay sealed/);
  });
});

describe('BKS: recognition and reading share their limits', () => {
  it('a 300-byte salt (within the reader\'s limit) is recognised as BKS and read', async () => {
    const store = await bksStore([bksCertificateEntry('c', leaf)], PASS, { salt: new Uint8Array(300).fill(7) });
    expect(detectFormat(store)).toBe('BKS');
    expect((await readBks(store, { password: PASS })).entries.map((e) => e.alias)).toEqual(['c']);
  });

  it('counts above the cap list without passwords (nothing is derived), as keytool lists; with a password they are refused before any derivation', async () => {
    const big = MAX_BKS_ITERATIONS * 2;
    const sealedBig = await bksStore([await bksSealedEntry('k', [leaf], privateKey(pkcs8), PASS, { countField: big }), bksCertificateEntry('c', other)], PASS);
    const listed = await readBks(sealedBig, {});
    expect(listed.entries.map((e) => [e.alias, e.type])).toEqual([['k', 'private-key'], ['c', 'trusted-cert']]);
    expect(Buffer.from((listed.entries[0] as PrivateKeyEntry).chain[0]!)).toEqual(Buffer.from(leaf));
    await expect(readBks(sealedBig, { password: PASS })).rejects.toThrow(formatError(/BKS key iteration count 200000 outside 1 to 100000/));
    await expect(readBks(sealedBig, { keyPassword: PASS })).rejects.toThrow(formatError(/BKS key iteration count 200000/));

    const storeBig = await bksStore([bksCertificateEntry('c', other)], PASS, { countField: big });
    expect(detectFormat(storeBig)).toBe('BKS');
    expect((await readBks(storeBig, {})).entries.map((e) => e.alias)).toEqual(['c']);
    await expect(readBks(storeBig, { password: PASS })).rejects.toThrow(formatError(/BKS store iteration count 200000 outside 1 to 100000/));

    const dir = tempDir();
    const file = join(dir, 'big.bks');
    writeFileSync(file, sealedBig);
    const cli = await hapki(['list', file]);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/k: private-key/);
    expect(cli.stdout).toMatch(/c: trusted-cert/);
  });

  it('a count field beyond 2^24 is garbage, passwords or not', async () => {
    const store = await bksStore([bksCertificateEntry('c', other)], PASS, { countField: 2 ** 24 + 1 });
    await expect(readBks(store, {})).rejects.toThrow(formatError(/BKS store iteration count 16777217 outside 1 to 16777216/));
  });
});
