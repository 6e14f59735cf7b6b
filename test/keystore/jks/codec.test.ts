import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { OID } from '../../../src/asn1/oids.js';
import { algorithmIdentifier, integer, octetString, sequence } from '../../../src/asn1/der_writer.js';
import { readJceks, readJks } from '../../../src/keystore/jks/read.js';
import { writeJceks, writeJks } from '../../../src/keystore/jks/write.js';
import { keystoreDigest } from '../../../src/keystore/jks/integrity.js';
import type { Keystore, PrivateKeyEntry, SecretKeyEntry, TrustedCertEntry } from '../../../src/keystore/model.js';
import { fixture, FIXTURE_PASSWORD } from '../../helpers/fixtures.js';

const FAST = { iterations: 1000 };
const pw = 'store-pass';

async function material(): Promise<{ key: Uint8Array; chain: Uint8Array[] }> {
  const store = await readJks(fixture('gateway.jks'), { password: FIXTURE_PASSWORD });
  const entry = store.entries.find((e): e is PrivateKeyEntry => e.type === 'private-key')!;
  return { key: entry.key!, chain: entry.chain };
}

function ecKey(): Uint8Array {
  return new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'der' }));
}

async function sampleStore(withSecrets: boolean): Promise<Keystore> {
  const { key, chain } = await material();
  const created = new Date('2024-05-06T07:08:09.123Z');
  const entries: Keystore['entries'] = [
    { type: 'private-key', alias: 'Server', key, chain, created } satisfies PrivateKeyEntry,
    { type: 'private-key', alias: 'ec', key: ecKey(), chain: [chain[0]!], password: 'other-pass' } satisfies PrivateKeyEntry,
    { type: 'trusted-cert', alias: 'ca', certificate: chain[chain.length - 1]!, created } satisfies TrustedCertEntry,
  ];
  if (withSecrets) {
    entries.push({ type: 'secret-key', alias: 'aes', algorithm: 'AES', key: new Uint8Array(32).fill(0xab), created } satisfies SecretKeyEntry);
    entries.push({ type: 'secret-key', alias: 'mac', algorithm: 'HmacSHA256', key: new Uint8Array(32).fill(0x5a), password: 'mac-pass' } satisfies SecretKeyEntry);
  }
  return { format: withSecrets ? 'JCEKS' : 'JKS', entries, integrityChecked: true, warnings: [] };
}

