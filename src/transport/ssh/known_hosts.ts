import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { appendFile, chmod, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FileNotFoundError, IoError, SshHostKeyMismatchError, SshHostUnknownError } from '../../errors.js';
import { readLocalFileBytes } from '../local_file.js';
import { globMatch } from './match_pattern.js';

/** One usable line of a known_hosts file. */
export interface KnownHostEntry {
  marker?: 'revoked' | 'cert-authority';
  /** Comma-separated patterns as written: names, `[host]:port`, wildcards, `!negations`, or one `|1|salt|hash`. */
  patterns: string;
  keyType: string;
  /** The public key blob (SSH wire format), base64 as in the file. */
  key: string;
}

/** What was decided about a presented host key. */
export type HostKeyVerdict = { status: 'known' } | { status: 'unknown' } | { status: 'mismatch'; why: string };

/**
 * The name a host goes by in known_hosts: `host` on port 22, `[host]:port` elsewhere, in lower
 * case (as OpenSSH writes and hashes it: `ssh GW1` is looked up, and added, as `gw1`).
 */
export function knownHostsName(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

/** OpenSSH's fingerprint of a key blob: `SHA256:` and unpadded base64 of its SHA-256. */
export function hostKeyFingerprint(blob: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named at the head of an SSH public key blob ("ssh-ed25519", "ssh-rsa", ...). */
export function hostKeyType(blob: Uint8Array): string {
  if (blob.length < 4) return 'unknown';
  const length = Buffer.from(blob).readUInt32BE(0);
  if (length > 64 || 4 + length > blob.length) return 'unknown';
  return Buffer.from(blob.subarray(4, 4 + length)).toString('latin1');
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') marker = fields.shift()!.slice(1) as KnownHostEntry['marker'];
    else if (fields[0]!.startsWith('@')) continue;
    const [patterns, keyType, key] = fields;
    if (!patterns || !keyType || !key) continue;
    entries.push({ ...(marker ? { marker } : {}), patterns, keyType, key });
  }
  return entries;
}

/** Whether a host name (as knownHostsName gives it) matches an entry's pattern list, hashed entries included. */
export function matchesHostPatterns(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) {
    const [, , salt, hash] = patterns.split('|');
    if (!salt || !hash) return false;
    const expected = Buffer.from(hash, 'base64');
    const actual = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }
  let matched = false;
  for (const pattern of patterns.split(',')) {
    const negated = pattern.startsWith('!');
    const body = negated ? pattern.slice(1) : pattern;
    if (globMatch(body.toLowerCase(), name.toLowerCase())) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/**
 * OpenSSH's rules, strictly: a revoked key is refused; a key listed for the host is known; a host
 * listed only with other keys has a changed key (a man in the middle looks exactly like this); a
 * host not listed at all is unknown. Certificate authorities (@cert-authority) are not used.
 */
export function checkHostKey(entries: readonly KnownHostEntry[], name: string, blob: Uint8Array): HostKeyVerdict {
  const presented = Buffer.from(blob).toString('base64');
  const type = hostKeyType(blob);
  let listed = false;
  let sameType = false;
  for (const e of entries) {
    if (e.marker === 'revoked' && e.key === presented) return { status: 'mismatch', why: 'is marked @revoked' };
  }
  for (const e of entries) {
    if (e.marker !== undefined || !matchesHostPatterns(e.patterns, name)) continue;
    if (e.key === presented) return { status: 'known' };
    listed = true;
    if (e.keyType === type) sameType = true;
  }
  if (!listed) return { status: 'unknown' };
  return { status: 'mismatch', why: sameType ? 'differs from the one' : 'is of a type other than the ones listed' };
}

/** Key types the file lists for a host, so the handshake can ask for those first (as OpenSSH does). */
export function knownKeyTypes(entries: readonly KnownHostEntry[], name: string): string[] {
  return [...new Set(entries.filter((e) => e.marker === undefined && matchesHostPatterns(e.patterns, name)).map((e) => e.keyType))];
}

export interface KnownHostsFiles {
  /** Files read, in order; the first is the one new keys are added to. */
  files: string[];
  /** Add the key of a host not listed at all (OpenSSH's StrictHostKeyChecking=accept-new). */
  acceptNew?: boolean;
}

/** Every entry of the files that exist (a missing file is empty, as for OpenSSH). */
export async function loadKnownHosts(files: readonly string[]): Promise<KnownHostEntry[]> {
  const entries: KnownHostEntry[] = [];
  for (const file of files) {
    let text: string;
    try {
      // a regular file of bounded size: a FIFO would block the command, /dev/zero would fill memory
      text = Buffer.from(await readLocalFileBytes(file, 16 * 1024 * 1024, 'a known_hosts file')).toString('utf8');
    } catch (error) {
      if (error instanceof FileNotFoundError) continue;
      throw error;
    }
    entries.push(...parseKnownHosts(text));
  }
  return entries;
}

/**
 * Decides on a presented key, adding it when it is new and accept-new was asked for; throws
 * ERR_SSH_HOST_UNKNOWN (with the fingerprint to check) or ERR_SSH_HOST_KEY_MISMATCH otherwise.
 */
export async function verifyHostKey(known: KnownHostsFiles, entries: readonly KnownHostEntry[], label: string, host: string, port: number, blob: Uint8Array): Promise<void> {
  const name = knownHostsName(host, port);
  const verdict = checkHostKey(entries, name, blob);
  const type = hostKeyType(blob);
  const where = known.files[0] ?? 'known_hosts';
  if (verdict.status === 'known') return;
  if (verdict.status === 'mismatch') throw new SshHostKeyMismatchError(label, type, hostKeyFingerprint(blob), known.files.join(', '), verdict.why);
  if (!known.acceptNew || known.files.length === 0) throw new SshHostUnknownError(label, type, hostKeyFingerprint(blob), where);
  await addKnownHost(where, name, type, blob);
}

async function addKnownHost(file: string, name: string, type: string, blob: Uint8Array): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    await appendFile(file, `${name} ${type} ${Buffer.from(blob).toString('base64')}\n`, { mode: 0o600 });
    await chmod(file, 0o600).catch(() => undefined);
  } catch (error) {
    throw new IoError(`cannot add the host key to ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, { cause: error });
  }
}
