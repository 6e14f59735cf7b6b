import type { SshOptions } from '../transport/ssh/ssh_options.js';
import { sharedSshPool } from '../transport/ssh/pool.js';
import type { ClusterFile } from './cluster_file.js';
import { loadClusterFile } from './load_cluster_file.js';
import { resolveSecret, type ResolveSecretOptions } from './secrets.js';

/** The cluster file's ssh: section as options for the shared pool, under what the command line set. */
export async function useClusterSsh(cluster: ClusterFile, options: ResolveSecretOptions = {}): Promise<void> {
  const ssh = cluster.ssh;
  if (!ssh) return;
  const out: SshOptions = {};
  if (ssh.user !== undefined) out.user = ssh.user;
  if (ssh.identity !== undefined) out.identity = ssh.identity;
  if (ssh.identityPassword !== undefined) out.identityPassphrase = await resolveSecret(ssh.identityPassword, 'ssh.identityPassword', options);
  if (ssh.knownHosts !== undefined) out.knownHosts = [ssh.knownHosts];
  if (ssh.sudo !== undefined) out.sudo = ssh.sudo;
  if (ssh.acceptNewHostKeys !== undefined) out.acceptNewHostKeys = ssh.acceptNewHostKeys;
  if (ssh.config !== undefined) out.config = ssh.config;
  sharedSshPool().configureDefaults(out);
}

/** The cluster file at `path`, its ssh: section in force for the locations it names. */
export async function loadClusterWithSsh(path: string, options: ResolveSecretOptions = {}): Promise<ClusterFile> {
  const cluster = await loadClusterFile(path);
  await useClusterSsh(cluster, options);
  return cluster;
}