describe.each([
  ['JKS', writeJks, readJks, false],
  ['JCEKS', writeJceks, readJceks, true],
] as const)('%s codec', (format, write, read, withSecrets) => {
  it('round-trips keys, chains, certificates, dates and per-key passwords', async () => {
    const source = await sampleStore(withSecrets);
    const bytes = await write(source, { password: pw, ...FAST });
    const store = await read(bytes, { password: pw, keyPasswords: { ec: 'other-pass', mac: 'mac-pass' } });
    expect(store).toMatchObject({ format, integrityChecked: true, warnings: [] });
    expect(store.entries.map((e) => e.alias)).toEqual(source.entries.map((e) => e.alias.toLowerCase()));
    for (const [i, want] of source.entries.entries()) {
      const got = store.entries[i]!;
      expect(got.type).toBe(want.type);
      if (want.created) expect(got.created).toEqual(want.created);
      if (want.type === 'private-key' && got.type === 'private-key') {
        expect(got.key).toEqual(want.key);
        expect(got.chain).toEqual(want.chain);
        expect(got.password).toBe(want.password);
      }
      if (want.type === 'trusted-cert' && got.type === 'trusted-cert') expect(got.certificate).toEqual(want.certificate);
      if (want.type === 'secret-key' && got.type === 'secret-key') {
        expect(got).toMatchObject({ algorithm: want.algorithm, key: want.key });
        expect(got.password).toBe(want.password);
      }
    }
  });

  it('keeps keys it cannot open sealed, and writes them back verbatim', async () => {
    const bytes = await write(await sampleStore(withSecrets), { password: pw, ...FAST });
    const partial = await read(bytes, { password: pw });
    const ec = partial.entries.find((e) => e.alias === 'ec') as PrivateKeyEntry;
    expect(ec.key).toBeUndefined();
    expect(ec.sealed).toMatchObject({ format, reason: 'wrong-password' });
    const again = await write(partial, { password: 'new-store-pass', ...FAST });
    const reread = await read(again, { password: 'new-store-pass', keyPasswords: { ec: 'other-pass', mac: 'mac-pass', server: pw } });
    expect((reread.entries.find((e) => e.alias === 'ec') as PrivateKeyEntry).key).toBeDefined();

    const locked = await read(bytes, {});
    const copy = await write(locked, { password: pw, ...FAST });
    const fromLocked = await read(copy, { password: pw, keyPasswords: { ec: 'other-pass', mac: 'mac-pass' } });
    expect(fromLocked.entries.every((e) => e.type === 'trusted-cert' || e.key)).toBe(true);
  });

  it('reports a wrong store password as ERR_KEYSTORE_PASSWORD', async () => {
    const bytes = await write(await sampleStore(withSecrets), { password: pw, ...FAST });
    await expect(read(bytes, { password: 'wrong' })).rejects.toMatchObject({ code: 'ERR_KEYSTORE_PASSWORD' });
  });

  it('reports a wrong explicit key password as ERR_KEY_PASSWORD with the alias', async () => {
    const bytes = await write(await sampleStore(withSecrets), { password: pw, ...FAST });
    await expect(read(bytes, { password: pw, keyPasswords: { ec: 'wrong' } })).rejects.toMatchObject({ code: 'ERR_KEY_PASSWORD', alias: 'ec' });
  });

  it('gives ERR_KEYSTORE_FORMAT for a truncation at every byte', async () => {
    const { chain } = await material();
    const small: Keystore = {
      format,
      entries: [
        { type: 'private-key', alias: 'k', key: ecKey(), chain: [chain[0]!] },
        { type: 'trusted-cert', alias: 'c', certificate: chain[0]!.subarray(0, 40) },
        ...(withSecrets ? [{ type: 'secret-key', alias: 's', algorithm: 'AES', key: new Uint8Array(16) } as SecretKeyEntry] : []),
      ],
      integrityChecked: true,
      warnings: [],
    };
    const bytes = await write(small, { password: pw, iterations: 1 });
    for (let n = 0; n < bytes.length; n++) {
      for (const options of [{ password: pw }, {}]) {
        const error = await read(bytes.subarray(0, n), options).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, `truncated to ${n} bytes`).toMatchObject({ code: 'ERR_KEYSTORE_FORMAT' });
      }
    }
    await expect(read(bytes, { password: pw })).resolves.toBeDefined();
  });

  it('refuses bytes after the digest', async () => {
    const bytes = await write({ format, entries: [], integrityChecked: true, warnings: [] }, { password: pw });
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    await expect(read(longer, { password: pw })).rejects.toMatchObject({ code: 'ERR_KEYSTORE_FORMAT' });
  });

  it('fails fast on a length field of 0x7FFFFFFF', async () => {
    const { chain } = await material();
    const bytes = await write(
      { format, entries: [{ type: 'trusted-cert', alias: 'c', certificate: chain[0]! }], integrityChecked: true, warnings: [] },
      { password: pw },
    );
    // magic, version, count, tag, alias "c" (2 + 1), date, type "X.509" (2 + 5): then the length.
    const at = 4 + 4 + 4 + 4 + 3 + 8 + 7;
    for (const field of [at, 8]) {
      const bad = bytes.slice();
      new DataView(bad.buffer).setUint32(field, 0x7fffffff);
      const started = Date.now();
      await expect(read(bad, { password: pw })).rejects.toMatchObject({ code: 'ERR_KEYSTORE_FORMAT' });
      expect(Date.now() - started).toBeLessThan(500);
    }
  });

  it('treats a tampered certificate as ERR_KEYSTORE_PASSWORD, or ERR_KEYSTORE_INTEGRITY when a key proves the password', async () => {
    const { chain } = await material();
    const certOnly: Keystore = { format, entries: [{ type: 'trusted-cert', alias: 'c', certificate: chain[0]! }], integrityChecked: true, warnings: [] };
    const bytes = await write(certOnly, { password: pw });
    bytes[bytes.length - 20 - 100]! ^= 1;
    await expect(read(bytes, { password: pw })).rejects.toMatchObject({ code: 'ERR_KEYSTORE_PASSWORD' });

    // A Sun-protected key (JKS) whose check value opens with the password shows the password was right.
    if (format === 'JKS') {
      const withKey = await write(await sampleStore(false), { password: pw });
      withKey[withKey.length - 20 - 100]! ^= 1;
      await expect(read(withKey, { password: pw })).rejects.toMatchObject({ code: 'ERR_KEYSTORE_INTEGRITY' });
    }
  });

  it('keeps the last of duplicate aliases with a warning naming it', async () => {
    const { chain } = await material();
    const one = await write(
      { format, entries: [{ type: 'trusted-cert', alias: 'dup', certificate: chain[0]! }], integrityChecked: true, warnings: [] },
      { password: pw },
    );
    const two = await write(
      { format, entries: [{ type: 'trusted-cert', alias: 'x', certificate: chain[1] ?? chain[0]! }], integrityChecked: true, warnings: [] },
      { password: pw },
    );
    // Splice the second file's entry, renamed "DUP", after the first's; fix the count and digest.
    const header = Buffer.from(one.subarray(0, 12));
    header.writeUInt32BE(2, 8);
    const entryA = one.subarray(12, one.length - 20);
    const entryB = two.subarray(12, two.length - 20);
    // entry B: tag (4), alias length (2) + "x" (1), then the rest.
    const entryBRenamed = Buffer.concat([entryB.subarray(0, 4), Buffer.from([0, 3]), Buffer.from('DUP'), entryB.subarray(7)]);
    const merged = Buffer.concat([header, entryA, entryBRenamed]);
    const file = new Uint8Array(Buffer.concat([merged, keystoreDigest(pw, merged)]));
    const store = await read(file, { password: pw });
    expect(store.entries).toHaveLength(1);
    expect(store.entries[0]).toMatchObject({ alias: 'DUP', certificate: chain[1] ?? chain[0]! });
    expect(store.warnings).toEqual(['duplicate alias "DUP": keeping the last of 2 entries, as keytool does']);
  });

  it('refuses to write two aliases that fold to the same name', async () => {
    const { chain } = await material();
    const store: Keystore = {
      format,
      entries: [
        { type: 'trusted-cert', alias: 'Same', certificate: chain[0]! },
        { type: 'trusted-cert', alias: 'same', certificate: chain[0]! },
      ],
      integrityChecked: true,
      warnings: [],
    };
    await expect(write(store, { password: pw })).rejects.toMatchObject({ code: 'ERR_DUPLICATE_ALIAS' });
  });

  it('requires a store password to write', async () => {
    await expect(write({ format, entries: [], integrityChecked: true, warnings: [] }, {})).rejects.toMatchObject({ code: 'ERR_PASSWORD_REQUIRED' });
  });

  it('refuses a sealed key from another format', async () => {
    const store: Keystore = {
      format,
      entries: [{ type: 'private-key', alias: 'p', chain: [], sealed: { format: 'PKCS12', data: new Uint8Array(10), reason: 'no-password' } }],
      integrityChecked: true,
      warnings: [],
    };
    await expect(write(store, { password: pw })).rejects.toMatchObject({ code: 'ERR_KEY_LOCKED' });
  });
});

