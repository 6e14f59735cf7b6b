import { beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/crypto/digest.js';
import { createCa } from '../../src/issue/create_ca.js';
import { requestWithNewKey } from '../../src/issue/create_key_entry.js';
import { issuerFromEntry } from '../../src/issue/issuer.js';
import { signCsr } from '../../src/issue/sign_csr.js';
import { emptyKeystore, type Keystore, type TrustedCertEntry } from '../../src/keystore/model.js';
import { buildTrustMesh, type MeshNode } from '../../src/trust/mesh.js';
import { nodeCertificateChain, nodeKeyEntry, nodeStem, parseNodeRef } from '../../src/trust/node_ref.js';

const EC = { kty: 'ec', curve: 'P-256' } as const;

async function selfSigned(cn: string): Promise<Uint8Array[]> {
  const { entry } = await requestWithNewKey(emptyKeystore('PKCS12'), { alias: cn, subject: `CN=${cn}`, key: EC });
  return entry.chain;
}

let selfNodes: MeshNode[];
let caNodes: MeshNode[];
let caCert: Uint8Array;

beforeAll(async () => {
  selfNodes = [
    { name: 'master.p12', role: 'master', certificateChain: await selfSigned('Master.example.com') },
    { name: 'slave1.jks', role: 'slave', certificateChain: await selfSigned('slave1.example.com') },
    { name: 'slave2.p12', role: 'slave', certificateChain: await selfSigned('slave2.example.com') },
  ];
  const ca = await createCa({ subject: 'CN=Mesh Unit CA', key: EC });
  caCert = ca.certificate;
  const issuer = await issuerFromEntry(ca.entry);
  caNodes = [];
  for (const [name, role] of [['gw1.p12', 'master'], ['gw2.p12', 'slave']] as const) {
    const { csr } = await requestWithNewKey(emptyKeystore('PKCS12'), { alias: name, subject: `CN=${name}`, key: EC });
    const signed = await signCsr(csr, issuer, { profile: 'server-client' });
    caNodes.push({ name, role, certificateChain: signed.chain });
  }
});

const trusted = (store: Keystore): TrustedCertEntry[] => store.entries.filter((e): e is TrustedCertEntry => e.type === 'trusted-cert');

describe('buildTrustMesh, direct mode', () => {
  it('gives the master every slave certificate and each slave the master certificate, aliased by CN lower-cased', () => {
    const mesh = buildTrustMesh(selfNodes);
    const [master, slave1, slave2] = mesh.stores;
    expect(master!.store.format).toBe('PKCS12');
    expect(trusted(master!.store).map((e) => e.alias)).toEqual(['slave1.example.com', 'slave2.example.com']);
    expect(trusted(master!.store).map((e) => sha256Hex(e.certificate))).toEqual([sha256Hex(selfNodes[1]!.certificateChain[0]!), sha256Hex(selfNodes[2]!.certificateChain[0]!)]);
    for (const slave of [slave1!, slave2!]) {
      expect(trusted(slave.store).map((e) => e.alias)).toEqual(['master.example.com']);
      expect(slave.peers).toEqual([{ name: 'master.p12', subject: 'CN=Master.example.com' }]);
    }
    expect(master!.peers.map((p) => p.name)).toEqual(['slave1.jks', 'slave2.p12']);
  });

  it('writes the requested format and leaves the input nodes alone', () => {
    const mesh = buildTrustMesh(selfNodes, { format: 'JKS' });
    expect(mesh.stores.every((s) => s.store.format === 'JKS')).toBe(true);
  });

  it('holds a certificate once, and makes aliases unique when two slaves share a common name', async () => {
    const twin: MeshNode = { name: 'twin.p12', role: 'slave', certificateChain: selfNodes[2]!.certificateChain };
    const namesake: MeshNode = { name: 'other.jks', role: 'slave', certificateChain: await selfSigned('slave1.example.com') };
    const mesh = buildTrustMesh([...selfNodes, twin, namesake]);
    expect(trusted(mesh.stores[0]!.store).map((e) => e.alias)).toEqual(['slave1.example.com', 'slave2.example.com', 'slave1.example.com-2']);
    expect(buildTrustMesh([...selfNodes, twin, namesake]).stores[0]!.added.map((a) => a.alias)).toEqual(['slave1.example.com', 'slave2.example.com', 'slave1.example.com-2']);
  });

  it('with existing stores, keeps their entries and adds only certificates not already there', () => {
    const first = buildTrustMesh(selfNodes.slice(0, 2));
    const masterStore = first.stores[0]!.store;
    masterStore.entries.push({ type: 'trusted-cert', alias: 'slave1.example.com-2', certificate: caCert });
    const existing = new Map([['master.p12', masterStore]]);
    const second = buildTrustMesh(selfNodes, { existing });
    const master = second.stores[0]!;
    expect(trusted(master.store).map((e) => e.alias)).toEqual(['slave1.example.com', 'slave1.example.com-2', 'slave2.example.com']);
    expect(master.added.map((a) => a.alias)).toEqual(['slave2.example.com']);
    expect(master.present.map((a) => a.alias)).toEqual(['slave1.example.com']);
    expect(masterStore.entries).toHaveLength(2);
  });

  it('refuses a mesh without exactly one master or without slaves', () => {
    expect(() => buildTrustMesh(selfNodes.slice(1))).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => buildTrustMesh(selfNodes.slice(0, 1))).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});

describe('buildTrustMesh, CA mode', () => {
  it('gives each node the CA chain of its peers, once', () => {
    const mesh = buildTrustMesh(caNodes, { mode: 'ca' });
    for (const s of mesh.stores) {
      expect(trusted(s.store).map((e) => [e.alias, sha256Hex(e.certificate)])).toEqual([['mesh-unit-ca', sha256Hex(caCert)]]);
    }
  });

  it('refuses a self-signed node with ERR_MESH_NO_CA, suggesting direct mode', () => {
    expect(() => buildTrustMesh(selfNodes, { mode: 'ca' })).toThrow(expect.objectContaining({ code: 'ERR_MESH_NO_CA', message: expect.stringMatching(/self-signed.*--mode direct/) }));
  });

  it('refuses a CA-issued node whose chain stops at its own certificate', () => {
    const bare = caNodes.map((n) => ({ ...n, certificateChain: n.certificateChain.slice(0, 1) }));
    expect(() => buildTrustMesh(bare, { mode: 'ca' })).toThrow(expect.objectContaining({ code: 'ERR_MESH_NO_CA', message: expect.stringMatching(/not the CA that issued it/) }));
  });
});

describe('node references', () => {
  it('parses <keystore>[#alias] and names trust stores after the keystore', () => {
    expect(parseNodeRef('/etc/gw/master.p12#node1')).toEqual({ path: '/etc/gw/master.p12', alias: 'node1', name: 'master.p12' });
    expect(parseNodeRef('slave.jks')).toEqual({ path: 'slave.jks', name: 'slave.jks' });
    expect(nodeStem('/etc/gw/master.p12')).toBe('master');
    expect(nodeStem('keystore')).toBe('keystore');
    expect(() => parseNodeRef('slave.jks#')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });

  it('takes the only private-key entry, or names the aliases to choose from', async () => {
    const one = (await requestWithNewKey(emptyKeystore('JKS'), { alias: 'a', subject: 'CN=a', key: EC })).store;
    expect(nodeKeyEntry(one, 'one.jks').alias).toBe('a');
    const two = (await requestWithNewKey(one, { alias: 'b', subject: 'CN=b', key: EC })).store;
    expect(() => nodeKeyEntry(two, 'two.jks')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringContaining('(a, b)') }));
    expect(nodeKeyEntry(two, 'two.jks', 'b').alias).toBe('b');
    expect(() => nodeKeyEntry(two, 'two.jks', 'c')).toThrow(expect.objectContaining({ code: 'ERR_ALIAS_NOT_FOUND' }));
  });

  it("completes a node's chain from the store's trusted entries", () => {
    const [leaf] = caNodes[0]!.certificateChain;
    const store: Keystore = {
      ...emptyKeystore('JKS'),
      entries: [
        { type: 'private-key', alias: 'gw1', key: new Uint8Array(1), chain: [leaf!] },
        { type: 'trusted-cert', alias: 'ca', certificate: caCert },
      ],
    };
    expect(nodeCertificateChain(store, 'gw1.jks').map(sha256Hex)).toEqual([sha256Hex(leaf!), sha256Hex(caCert)]);
  });
});
