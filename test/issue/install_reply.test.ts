import { beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/crypto/digest.js';
import { addTrustedCertificate } from '../../src/issue/add_trusted.js';
import { createCa, type CreatedCa } from '../../src/issue/create_ca.js';
import { requestWithNewKey, type NewKeyRequest } from '../../src/issue/create_key_entry.js';
import { installReply, normalizeFingerprint } from '../../src/issue/install_reply.js';
import { issuerFromEntry } from '../../src/issue/issuer.js';
import { signCsr } from '../../src/issue/sign_csr.js';
import { emptyKeystore, type PrivateKeyEntry } from '../../src/keystore/model.js';

let root: CreatedCa;
let sub: CreatedCa;
let node: NewKeyRequest;
let reply: Uint8Array;

function colonHex(hex: string): string {
  return hex.toUpperCase().match(/../g)!.join(':');
}

beforeAll(async () => {
  root = await createCa({ subject: 'CN=Example Root CA,O=Example', key: { kty: 'ec' } });
  sub = await createCa({ subject: 'CN=Example Gateway CA,O=Example', key: { kty: 'ec' }, issuer: await issuerFromEntry(root.entry) });
  node = await requestWithNewKey(emptyKeystore('JKS'), { alias: 'msas1', subject: 'CN=msas1.example.com', key: { kty: 'ec' } });
  reply = (await signCsr(node.csr, await issuerFromEntry(sub.entry))).certificate;
});

describe('installReply', () => {
  it('installs the reply with the chain built from --ca; a root confirmed by fingerprint is added as a trusted entry', async () => {
    const before = structuredClone(node.store);
    const result = await installReply(node.store, { alias: 'msas1', reply: [reply], caCertificates: [root.certificate, sub.certificate], trustRoot: colonHex(sha256Hex(root.certificate)) });
    expect(result.chain).toEqual([reply, sub.certificate, root.certificate]);
    expect(result.addedRootAlias).toBe('example-root-ca');
    const entry = result.store.entries.find((e) => e.alias === 'msas1') as PrivateKeyEntry;
    expect(entry.chain).toEqual(result.chain);
    expect(entry.key).toEqual(node.entry.key);
    expect(result.store.entries.find((e) => e.alias === 'example-root-ca')).toMatchObject({ type: 'trusted-cert', certificate: root.certificate });
    expect(node.store).toEqual(before);
  });

  it('takes a reply that is itself a bundle, in any order, and a root already trusted in the keystore without confirmation', async () => {
    const trusted = addTrustedCertificate(node.store, 'root', root.certificate).store;
    const result = await installReply(trusted, { alias: 'MSAS1', reply: [root.certificate, reply, sub.certificate] });
    expect(result.chain).toEqual([reply, sub.certificate, root.certificate]);
    expect(result.addedRootAlias).toBeUndefined();
    expect(result.store.entries).toHaveLength(2);
  });

  it('refuses an untrusted root without confirmation, with a wrong fingerprint, or when the prompt says no: ERR_CHAIN_UNTRUSTED', async () => {
    const options = { alias: 'msas1', reply: [reply], caCertificates: [root.certificate, sub.certificate] };
    await expect(installReply(node.store, options)).rejects.toMatchObject({ code: 'ERR_CHAIN_UNTRUSTED', message: expect.stringContaining(sha256Hex(root.certificate)) });
    await expect(installReply(node.store, { ...options, trustRoot: sha256Hex(sub.certificate) })).rejects.toMatchObject({ code: 'ERR_CHAIN_UNTRUSTED' });
    await expect(installReply(node.store, { ...options, confirmRoot: async () => false })).rejects.toMatchObject({ code: 'ERR_CHAIN_UNTRUSTED' });
    const asked: string[] = [];
    const yes = await installReply(node.store, { ...options, confirmRoot: async (r) => (asked.push(r.sha256), true) });
    expect(asked).toEqual([sha256Hex(root.certificate)]);
    expect(yes.addedRootAlias).toBe('example-root-ca');
  });

  it('refuses a chain that stops short of a root: ERR_CHAIN_UNTRUSTED naming the missing issuer', async () => {
    await expect(installReply(node.store, { alias: 'msas1', reply: [reply], trustRoot: sha256Hex(root.certificate) })).rejects.toMatchObject({
      code: 'ERR_CHAIN_UNTRUSTED',
      message: expect.stringMatching(/Example Gateway CA/),
    });
  });

  it('refuses a chain whose links do not verify (an impostor CA of the same name and key id)', async () => {
    const impostor = await createCa({ subject: 'CN=Example Gateway CA,O=Example', key: { kty: 'ec' }, issuer: await issuerFromEntry(root.entry) });
    await expect(installReply(node.store, { alias: 'msas1', reply: [reply, impostor.certificate], caCertificates: [root.certificate], trustRoot: sha256Hex(root.certificate) })).rejects.toMatchObject({
      code: 'ERR_CHAIN_UNTRUSTED',
    });
  });

  it('refuses a reply for another key: ERR_KEY_MISMATCH', async () => {
    const other = await requestWithNewKey(emptyKeystore('JKS'), { alias: 'other', subject: 'CN=other.example.com', key: { kty: 'ec' } });
    const foreign = (await signCsr(other.csr, await issuerFromEntry(sub.entry))).certificate;
    await expect(installReply(node.store, { alias: 'msas1', reply: [foreign, sub.certificate, root.certificate], trustRoot: sha256Hex(root.certificate) })).rejects.toMatchObject({ code: 'ERR_KEY_MISMATCH' });
  });

  it('refuses an alias that is not there, or not a key entry', async () => {
    await expect(installReply(node.store, { alias: 'nosuch', reply: [reply] })).rejects.toMatchObject({ code: 'ERR_ALIAS_NOT_FOUND' });
    const trusted = addTrustedCertificate(node.store, 'root', root.certificate).store;
    await expect(installReply(trusted, { alias: 'root', reply: [reply] })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });
});

describe('addTrustedCertificate', () => {
  it('adds a trusted entry; refuses an alias in use like keytool (ERR_ALIAS_EXISTS) unless forced over a trusted entry', () => {
    const first = addTrustedCertificate(node.store, 'ca', root.certificate);
    expect(first.store.entries.map((e) => [e.alias, e.type])).toEqual([
      ['msas1', 'private-key'],
      ['ca', 'trusted-cert'],
    ]);
    expect(() => addTrustedCertificate(first.store, 'CA', sub.certificate)).toThrow(expect.objectContaining({ code: 'ERR_ALIAS_EXISTS' }));
    expect(() => addTrustedCertificate(first.store, 'msas1', sub.certificate, { force: true })).toThrow(expect.objectContaining({ code: 'ERR_ALIAS_EXISTS' }));
    const replaced = addTrustedCertificate(first.store, 'ca', sub.certificate, { force: true });
    expect(replaced.store.entries).toHaveLength(2);
    expect(addTrustedCertificate(first.store, 'again', root.certificate).duplicates).toEqual(['ca']);
  });
});

describe('normalizeFingerprint', () => {
  it('accepts hex with or without colons in any case, and refuses anything else', () => {
    const hex = sha256Hex(new Uint8Array([1, 2, 3]));
    expect(normalizeFingerprint(colonHex(hex))).toBe(hex);
    expect(normalizeFingerprint(hex.toUpperCase())).toBe(hex);
    expect(() => normalizeFingerprint('abc')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});
