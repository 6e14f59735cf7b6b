import { closeSync, constants, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { SshConfigError } from '../../errors.js';
import { errnoWords } from '../../lib/errno_words.js';
import { globMatch } from './match_pattern.js';
import { accountHome, expandHome } from '../../lib/account_home.js';
import { defaultUser } from './ssh_options.js';

/**
 * OpenSSH client configuration (ssh_config(5)), read as ssh reads it for the keywords hapki
 * uses: `Host` blocks with patterns (`*`, `?`, `!negation`, several on a line), the first value
 * obtained for a keyword wins (IdentityFile adds up), `Include` (globs in the last part, relative
 * to ~/.ssh or /etc/ssh), `~` and `%` tokens. `Match` is not evaluated: its block is left out
 * (a warning says so), except `Match all`. Other keywords are ignored as ssh would apply them to
 * no SFTP connection hapki makes; `ProxyCommand` is refused (hapki runs no local commands to
 * connect; ProxyJump does the same through SSH itself).
 */
export interface SshHostConfig {
  hostName?: string;
  user?: string;
  port?: number;
  identityFiles: string[];
  identitiesOnly?: boolean;
  userKnownHostsFiles?: string[];
  globalKnownHostsFiles?: string[];
  strictHostKeyChecking?: 'yes' | 'no' | 'accept-new' | 'ask';
  connectTimeoutSeconds?: number;
  /** ServerAliveInterval (seconds; 0: none) and ServerAliveCountMax. */
  serverAliveIntervalSeconds?: number;
  serverAliveCountMax?: number;
  /** ProxyJump hops, as written (`[user@]host[:port]` or `ssh://...`), first hop first; [] for `none`. */
  proxyJump?: string[];
  hostKeyAlias?: string;
  /** Things to tell the user once (an unsupported Match block). */
  warnings: string[];
}

export interface SshConfig {
  /** The settings for a host as a location names it (`gw1` of `ssh://gw1/...`). */
  lookup(host: string): SshHostConfig;
}

/** Files ssh reads when none is named: the user's, then the system's. */
export function defaultSshConfigFiles(): string[] {
  return [join(accountHome(), '.ssh', 'config'), '/etc/ssh/ssh_config'];
}

/** Largest configuration file read, and all of them together with what they include. */
const MAX_FILE_BYTES = 256 * 1024;
const MAX_TOTAL_BYTES = 1024 * 1024;
/** ssh's READCONF_MAX_DEPTH. */
const MAX_INCLUDE_DEPTH = 16;
const MAX_FILES = 256;
/** ssh's SSH_MAX_IDENTITY_FILES. */
const MAX_IDENTITY_FILES = 100;

type Entry =
  | { kind: 'host'; patterns: string[] }
  | { kind: 'match'; all: boolean; where: string; quiet: boolean }
  | { kind: 'option'; key: string; args: string[]; where: string }
  /** A file begins; `include`: it is included, and counts only where its Include line does. */
  | { kind: 'push'; include: boolean }
  | { kind: 'pop' };

/**
 * Reads the files (a missing one is skipped unless `required`); a file that is not a regular
 * text file of bounded size, a line ssh would refuse, an Include loop or too deep an Include are
 * ERR_SSH_CONFIG naming the file and line.
 */
export function loadSshConfig(files: readonly { path: string; required: boolean; checkOwner?: boolean }[]): SshConfig {
  const state = { bytes: 0, files: 0 };
  const entries: Entry[] = [];
  for (const file of files) {
    const text = readConfigFile(file.path, file.required, state, file.checkOwner ?? !file.required);
    if (text === undefined) continue;
    // every file starts outside any Host block, as ssh reads each one on its own
    entries.push({ kind: 'push', include: false }, ...parse(text, file.path, 0, state, [file.path]), { kind: 'pop' });
  }
  return { lookup: (host) => evaluate(entries, host) };
}

/**
 * `checkOwner`: as ssh checks ~/.ssh/config and what it includes, the file must be the user's
 * (or root's) and writable by no one else: whoever may write it could point a host at their
 * own known_hosts file, and so at their own server.
 */
function readConfigFile(path: string, required: boolean, state: { bytes: number; files: number }, checkOwner: boolean, included = false): string | undefined {
  if (++state.files > MAX_FILES) throw new SshConfigError(`${path}: more than ${MAX_FILES} ssh configuration files are included`);
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO in its place must not block the command
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ssh skips the files it reads by default (~/.ssh/config, /etc/ssh/ssh_config) when it cannot
    // open them at all (missing, unreadable, a looping link); an Include it cannot open but that
    // exists stops it, and so does a file named with -F
    if (!required && (code === 'ENOENT' || code === 'ENOTDIR' || (!included && code !== 'EMFILE' && code !== 'ENFILE' && code !== 'ENOMEM'))) return undefined;
    throw new SshConfigError(`cannot read the ssh configuration ${path}: ${errnoWords(code) ?? 'unreadable'}`);
  }
  try {
    const stat = fstatSync(fd);
    const me = process.getuid?.();
    if (checkOwner && me !== undefined && ((stat.uid !== 0 && stat.uid !== me) || (stat.mode & 0o022) !== 0)) {
      throw new SshConfigError(`bad owner or permissions on the ssh configuration ${path}: it must be yours (or root's) and writable by no one else, as ssh requires`);
    }
    // a directory in its place reads as nothing for ssh
    if (stat.isDirectory() && !required) return undefined;
    if (!stat.isFile()) throw new SshConfigError(`the ssh configuration ${path} is not a regular file`);
    if (stat.size > MAX_FILE_BYTES) throw new SshConfigError(`the ssh configuration ${path} is too large (${stat.size} bytes; at most ${MAX_FILE_BYTES})`);
    const buffer = Buffer.alloc(MAX_FILE_BYTES + 1);
    let total = 0;
    for (;;) {
      const read = readSync(fd, buffer, total, buffer.length - total, null);
      if (read === 0) break;
      total += read;
      if (total > MAX_FILE_BYTES) throw new SshConfigError(`the ssh configuration ${path} is too large (at most ${MAX_FILE_BYTES} bytes)`);
    }
    state.bytes += total;
    if (state.bytes > MAX_TOTAL_BYTES) throw new SshConfigError(`the ssh configuration with what it includes is too large (at most ${MAX_TOTAL_BYTES} bytes)`);
    const bytes = buffer.subarray(0, total);
    if (bytes.includes(0)) throw new SshConfigError(`the ssh configuration ${path} is not a text file`);
    return bytes.toString('utf8');
  } catch (error) {
    if (error instanceof SshConfigError) throw error;
    throw new SshConfigError(`cannot read the ssh configuration ${path}: ${errnoWords((error as NodeJS.ErrnoException).code) ?? 'unreadable'}`);
  } finally {
    closeSync(fd);
  }
}

