import { userInfo } from 'node:os';
import { accountHome } from '../../lib/account_home.js';
import { join } from 'node:path';

/**
 * How hapki reaches remote hosts, as an operator runs ssh: keys from the agent or an identity
 * file, host keys checked strictly against known_hosts, passwords only when asked for.
 * Secrets here are already resolved from their password sources.
 */
export interface SshOptions {
  /** User when a location names none (default: the local user name). */
  user?: string;
  /** A private key file (OpenSSH or PEM); tried after the agent. */
  identity?: string;
  /** The identity's passphrase, when it is encrypted. */
  identityPassphrase?: string;
  /** Password authentication, only when given explicitly. */
  password?: string;
  /** ssh-agent socket (default SSH_AUTH_SOCK); false: no agent. */
  agent?: string | false;
  /** known_hosts files (default ~/.ssh/known_hosts and /etc/ssh/ssh_known_hosts); new keys go to the first. */
  knownHosts?: string[];
  /** Add keys of hosts not listed at all (OpenSSH accept-new); changed keys are still refused. */
  acceptNewHostKeys?: boolean;
  /** Run the SFTP server through `sudo -n` on the host (Ansible's become). */
  sudo?: boolean;
  /** The sftp-server path for sudo (default: the first of the usual places that exists). */
  sftpServer?: string;
  /** TCP connect plus SSH handshake (default 15000 ms). */
  connectTimeoutMs?: number;
  /**
   * ServerAliveInterval (ms; 0: no keepalives) and ServerAliveCountMax: keepalives every interval,
   * the connection dropped after countMax unanswered (default 5 s × 3), and an SFTP request
   * unanswered for interval × countMax (default 30 s) closes it: ERR_SSH_CONNECT.
   */
  serverAlive?: { intervalMs: number; countMax: number };
  /**
   * An ssh_config file to read as `ssh -F` does (only it); false: none. Default: ~/.ssh/config
   * then /etc/ssh/ssh_config, where they exist. The options above win over what it says.
   */
  config?: string | false;
  /** Key files the ssh configuration names (IdentityFile): tried before the agent, one unusable skipped. */
  identityFiles?: string[];
  /** Where a warning goes (a host with StrictHostKeyChecking no); default process.emitWarning. */
  warn?: (message: string) => void;
}

export function defaultKnownHostsFiles(): string[] {
  return [join(accountHome(), '.ssh', 'known_hosts'), '/etc/ssh/ssh_known_hosts'];
}

/** The key files ssh itself tries when no identity is named. */
export function defaultIdentityFiles(): string[] {
  return ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((name) => join(accountHome(), '.ssh', name));
}

export function defaultUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'root';
  }
}
