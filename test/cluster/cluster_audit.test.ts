import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAudit } from '../../src/audit/run_audit.js';
import { applyCluster } from '../../src/cluster/apply_cluster.js';
import { clusterAuditOptions } from '../../src/cluster/cluster_audit_options.js';
import { createLab } from '../../src/cluster/create_lab.js';
import { LAB_LAYOUT } from '../../src/cluster/lab_layout.js';
import { loadClusterFile } from '../../src/cluster/load_cluster_file.js';
import { openKeystore, saveKeystore } from '../../src/fs/keystore_file.js';
import { readFileSync } from 'node:fs';
import { tempDir } from '../helpers/tools.js';

describe('clusterAuditOptions', () => {
  it('audits exactly the cluster\'s stores with its thresholds and its token group', async () => {
    const dir = join(tempDir('hapki-cluster-audit-'), 'lab');
    const cluster = await loadClusterFile((await createLab(dir)).clusterFile);
    const options = clusterAuditOptions(cluster);
    expect(options.paths).toEqual(['ca/ca.p12', 'token/token.p12', 'gateways/msas1/gateway.jks', 'gateways/msas2/gateway.jks', 'admin/admin.p12', 'standby1/standby1.p12', 'standby2/standby2.p12', 'admin/truststore.p12', 'standby1/truststore.p12', 'standby2/truststore.p12'].map((p) => join(dir, p)));
    expect(options.warnMs).toBe(30 * 86_400_000);
    expect(options.critMs).toBe(7 * 86_400_000);
    expect(options.tokenGroups).toEqual([{ alias: 'token', stores: [join(dir, 'token/token.p12'), join(dir, 'gateways/msas1/gateway.jks'), join(dir, 'gateways/msas2/gateway.jks')] }]);
    expect(await options.passwordFor!(join(dir, 'gateways/msas2/gateway.jks'))).toBe(readFileSync(join(dir, 'secrets/gateway.pass'), 'utf8').trim());
    expect(await options.passwordFor!(join(dir, 'elsewhere.p12'))).toBeUndefined();

    await applyCluster(cluster);
    const report = await runAudit(options);
    expect(report.findings.filter((f) => f.severity !== 'OK').map((f) => `${f.check}: ${f.message}`)).toEqual([]);
    expect(report.status).toBe('OK');

    // one instance without the token: the token group finds the drift
    const path = join(dir, LAB_LAYOUT.msas2.keystore);
    const password = readFileSync(join(dir, LAB_LAYOUT.msas2.secret), 'utf8').trim();
    const store = await openKeystore(path, { password });
    await saveKeystore(path, { ...store, entries: store.entries.filter((e) => e.alias !== 'token') }, { password, force: true });
    const drifted = await runAudit(options);
    const drift = drifted.findings.filter((f) => f.check === 'token-drift');
    // the token's home keystore gives the majority: exactly the instance that lost it is named
    expect(drift.map((f) => f.message)).toEqual([expect.stringContaining('msas2')]);
  });
});
