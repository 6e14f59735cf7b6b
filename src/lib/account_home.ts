import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';

/**
 * The home directory `~` means wherever hapki reads a name as ssh would (ssh_config's `~` and
 * ~/.ssh, a cluster file's `ssh:` files): the account's (getpwuid), not $HOME, as OpenSSH takes
 * it. Under `sudo` with HOME kept, or with HOME pointed elsewhere, ssh still reads the account's
 * own config, keys and known_hosts, and so does hapki.
 */
export function accountHome(): string {
  try {
    const home = userInfo().homedir;
    if (home) return home;
  } catch {
    // no account entry for the uid (a container's bare uid): ssh itself refuses to run there; $HOME is the best left
  }
  return homedir();
}

/** `~` and `~/…` from accountHome(); any other name as it is. */
export function expandHome(path: string): string {
  if (path === '~') return accountHome();
  if (path.startsWith('~/')) return join(accountHome(), path.slice(2));
  return path;
}