describe('format-specific rules', () => {
  it('JKS cannot hold a secret key: ERR_UNSUPPORTED_ENTRY naming the alias', async () => {
    const store: Keystore = {
      format: 'JKS',
      entries: [{ type: 'secret-key', alias: 'aes', algorithm: 'AES', key: new Uint8Array(16) }],
      integrityChecked: true,
      warnings: [],
    };
    await expect(writeJks(store, { password: pw })).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED_ENTRY', message: expect.stringContaining('"aes"') });
  });

  it('JCEKS key passwords must be printable ASCII (SunJCE refuses others)', async () => {
    const { key, chain } = await material();
    const store: Keystore = { format: 'JCEKS', entries: [{ type: 'private-key', alias: 'k', key, chain }], integrityChecked: true, warnings: [] };
    await expect(writeJceks(store, { password: 'pässword', ...FAST })).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED_ENTRY' });
    // JKS protects keys with UTF-16: any password works.
    const jks = await writeJks({ ...store, format: 'JKS' }, { password: 'pässword' });
    expect((await readJks(jks, { password: 'pässword' })).entries[0]).toMatchObject({ key });
  });

  it('a JKS-protected sealed key can move into JCEKS, a JCEKS-protected one not into JKS', async () => {
    const { key, chain } = await material();
    const base: Keystore = { format: 'JKS', entries: [{ type: 'private-key', alias: 'k', key, chain }], integrityChecked: true, warnings: [] };
    const lockedJks = await readJks(await writeJks(base, { password: pw }), {});
    const asJceks = await writeJceks(lockedJks, { password: pw });
    expect((await readJceks(asJceks, { password: pw })).entries[0]).toMatchObject({ key });

    const lockedJceks = await readJceks(await writeJceks({ ...base, format: 'JCEKS' }, { password: pw, ...FAST }), {});
    await expect(writeJks(lockedJceks, { password: pw })).rejects.toMatchObject({ code: 'ERR_KEY_LOCKED' });
  });

  it('readJks refuses JCEKS bytes; readJceks reads JKS bytes as the JDK does', async () => {
    const jceks = fixture('gateway.jceks');
    await expect(readJks(jceks, { password: FIXTURE_PASSWORD })).rejects.toMatchObject({ code: 'ERR_KEYSTORE_FORMAT' });
    const jks = await readJceks(fixture('gateway.jks'), { password: FIXTURE_PASSWORD });
    expect(jks.format).toBe('JKS');
  });

  it('reads version 1 files, which have no certificate type strings', async () => {
    const { chain } = await material();
    const v2 = await writeJks(
      { format: 'JKS', entries: [{ type: 'trusted-cert', alias: 'c', certificate: chain[0]!, created: new Date(1000) }], integrityChecked: true, warnings: [] },
      { password: pw },
    );
    // header (12), tag (4), alias (3), date (8), then "X.509" (7) to drop.
    const body = Buffer.concat([v2.subarray(0, 27), v2.subarray(34, v2.length - 20)]);
    body.writeUInt32BE(1, 4);
    const v1 = new Uint8Array(Buffer.concat([body, keystoreDigest(pw, body)]));
    const store = await readJks(v1, { password: pw });
    expect(store.entries).toEqual([{ type: 'trusted-cert', alias: 'c', certificate: chain[0]!, created: new Date(1000) }]);
  });

  it('refuses an unknown version, magic or entry tag', async () => {
    const bytes = await writeJks({ format: 'JKS', entries: [], integrityChecked: true, warnings: [] }, { password: pw });
    for (const [at, value] of [[4, 3], [0, 0x12345678]] as const) {
      const bad = bytes.slice();
      new DataView(bad.buffer).setUint32(at, value);
      await expect(readJks(bad, { password: pw })).rejects.toMatchObject({ code: 'ERR_KEYSTORE_FORMAT' });
    }
    const { chain } = await material();
    const one = await writeJks({ format: 'JKS', entries: [{ type: 'trusted-cert', alias: 'c', certificate: chain[0]! }], integrityChecked: true, warnings: [] }, { password: pw });
    new DataView(one.buffer).setUint32(12, 3);
    await expect(readJks(one, { password: pw })).rejects.toMatchObject({ code: 'ERR_KEYSTORE_FORMAT', offset: 12 });
  });

  it('bounds a PBE iteration count read from the file', async () => {
    const { chain } = await material();
    const hugeCount = sequence(
      algorithmIdentifier(OID.pbeWithMD5AndTripleDES, sequence(octetString(new Uint8Array(8).fill(1).map((v, i) => v + i)), integer(2_000_000_000))),
      octetString(new Uint8Array(16)),
    );
    const good = await writeJceks(
      { format: 'JCEKS', entries: [{ type: 'private-key', alias: 'k', key: ecKey(), chain: [chain[0]!] }], integrityChecked: true, warnings: [] },
      { password: pw, iterations: 1 },
    );
    // Swap the protected key for one claiming two billion iterations, then fix the digest.
    const lengthAt = 12 + 4 + 3 + 8;
    const oldLength = new DataView(good.buffer).getUint32(lengthAt);
    const lengthField = new Uint8Array(4);
    new DataView(lengthField.buffer).setUint32(0, hugeCount.length);
    const body = Buffer.concat([good.subarray(0, lengthAt), lengthField, hugeCount, good.subarray(lengthAt + 4 + oldLength, good.length - 20)]);
    const file = new Uint8Array(Buffer.concat([body, keystoreDigest(pw, body)]));
    const started = Date.now();
    await expect(readJceks(file, { password: pw })).rejects.toMatchObject({ code: 'ERR_KEYSTORE_FORMAT' });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('writes the JDK default of 200,000 PBE iterations unless told otherwise', async () => {
    const store: Keystore = { format: 'JCEKS', entries: [{ type: 'secret-key', alias: 's', algorithm: 'AES', key: new Uint8Array(16) }], integrityChecked: true, warnings: [] };
    const bytes = Buffer.from(await writeJceks(store, { password: pw }));
    // PBEParameter: SEQUENCE { OCTET STRING(8), INTEGER 200000 (0x030d40) }
    expect(bytes.includes(Buffer.from('02030' + '30d40', 'hex'))).toBe(true);
  });
});

describe('a private key without its certificate', () => {
  it.each([
    ['JKS', writeJks],
    ['JCEKS', writeJceks],
  ] as const)('is refused by %s, which the JDK would misread as a secret key: ERR_UNSUPPORTED_ENTRY', async (format, write) => {
    const key = new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'der' }));
    const store: Keystore = { format, entries: [{ type: 'private-key', alias: 'k', key, chain: [] }], integrityChecked: true, warnings: [] };
    await expect(write(store, { password: 'changeit' })).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED_ENTRY' });
  });
});

