import type { Command } from 'commander';
import { configureFanOut, DEFAULT_PARALLEL_HOSTS } from '../transport/fan_out.js';
import { sharedSshPool } from '../transport/ssh/pool.js';
import type { SshOptions } from '../transport/ssh/ssh_options.js';
import { secretFileProblemAt } from '../secrets/password_source.js';
import type { CliContext } from './context.js';
import { warn } from './io.js';
import { parseWholeNumber } from './options.js';

interface SshFlags {
  sshUser?: string;
  sshIdentity?: string;
  sshIdentityPassword?: string;
  sshPassword?: string;
  knownHosts?: string;
  acceptNewHostKeys?: boolean;
  sudo?: boolean;
  sshConfig?: string;
}

export const SSH_HELP = `
Remote keystores:
  Wherever a keystore path is taken, ssh://[user@]host[:port]/absolute/path (or host:/absolute/path)
  reaches it over SFTP: host aliases, users, ports, keys and ProxyJump from ~/.ssh/config (or
  --ssh-config), keys from --ssh-identity or ssh-agent (SSH_AUTH_SOCK), host keys checked
  strictly against ~/.ssh/known_hosts (ERR_SSH_HOST_UNKNOWN, ERR_SSH_HOST_KEY_MISMATCH).
  hapki list ssh://deploy@gw1.example.com/opt/msas/gateway.jks --storepass env:STOREPASS
  hapki list gw1:/opt/msas/gateway.jks --known-hosts ./known_hosts --ssh-identity ~/.ssh/ops_ed25519`;

/**
 * The SSH options every command takes (on the program, so they go before or after the command
 * name), applied to the shared connection pool before the command runs.
 */
export function addSshOptions(program: Command, ctx: CliContext): void {
  program
    .option('--ssh-user <user>', 'user for ssh:// locations that name none (default: the local user)')
    .option('--ssh-identity <file>', 'SSH private key file (tried after ssh-agent)')
    .option('--ssh-identity-password <src>', 'passphrase of an encrypted --ssh-identity: env:NAME, file:PATH, fd:N or stdin')
    .option('--ssh-password <src>', 'use SSH password authentication with this password source (off unless given)')
    .option('--known-hosts <file>', 'known_hosts file to check host keys against (default ~/.ssh/known_hosts)')
    .option('--accept-new-host-keys', "add keys of hosts not yet known (OpenSSH's accept-new); changed keys are still refused")
    .option('--sudo', 'run the remote SFTP server through sudo -n, for keystores owned by a service user')
    .option('--ssh-config <file>', 'ssh_config file for host aliases, users, ports, keys, ProxyJump (default ~/.ssh/config, /etc/ssh/ssh_config; none: no file)')
    .hook('preAction', async (command) => {
      const flags = command.opts<SshFlags>();
      // kept when the command then fails: they say how the host was reached (a host key policy, a Match block left out)
      const options: SshOptions = { warn: (message) => warn(ctx.io, message, { keep: true }) };
      if (flags.sshUser !== undefined) options.user = flags.sshUser;
      if (flags.sshIdentity !== undefined) {
        options.identity = flags.sshIdentity;
        // ssh refuses such a key ("UNPROTECTED PRIVATE KEY FILE"); hapki warns, as for password files
        const problem = secretFileProblemAt(flags.sshIdentity);
        if (problem) warn(ctx.io, `--ssh-identity: the key file ${flags.sshIdentity} ${problem}`);
      }
      if (flags.sshIdentityPassword !== undefined) options.identityPassphrase = (await ctx.passwords.resolve(flags.sshIdentityPassword, 'SSH identity passphrase'))!;
      if (flags.sshPassword !== undefined) options.password = (await ctx.passwords.resolve(flags.sshPassword, 'SSH password'))!;
      if (flags.knownHosts !== undefined) options.knownHosts = [flags.knownHosts];
      if (flags.acceptNewHostKeys) options.acceptNewHostKeys = true;
      if (flags.sudo) options.sudo = true;
      if (flags.sshConfig !== undefined) options.config = flags.sshConfig === 'none' ? false : flags.sshConfig;
      sharedSshPool().configure(options);
    });
}

/**
 * `--parallel <n>` of the multi-host commands (apply, plan, token distribute, trust mesh, trust check, audit):
 * how many hosts are read, staged and cleaned up at once (src/transport/fan_out.ts).
 */
export function addParallelOption(command: Command): Command {
  return command
    .option('--parallel <n>', `hosts read and staged at once (default ${DEFAULT_PARALLEL_HOSTS}); nothing is renamed anywhere until every host staged`)
    .hook('preAction', (action) => {
      const parallel = parseWholeNumber(action.opts<{ parallel?: string }>().parallel, '--parallel', 1);
      configureFanOut({ parallel: parallel ?? DEFAULT_PARALLEL_HOSTS });
    });
}
