import { beforeAll, describe, expect, it } from 'vitest';
import { createCa } from '../../src/issue/create_ca.js';
import { requestWithNewKey } from '../../src/issue/create_key_entry.js';
import { issuerFromEntry } from '../../src/issue/issuer.js';
import { signCsr } from '../../src/issue/sign_csr.js';
import { emptyKeystore, type Keystore } from '../../src/keystore/model.js';
import { buildTrustMesh, type MeshNode } from '../../src/trust/mesh.js';
import { checkTrustMesh, trustAnchorsOf } from '../../src/trust/trust_check.js';
import { renderTrustCheck } from '../../src/trust/trust_check_text.js';

const EC = { kty: 'ec', curve: 'P-256' } as const;
let nodes: MeshNode[];

beforeAll(async () => {
  nodes = [];
  for (const [name, role] of [['master.p12', 'master'], ['slave1.jks', 'slave'], ['slave2.p12', 'slave']] as const) {
    const { entry } = await requestWithNewKey(emptyKeystore('PKCS12'), { alias: name, subject: `CN=${name}`, key: EC });
    nodes.push({ name, role, certificateChain: entry.chain });
  }
});

const anchorsOf = (stores: { node: string; store: Keystore }[]): Map<string, Uint8Array[]> => new Map(stores.map((s) => [s.node, trustAnchorsOf(s.store)]));

describe('checkTrustMesh', () => {
  it('passes every direction of a full mesh, master first', async () => {
    const result = await checkTrustMesh(nodes, anchorsOf(buildTrustMesh(nodes).stores));
    expect(result.ok).toBe(true);
    expect(renderTrustCheck(result)).toBe('PASS master.p12 -> slave1.jks\nPASS slave1.jks -> master.p12\nPASS master.p12 -> slave2.p12\nPASS slave2.p12 -> master.p12\n');
    expect(result.pairs.map((p) => p.purpose)).toEqual(['client', 'server', 'client', 'server']);
  });

  it('fails exactly the pair whose truster lost the peer', async () => {
    const stores = buildTrustMesh(nodes).stores;
    const master = stores[0]!.store;
    master.entries = master.entries.filter((e) => e.alias !== 'slave2.p12');
    const result = await checkTrustMesh(nodes, anchorsOf(stores));
    expect(result.ok).toBe(false);
    expect(result.pairs.filter((p) => !p.valid)).toEqual([expect.objectContaining({ truster: 'master.p12', peer: 'slave2.p12', code: 'ERR_CHAIN_UNTRUSTED' })]);
    expect(renderTrustCheck(result)).toMatch(/^FAIL master\.p12 -> slave2\.p12: .+ \(ERR_CHAIN_UNTRUSTED\)$/m);
  });

  it('judges validity at --at: a mesh of 90-day certificates fails a year on', async () => {
    const result = await checkTrustMesh(nodes, anchorsOf(buildTrustMesh(nodes).stores), { at: new Date(Date.now() + 365 * 86_400_000) });
    expect(result.pairs.every((p) => !p.valid && p.code === 'ERR_CHAIN_EXPIRED')).toBe(true);
  });

  it('checks slaves as TLS clients: a server-only certificate fails master -> slave, and passes with purpose any', async () => {
    const ca = await createCa({ subject: 'CN=Check CA', key: EC });
    const issuer = await issuerFromEntry(ca.entry);
    const caNodes: MeshNode[] = [];
    for (const [name, role] of [['gw1.p12', 'master'], ['gw2.p12', 'slave']] as const) {
      const { csr } = await requestWithNewKey(emptyKeystore('PKCS12'), { alias: name, subject: `CN=${name}`, key: EC });
      caNodes.push({ name, role, certificateChain: (await signCsr(csr, issuer, { profile: 'server' })).chain });
    }
    const anchors = anchorsOf(buildTrustMesh(caNodes, { mode: 'ca' }).stores);
    const roles = await checkTrustMesh(caNodes, anchors);
    expect(roles.pairs.map((p) => [p.truster, p.peer, p.valid, p.code])).toEqual([
      ['gw1.p12', 'gw2.p12', false, 'ERR_PURPOSE'],
      ['gw2.p12', 'gw1.p12', true, undefined],
    ]);
    expect((await checkTrustMesh(caNodes, anchors, { purpose: 'any' })).ok).toBe(true);
  });

  it("counts a key entry's own certificate as trusted, as the JDK does", () => {
    const store: Keystore = { ...emptyKeystore('JKS'), entries: [{ type: 'private-key', alias: 'k', chain: [...nodes[0]!.certificateChain] }] };
    expect(trustAnchorsOf(store)).toEqual([nodes[0]!.certificateChain[0]]);
  });
});