function parse(text: string, file: string, depth: number, state: { bytes: number; files: number }, chain: string[]): Entry[] {
  const entries: Entry[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const where = `${file}:${i + 1}`;
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Za-z][A-Za-z0-9]*)\s*(?:=\s*|\s+|$)(.*)$/s.exec(line);
    if (!m) throw new SshConfigError(`${where}: not a keyword and its arguments`);
    const key = m[1]!.toLowerCase();
    const args = splitArgs(m[2]!, where);
    if (key === 'host') {
      if (args.length === 0) throw new SshConfigError(`${where}: Host needs at least one pattern`);
      entries.push({ kind: 'host', patterns: args });
    } else if (key === 'match') {
      if (args.length === 0) throw new SshConfigError(`${where}: Match needs a criterion`);
      // `Match all`, and `Match final all` as distributions ship it (Fedora's crypto policies), apply to every host
      const all = args.some((a) => a.toLowerCase() === 'all') && args.every((a) => ['all', 'final', 'canonical'].includes(a.toLowerCase()));
      entries.push({ kind: 'match', all, where, quiet: file.startsWith('/etc/ssh/') });
    } else if (key === 'include') {
      if (args.length === 0) throw new SshConfigError(`${where}: Include needs a file`);
      if (depth + 1 > MAX_INCLUDE_DEPTH) throw new SshConfigError(`${where}: Include nested more than ${MAX_INCLUDE_DEPTH} deep (a file including itself?)`);
      for (const arg of args) {
        for (const path of expandInclude(arg, file)) {
          if (chain.includes(path)) throw new SshConfigError(`${where}: Include of ${path} loops back to a file that includes it`);
          // included files are checked as ssh checks them, whoever included them
          const text = readConfigFile(path, false, state, true, true);
          if (text === undefined) continue;
          entries.push({ kind: 'push', include: true }, ...parse(text, path, depth + 1, state, [...chain, path]), { kind: 'pop' });
        }
      }
    } else {
      entries.push({ kind: 'option', key, args, where });
    }
  }
  return entries;
}

/** ssh's argument splitting: words apart by blanks, "double quoted" words may hold blanks. */
function splitArgs(text: string, where: string): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) break;
    if (text[i] === '#') break;
    if (text[i] === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) throw new SshConfigError(`${where}: a quote is not closed`);
      args.push(text.slice(i + 1, end));
      i = end + 1;
    } else {
      let j = i;
      while (j < text.length && !/\s/.test(text[j]!)) j++;
      args.push(text.slice(i, j));
      i = j;
    }
  }
  return args;
}

