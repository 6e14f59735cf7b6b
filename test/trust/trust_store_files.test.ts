import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTrustMesh, type MeshMode } from '../../src/trust/mesh.js';
import { parseNodeRef } from '../../src/trust/node_ref.js';
import { checkTrustMesh, type TrustCheckPurpose } from '../../src/trust/trust_check.js';
import { findTrustStore, meshStoreFiles, refuseExistingMeshStores } from '../../src/trust/trust_store_files.js';

/**
 * What `hapki trust mesh` and `hapki trust check` refuse or look up before they read a keystore
 * is the library's: a caller of these functions gets the same ERR_USAGE and the same files.
 */
const dir = mkdtempSync(join(tmpdir(), 'hapki-trust-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('trust store file names', () => {
  it('are <dir>/<keystore stem>-truststore.<ext>, one per node', () => {
    const files = meshStoreFiles([parseNodeRef('/etc/gw/master.p12#gw'), parseNodeRef('slave1.jks')], 'out', 'JKS');
    expect([...files]).toEqual([['master.p12', 'out/master-truststore.jks'], ['slave1.jks', 'out/slave1-truststore.jks']]);
  });
  it('refuse two nodes whose trust stores would be one file', () => {
    expect(() => meshStoreFiles([parseNodeRef('a/gw.p12'), parseNodeRef('b/gw.jks')], 'out', 'PKCS12')).toThrow(expect.objectContaining({ code: 'ERR_USAGE', message: 'two node keystores have the same name: their trust stores would collide' }));
  });
  it('a mesh refuses a trust store already there', async () => {
    writeFileSync(join(dir, 'x-truststore.p12'), 'old');
    await expect(refuseExistingMeshStores(meshStoreFiles([parseNodeRef('y.p12')], dir, 'PKCS12'))).resolves.toBeUndefined();
    await expect(refuseExistingMeshStores(meshStoreFiles([parseNodeRef('x.p12')], dir, 'PKCS12'))).rejects.toMatchObject({ code: 'ERR_USAGE' });
  });
  it('a check finds a node\'s store by --trust-store-for, else the first ending present in the directory', async () => {
    writeFileSync(join(dir, 'node-truststore.jks'), '');
    writeFileSync(join(dir, 'node-truststore.pem'), '');
    const ref = parseNodeRef('/srv/node.p12#alias');
    expect(await findTrustStore(ref, { trustStoreFor: ['/srv/node.p12#other=t.p12'], trustDir: dir })).toBe('t.p12');
    expect(await findTrustStore(ref, { trustStoreFor: ['else.p12=t.p12'], trustDir: dir })).toBe(join(dir, 'node-truststore.jks'));
    await expect(findTrustStore(parseNodeRef('none.p12'), { trustDir: dir })).rejects.toMatchObject({ code: 'ERR_FILE_NOT_FOUND' });
    await expect(findTrustStore(ref, { trustStoreFor: ['node.p12'] })).rejects.toMatchObject({ code: 'ERR_USAGE', message: '--trust-store-for "node.p12" is not <keystore>=<truststore>' });
    await expect(findTrustStore(ref, { trustStoreFor: ['else.p12=t.p12'] })).rejects.toMatchObject({ code: 'ERR_USAGE', message: 'no --trust-store-for names node.p12' });
  });
});

describe('a mode or purpose the library does not know', () => {
  it('buildTrustMesh refuses it before looking at the nodes', () => {
    expect(() => buildTrustMesh([], { mode: 'mirror' as MeshMode })).toThrow(expect.objectContaining({ code: 'ERR_USAGE', message: '--mode must be direct or ca' }));
  });
  it('checkTrustMesh refuses it before looking at the nodes', async () => {
    await expect(checkTrustMesh([], new Map(), { purpose: 'email' as TrustCheckPurpose })).rejects.toMatchObject({ code: 'ERR_USAGE', message: '--purpose must be one of roles, server, client, any' });
  });
});
