import { userInfo } from 'node:os';
import { join } from 'node:path';
import { LAB_LAYOUT } from './lab_layout.js';

/** The lab's nodes that become "hosts" with `--ssh`, each with an sshd of its own. */
export const SSH_LAB_NODES = ['msas1', 'msas2', 'admin', 'standby1', 'standby2'] as const;
export const DEFAULT_SSH_LAB_PORT = 2201;

export interface SshLabFile {
  /** Relative to the lab directory. */
  name: string;
  content: string;
  mode: number;
}

/**
 * What `hapki lab DIR --ssh` adds: per node an sshd configuration on 127.0.0.1 (ports base..base+4)
 * with a host key of its own, one client key authorized for them all, a known_hosts file listing
 * the host keys, and the cluster file with every node on "its host" (`host:` and absolute paths).
 * Nothing is started: the README shows the sshd commands to run.
 */
export async function sshLabFiles(root: string, basePort = DEFAULT_SSH_LAB_PORT): Promise<{ files: SshLabFile[]; clusterYaml: (yaml: string) => string; sshdCommands: string[] }> {
  const { utils } = (await import('ssh2')).default;
  const user = userInfo().username;
  const client = utils.generateKeyPairSync('ed25519', { comment: 'hapki-lab-operator' });
  const files: SshLabFile[] = [
    { name: 'ssh/operator_ed25519', content: client.private, mode: 0o600 },
    { name: 'ssh/operator_ed25519.pub', content: `${client.public}\n`, mode: 0o644 },
    { name: 'ssh/authorized_keys', content: `${client.public}\n`, mode: 0o644 },
  ];
  const known: string[] = [];
  const sshdCommands: string[] = [];
  SSH_LAB_NODES.forEach((node, i) => {
    const port = basePort + i;
    const host = utils.generateKeyPairSync('ed25519', { comment: `hapki-lab-${node}` });
    files.push({ name: `ssh/${node}/ssh_host_ed25519_key`, content: host.private, mode: 0o600 });
    files.push({ name: `ssh/${node}/ssh_host_ed25519_key.pub`, content: `${host.public}\n`, mode: 0o644 });
    files.push({
      name: `ssh/${node}/sshd_config`,
      mode: 0o644,
      content: [
        `# the "host" of ${node}: start it with /usr/sbin/sshd -f ${join(root, 'ssh', node, 'sshd_config')}`,
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${join(root, 'ssh', node, 'ssh_host_ed25519_key')}`,
        `PidFile ${join(root, 'ssh', node, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(root, 'ssh', 'authorized_keys')}`,
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin prohibit-password',
        // the lab's files are in a temporary directory, not a home with strict modes
        'StrictModes no',
        'UsePAM no',
        'Subsystem sftp internal-sftp',
        '',
      ].join('\n'),
    });
    known.push(`[127.0.0.1]:${port} ${host.public.split(' ').slice(0, 2).join(' ')}`);
    sshdCommands.push(`/usr/sbin/sshd -f ${join(root, 'ssh', node, 'sshd_config')}`);
  });
  files.push({ name: 'ssh/known_hosts', content: `${known.join('\n')}\n`, mode: 0o644 });
  const clusterYaml = (yaml: string): string => {
    let out = yaml.replace(
      /^gateway:$/m,
      `ssh:\n  # how hapki reaches the nodes' "hosts" (sshd on 127.0.0.1, see ssh/*/sshd_config)\n  user: ${user}\n  identity: ssh/operator_ed25519\n  knownHosts: ssh/known_hosts\n\ngateway:`,
    );
    SSH_LAB_NODES.forEach((node, i) => {
      const layout = LAB_LAYOUT[node];
      const keystoreLine = new RegExp(`^( +)keystore: ${escape(layout.keystore)}$`, 'm');
      out = out.replace(keystoreLine, (_m, indent: string) => `${indent}host: ${user}@127.0.0.1:${basePort + i}\n${indent}keystore: ${join(root, layout.keystore)}`);
      if ('truststore' in layout) out = out.replace(new RegExp(`^( +)truststore: ${escape(layout.truststore)}$`, 'm'), (_m, indent: string) => `${indent}truststore: ${join(root, layout.truststore)}`);
    });
    return out;
  };
  return { files, clusterYaml, sshdCommands };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
