import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { liveNodesOf } from '../../src/cluster/live_nodes.js';
import { loadClusterFile } from '../../src/cluster/load_cluster_file.js';
import { openssl, tempDir } from '../helpers/tools.js';

/**
 * In a live trust check a node's trust store judges the server it connects to (the server
 * judges the client with its own). A PEM trust store may trust its root for some uses only
 * (openssl x509 -addtrust): a root trusted for serverAuth must anchor the server's chain there,
 * as it does for `trust check` (per direction), `probe` and openssl verify -purpose sslserver;
 * a root trusted for clientAuth only must not.
 */
const dir = tempDir('hapki-live-trust-');
const at = (name: string): string => join(dir, name);
const P = 'live-trust-pass-1';

beforeAll(async () => {
  await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at('root.key'), '-out', at('root.pem'), '-subj', '/CN=Live Root', '-days', '30']);
  await openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at('node.key'), '-out', at('node.csr'), '-subj', '/CN=node.example.com']);
  await openssl(['x509', '-req', '-in', at('node.csr'), '-CA', at('root.pem'), '-CAkey', at('root.key'), '-set_serial', '7', '-out', at('node.pem'), '-days', '20']);
  await openssl(['pkcs12', '-export', '-inkey', at('node.key'), '-in', at('node.pem'), '-name', 'node', '-out', at('node.p12'), '-passout', `pass:${P}`]);
  await openssl(['x509', '-in', at('root.pem'), '-trustout', '-addtrust', 'serverAuth', '-out', at('root-server.pem')]);
  await openssl(['x509', '-in', at('root.pem'), '-trustout', '-addtrust', 'clientAuth', '-out', at('root-client.pem')]);
  for (const name of ['master', 'slave']) copyFileSync(at('node.p12'), at(`${name}.p12`));
  const node = (name: string, trust: string): string => `{ name: ${name}, keystore: ${name}.p12, password: env:P, truststore: ${trust}, endpoint: "127.0.0.1:4433" }`;
  writeFileSync(
    at('cluster.yaml'),
    `ca:\n  keystore: ca.p12\n  password: env:P\ngateway:\n  name: gw\n  instances:\n    - name: gw1\n      keystore: node.p12\n      password: env:P\nreplication:\n  mode: direct\n  master: ${node('master', 'root-server.pem')}\n  slaves:\n    - ${node('slave', 'root-client.pem')}\n`,
  );
}, 60_000);

describe('live trust check: each node judges the server with the anchors its trust store gives for TLS server use', () => {
  it('a root trusted for serverAuth anchors; one trusted for clientAuth only does not', async () => {
    const { master, slaves } = await liveNodesOf(await loadClusterFile(at('cluster.yaml')), { env: { P } });
    expect(master.trusted).toHaveLength(1);
    expect(slaves[0]!.trusted).toHaveLength(0);
    expect((await import('node:child_process')).spawnSync('openssl', ['verify', '-purpose', 'sslserver', '-CAfile', at('root-server.pem'), at('node.pem')]).status).toBe(0);
  });
});
