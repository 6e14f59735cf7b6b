import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createLab } from '../../src/cluster/create_lab.js';
import { LAB_LAYOUT } from '../../src/cluster/lab_layout.js';
import { REPO_ROOT } from './fixtures.js';
import { createSshLab, freePort, type SshHost, type SshLab } from './sshd.js';

/** The lab's nodes that can live on a host of their own. */
export type LabNodeName = 'msas1' | 'msas2' | 'admin' | 'standby1' | 'standby2';

/**
 * `hapki lab` made on "the operator's machine", then each named node's files moved to an sshd
 * "host" of its own (the same paths under the host's root), with a loopback port kept for the
 * node's TLS endpoint. The CA, the token and the secrets stay with the operator.
 */
export interface SshClusterLab {
  ssh: SshLab;
  /** The operator's directory: the lab's cluster.yaml, CA, token and secrets. */
  local: string;
  hosts: Map<LabNodeName, SshHost>;
  endpoints: Map<LabNodeName, number>;
  /** A node's keystore (or trust store) as a local path under its host's root. */
  keystore(name: LabNodeName): string;
  truststore(name: LabNodeName): string | undefined;
  /** `root@127.0.0.1:<port>`, the node's `host:` in a cluster file. */
  hostOf(name: LabNodeName): string;
  /** A restart: command that (re)starts the node's TLS endpoint on its keystore as it now is (test/helpers/restart_endpoint.sh). */
  restartCommand(name: LabNodeName, truststore?: string): string;
  /** Starts (or restarts) the node's endpoint from here. */
  startEndpoint(name: LabNodeName): void;
  /** The node's keystore password, as the lab's secret file holds it. */
  secret(name: LabNodeName): string;
  stop(): void;
}

export async function createSshClusterLab(nodes: readonly LabNodeName[]): Promise<SshClusterLab> {
  const ssh = createSshLab();
  const local = join(ssh.dir, 'operator');
  await createLab(local);
  const hosts = new Map<LabNodeName, SshHost>();
  const endpoints = new Map<LabNodeName, number>();
  for (const name of nodes) {
    const host = await ssh.addHost(name);
    hosts.set(name, host);
    endpoints.set(name, await freePort());
    const layout = LAB_LAYOUT[name];
    for (const file of [layout.keystore, ...('truststore' in layout ? [layout.truststore] : [])]) {
      mkdirSync(dirname(join(host.root, file)), { recursive: true });
      if (existsSync(join(local, file))) cpSync(join(local, file), join(host.root, file));
    }
    rmSync(join(local, dirname(layout.keystore)), { recursive: true, force: true });
  }
  const keystore = (name: LabNodeName): string => join(hosts.get(name)!.root, LAB_LAYOUT[name].keystore);
  const truststore = (name: LabNodeName): string | undefined => {
    const layout = LAB_LAYOUT[name];
    return 'truststore' in layout ? join(hosts.get(name)!.root, layout.truststore) : undefined;
  };
  const restartCommand = (name: LabNodeName, trust?: string): string => {
    const layout = LAB_LAYOUT[name];
    return `NODE=${process.execPath} ${join(REPO_ROOT, 'test/helpers/restart_endpoint.sh')} ${hosts.get(name)!.root} ${keystore(name)} ${join(local, layout.secret)} ${layout.alias} ${endpoints.get(name)} ${trust ?? truststore(name) ?? ''}`.trimEnd();
  };
  return {
    ssh,
    local,
    hosts,
    endpoints,
    keystore,
    truststore,
    hostOf: (name) => `root@127.0.0.1:${hosts.get(name)!.port}`,
    restartCommand,
    startEndpoint: (name) => void execFileSync('/bin/sh', ['-c', restartCommand(name)]),
    secret: (name) => readFileSync(join(local, LAB_LAYOUT[name].secret), 'utf8').trim(),
    stop() {
      for (const host of hosts.values()) {
        try {
          process.kill(Number(readFileSync(join(host.root, 'endpoint.pid'), 'utf8')), 'SIGKILL');
        } catch {
          // no endpoint started there
        }
      }
      ssh.stop();
    },
  };
}

/** SHA-256 of a file, or "absent". */
export function fileDigest(file: string): string {
  return existsSync(file) ? createHash('sha256').update(readFileSync(file)).digest('hex') : 'absent';
}

/**
 * A cluster file's text for the lab's two gateway instances on their hosts: the CA (EC, made
 * when absent), the lab's SSH settings, the `instances` entries as given, and the token on both.
 */
export function gatewayClusterYaml(lab: SshClusterLab, instances: readonly string[], options: { token?: boolean } = {}): string {
  const L = LAB_LAYOUT;
  return `ca:
  keystore: ${L.ca.keystore}
  alias: ca
  password: file:${L.ca.secret}
  create: { subject: "${L.ca.subject}", kty: ec, days: 3650 }
ssh:
  user: root
  identity: ${lab.ssh.clientKey}
  knownHosts: ${lab.ssh.knownHosts}
gateway:
  name: msas
  instances:
${instances.join('\n')}
${options.token ? `token:\n  alias: token\n  subject: "CN=msas-token,O=Example"\n  days: 730\n  keystore: ${L.token.keystore}\n  password: file:${L.token.secret}\n` : ''}`;
}