describe('privateKeysSealed: what listing reads', () => {
  it('checks integrity and opens secret keys, leaves private keys sealed (not-opened), described by their certificate', async () => {
    const { summarizeKeystore } = await import('../../../src/keystore/summary.js');
    const store = await readJceks(fixture('gateway.jceks'), { password: FIXTURE_PASSWORD, privateKeysSealed: true });
    expect(store.integrityChecked).toBe(true);
    const key = store.entries.find((e): e is PrivateKeyEntry => e.type === 'private-key')!;
    expect(key.key).toBeUndefined();
    expect(key.sealed?.reason).toBe('not-opened');
    const secret = store.entries.find((e): e is SecretKeyEntry => e.type === 'secret-key')!;
    expect(secret.algorithm).toBe('AES');
    expect(secret.key?.length).toBe(32);
    const summary = summarizeKeystore(store).entries.find((e) => e.type === 'private-key')!;
    expect([summary.algorithm, summary.bits]).toEqual(['RSA', 2048]);
    // the store password is still checked
    await expect(readJceks(fixture('gateway.jceks'), { password: 'wrong', privateKeysSealed: true })).rejects.toMatchObject({ code: 'ERR_KEYSTORE_PASSWORD' });
    // a sealed key written back in its own format stays intact: keytool-compatible bytes, same key
    const again = await readJceks(await writeJceks(store, { password: FIXTURE_PASSWORD }), { password: FIXTURE_PASSWORD });
    expect(again.entries.find((e): e is PrivateKeyEntry => e.type === 'private-key')!.key).toBeDefined();
  });
});