/** An Include argument as files: `~` expanded, relative to ~/.ssh (or /etc/ssh for the system's files), `*`/`?` in the last part. */
function expandInclude(arg: string, from: string): string[] {
  let path = expandHome(arg);
  if (!isAbsolute(path)) path = join(from.startsWith('/etc/ssh/') ? '/etc/ssh' : join(accountHome(), '.ssh'), path);
  const name = basename(path);
  if (!/[*?[]/.test(name)) return [path];
  if (/[*?[]/.test(dirname(path))) throw new SshConfigError(`Include ${arg}: wildcards are taken in the file name only`);
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return [];
  }
  return names
    .filter((n) => !n.startsWith('.') && globMatch(name, n))
    .sort()
    .map((n) => join(dirname(path), n));
}


/** A Host line matches when one of its patterns does and none of its negations (ssh's match_pattern_list, case-insensitive). */
export function hostMatches(patterns: readonly string[], host: string): boolean {
  const name = host.toLowerCase();
  let matched = false;
  for (const list of patterns) {
    for (const pattern of list.split(',')) {
      if (pattern === '') continue;
      const negated = pattern.startsWith('!');
      if (globMatch((negated ? pattern.slice(1) : pattern).toLowerCase(), name)) {
        if (negated) return false;
        matched = true;
      }
    }
  }
  return matched;
}

function evaluate(entries: readonly Entry[], host: string): SshHostConfig {
  const out: SshHostConfig = { identityFiles: [], warnings: [] };
  const seen = new Set<string>();
  const stack: { active: boolean; never: boolean }[] = [];
  let active = true;
  // inside a file included under a Host or Match that does not apply: none of its blocks apply either (ssh's SSHCONF_NEVERMATCH)
  let never = false;
  const identityRaw: string[] = [];
  let proxy: { kind: 'jump'; hops: string[] } | { kind: 'command'; where: string } | undefined;
  for (const entry of entries) {
    if (entry.kind === 'push') {
      stack.push({ active, never });
      if (entry.include) never ||= !active;
      else active = true;
      continue;
    }
    if (entry.kind === 'pop') {
      ({ active, never } = stack.pop() ?? { active: true, never: false });
      continue;
    }
    if (entry.kind === 'host') {
      active = !never && hostMatches(entry.patterns, host);
      continue;
    }
    if (entry.kind === 'match') {
      active = !never && entry.all;
      // the system's own file is the administrator's business: its Match blocks are left out quietly
      if (!entry.all && !entry.quiet && !out.warnings.some((w) => w.includes('Match'))) out.warnings.push(`${entry.where}: Match blocks are not evaluated by hapki; the settings under this one are not used (use Host blocks)`);
      continue;
    }
    if (!active) continue;
    const { key, args, where } = entry;
    const first = (): string => {
      if (args.length === 0) throw new SshConfigError(`${where}: ${key} needs a value`);
      return args[0]!;
    };
    if (key === 'identityfile') {
      const file = first();
      // ssh registers a file once, and stops at the 101st
      if (identityRaw.includes(file)) continue;
      if (identityRaw.length >= MAX_IDENTITY_FILES) throw new SshConfigError(`${where}: too many identity files (at most ${MAX_IDENTITY_FILES}, as ssh takes)`);
      identityRaw.push(file);
      continue;
    }
    if (key === 'proxyjump' || key === 'proxycommand') {
      if (proxy !== undefined) continue;
      if (key === 'proxycommand') {
        proxy = first().toLowerCase() === 'none' ? { kind: 'jump', hops: [] } : { kind: 'command', where };
      } else {
        const value = first();
        proxy = { kind: 'jump', hops: value.toLowerCase() === 'none' ? [] : value.split(',').map((h) => h.trim()) };
        if (proxy.hops.some((h) => h === '')) throw new SshConfigError(`${where}: ProxyJump lists an empty hop`);
      }
      continue;
    }
    if (seen.has(key)) continue;
    switch (key) {
      case 'hostname':
        out.hostName = first();
        break;
      case 'user':
        out.user = first();
        break;
      case 'port':
        out.port = portOf(first(), where);
        break;
      case 'identitiesonly':
        out.identitiesOnly = yesNo(first(), where, key);
        break;
      case 'userknownhostsfile':
        if (args.length === 0) throw new SshConfigError(`${where}: UserKnownHostsFile needs a value`);
        out.userKnownHostsFiles = args[0]!.toLowerCase() === 'none' ? [] : args;
        break;
      case 'globalknownhostsfile':
        if (args.length === 0) throw new SshConfigError(`${where}: GlobalKnownHostsFile needs a value`);
        out.globalKnownHostsFiles = args[0]!.toLowerCase() === 'none' ? [] : args;
        break;
      case 'stricthostkeychecking': {
        const v = first().toLowerCase();
        if (v === 'yes' || v === 'true') out.strictHostKeyChecking = 'yes';
        else if (v === 'no' || v === 'false' || v === 'off') out.strictHostKeyChecking = 'no';
        else if (v === 'accept-new') out.strictHostKeyChecking = 'accept-new';
        else if (v === 'ask') out.strictHostKeyChecking = 'ask';
        else throw new SshConfigError(`${where}: StrictHostKeyChecking is yes, accept-new, no or ask`);
        break;
      }
      case 'connecttimeout': {
        const v = first();
        if (v.toLowerCase() !== 'none') {
          if (!/^\d{1,6}$/.test(v) || Number(v) < 1) throw new SshConfigError(`${where}: ConnectTimeout is a number of seconds`);
          out.connectTimeoutSeconds = Number(v);
        }
        break;
      }
      case 'serveraliveinterval': {
        const v = first();
        if (!/^\d{1,6}$/.test(v)) throw new SshConfigError(`${where}: ServerAliveInterval is a number of seconds`);
        out.serverAliveIntervalSeconds = Number(v);
        break;
      }
      case 'serveralivecountmax': {
        const v = first();
        if (!/^\d{1,6}$/.test(v) || Number(v) < 1) throw new SshConfigError(`${where}: ServerAliveCountMax is a number, at least 1`);
        out.serverAliveCountMax = Number(v);
        break;
      }
      case 'hostkeyalias':
        out.hostKeyAlias = first();
        break;
      default:
        // a keyword hapki does not use: ssh's business, not a reason to refuse the file
        continue;
    }
    seen.add(key);
  }
  if (proxy?.kind === 'command') throw new SshConfigError(`${proxy.where}: ProxyCommand is not supported by hapki (it runs no local command to connect); use ProxyJump`);
  if (proxy?.kind === 'jump') out.proxyJump = proxy.hops;
  // tokens are expanded once the values they name are known (ssh does the same)
  const tokens = { alias: host, hostName: out.hostName === undefined ? host : expandTokens(out.hostName, { alias: host, hostName: host, port: out.port ?? 22, user: out.user }, 'HostName', ['h', '%']) };
  out.hostName = tokens.hostName;
  const context = { alias: host, hostName: tokens.hostName, port: out.port ?? 22, user: out.user };
  out.identityFiles = identityRaw.map((f) => expandHome(expandTokens(f, context, 'IdentityFile')));
  if (out.userKnownHostsFiles) out.userKnownHostsFiles = out.userKnownHostsFiles.map((f) => expandHome(expandTokens(f, context, 'UserKnownHostsFile')));
  if (out.globalKnownHostsFiles) out.globalKnownHostsFiles = out.globalKnownHostsFiles.map((f) => expandHome(expandTokens(f, context, 'GlobalKnownHostsFile')));
  return out;
}

/** %h host name, %n the name as given, %p port, %r remote user, %u local user, %d local home, %% a percent. */
function expandTokens(text: string, c: { alias: string; hostName: string; port: number; user: string | undefined }, keyword: string, allowed?: string[]): string {
  return text.replace(/%(.?)/g, (_all, t: string) => {
    if (allowed && !allowed.includes(t)) throw new SshConfigError(`${keyword}: the token %${t} is not allowed there`);
    switch (t) {
      case '%':
        return '%';
      case 'h':
        return c.hostName;
      case 'n':
        return c.alias;
      case 'p':
        return String(c.port);
      case 'r':
        return c.user ?? defaultUser();
      case 'u':
        return defaultUser();
      case 'd':
        return accountHome();
      default:
        throw new SshConfigError(`${keyword}: the token %${t} is not one hapki expands (%h %n %p %r %u %d %%)`);
    }
  });
}


function portOf(text: string, where: string): number {
  const n = Number(text);
  if (!/^\d{1,5}$/.test(text) || n < 1 || n > 65535) throw new SshConfigError(`${where}: Port is a number from 1 to 65535`);
  return n;
}

function yesNo(text: string, where: string, key: string): boolean {
  const v = text.toLowerCase();
  if (v === 'yes' || v === 'true') return true;
  if (v === 'no' || v === 'false') return false;
  throw new SshConfigError(`${where}: ${key} is yes or no`);
}
