import { createHash, randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { SFTPWrapper, Stats } from 'ssh2';
import { FileExistsError, FileNotFoundError, HapkiError, RemoteIoError, SshConnectError, SshPermissionError } from '../../errors.js';
import type { FileInfo, FileTransport } from '../file_transport.js';
import { tooLarge } from '../../lib/too_large.js';
import type { ExecResult, SshSession } from './connect.js';

/** A probe directory's name (see #probe), and the age past which no run is still using one. */
const PROBE_NAME = /^\.hapki-probe-[0-9a-f]{16}$/;
const STALE_PROBE_SECONDS = 600;

/** SFTP status codes (draft-ietf-secsh-filexfer-02, the version OpenSSH speaks). */
const NO_SUCH_FILE = 2;
const PERMISSION_DENIED = 3;
const EOF = 1;
/** Directory entries looked through for a file's link count before giving up. */
const MAX_LINK_SCAN_ENTRIES = 20_000;
const MAX_LINK_SCAN_READS = 1_000;

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

const CHUNK = 32 * 1024;
/** Exclusive creates tried when the server's FAILURE finds nothing at the path afterwards (see createExclusive). */
const CREATE_ATTEMPTS = 5;

/**
 * A FileTransport over SFTP: the same protocol the write path runs on the local disk, with
 * O_EXCL creation, fsync@openssh.com where offered and posix-rename@openssh.com for the atomic
 * replace. Every error names the host and path and carries a hapki code; a dropped connection
 * is ERR_SSH_CONNECT.
 */
export class SftpTransport implements FileTransport {
  #identity: Promise<{ uid: number; gid: number; umask: number }> | undefined;

  constructor(
    readonly location: string,
    private readonly session: () => Promise<SshSession>,
  ) {}

  async lstat(path: string): Promise<FileInfo | undefined> {
    const sftp = await this.#sftp();
    try {
      return toInfo(await this.#call<Stats>((cb) => sftp.lstat(path, cb)));
    } catch (error) {
      if (statusOf(error) === NO_SUCH_FILE) return undefined;
      throw this.#fail(error, path, 'inspect');
    }
  }

  async realpath(path: string): Promise<string> {
    const sftp = await this.#sftp();
    try {
      return await this.#call<string>((cb) => sftp.realpath(path, cb));
    } catch (error) {
      throw this.#fail(error, path, 'resolve');
    }
  }

  async readFile(path: string, maxBytes: number): Promise<Uint8Array> {
    const chunks: Buffer[] = [];
    const total = await this.#read(path, maxBytes, (chunk) => void chunks.push(chunk));
    return new Uint8Array(Buffer.concat(chunks, total));
  }

  async sha256(path: string, maxBytes: number): Promise<string> {
    const hash = createHash('sha256');
    await this.#read(path, maxBytes, (chunk) => void hash.update(chunk));
    return hash.digest('hex');
  }

  /** Reads a regular file in CHUNK pieces, each handed to onChunk as it arrives; the total length. */
  async #read(path: string, maxBytes: number, onChunk: (chunk: Buffer) => void): Promise<number> {
    const sftp = await this.#sftp();
    // checked before opening: opening a FIFO would block the remote sftp-server
    let info: Stats;
    try {
      info = await this.#call<Stats>((cb) => sftp.stat(path, cb));
    } catch (error) {
      throw this.#fail(error, path, 'read');
    }
    if (info.isDirectory()) throw new RemoteIoError(this.location, `${this.#where(path)} is a directory`);
    if (!info.isFile()) throw new RemoteIoError(this.location, `${this.#where(path)} is not a regular file`);
    if (info.size > maxBytes) throw new RemoteIoError(this.location, tooLarge(this.#where(path), maxBytes, undefined, info.size));
    let handle: Buffer | undefined;
    try {
      handle = await this.#call<Buffer>((cb) => sftp.open(path, 'r', cb));
      let total = 0;
      for (;;) {
        const buffer = Buffer.alloc(CHUNK);
        const read = await this.#call<number>((cb) => sftp.read(handle!, buffer, 0, CHUNK, total, (error, bytesRead) => cb(error, bytesRead)));
        if (read === 0) break;
        total += read;
        if (total > maxBytes) throw new RemoteIoError(this.location, tooLarge(this.#where(path), maxBytes));
        onChunk(buffer.subarray(0, read));
      }
      return total;
    } catch (error) {
      if (error instanceof HapkiError) throw error;
      throw this.#fail(error, path, 'read');
    } finally {
      if (handle) await this.#call<void>((cb) => sftp.close(handle!, cb)).catch(() => undefined);
    }
  }

  async createExclusive(path: string, bytes: Uint8Array, mode: number, owner?: { uid: number; gid: number }): Promise<void> {
    const sftp = await this.#sftp();
    let handle: Buffer | undefined;
    for (let attempt = 1; handle === undefined; attempt++) {
      try {
        handle = await this.#call<Buffer>((cb) => sftp.open(path, 'wx', { mode: 0o600 }, cb));
      } catch (error) {
        const status = statusOf(error);
        // SFTP v3 has no "already exists" status: OpenSSH answers EEXIST with a bare FAILURE, so
        // a FAILURE is asked about with lstat. A file gone by then (another change set's lock,
        // let go between the two requests) was there a moment ago: the create is tried again,
        // and only a FAILURE that keeps coming with nothing there is the filesystem's.
        if (status === undefined || status === NO_SUCH_FILE || status === PERMISSION_DENIED) throw this.#fail(error, path, 'create');
        if ((await this.lstat(path)) !== undefined) throw new FileExistsError(this.#where(path));
        if (attempt >= CREATE_ATTEMPTS) throw this.#fail(error, path, 'create');
      }
    }
    try {
      let offset = 0;
      const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      while (offset < data.length) {
        const length = Math.min(CHUNK, data.length - offset);
        await this.#call<void>((cb) => sftp.write(handle, data, offset, length, offset, cb));
        offset += length;
      }
      // a file already so owned is left as it is: some servers (Windows OpenSSH) refuse chown outright
      const now = owner ? await this.#call<{ uid?: number; gid?: number }>((cb) => sftp.fstat(handle, cb)) : undefined;
      if (owner && (now?.uid !== owner.uid || now?.gid !== owner.gid)) {
        await this.#call<void>((cb) => sftp.fchown(handle, owner.uid, owner.gid, cb)).catch((error: unknown) => {
          throw this.#fail(error, path, 'change the owner of');
        });
      }
      await this.#call<void>((cb) => sftp.fchmod(handle, mode, cb));
      if (offersExtension(sftp, 'fsync@openssh.com')) await this.#call<void>((cb) => sftp.ext_openssh_fsync(handle, cb));
    } catch (error) {
      await this.#call<void>((cb) => sftp.close(handle, cb)).catch(() => undefined);
      await this.unlink(path).catch(() => undefined);
      throw this.#fail(error, path, 'write');
    }
    try {
      await this.#call<void>((cb) => sftp.close(handle, cb));
    } catch (error) {
      await this.unlink(path).catch(() => undefined);
      throw this.#fail(error, path, 'write');
    }
  }

  async chown(path: string, uid: number, gid: number): Promise<void> {
    const sftp = await this.#sftp();
    try {
      await this.#call<void>((cb) => sftp.chown(path, uid, gid, cb));
    } catch (error) {
      throw this.#fail(error, path, 'change the owner of');
    }
  }

  async chmod(path: string, mode: number): Promise<void> {
    const sftp = await this.#sftp();
    try {
      await this.#call<void>((cb) => sftp.chmod(path, mode, cb));
    } catch (error) {
      throw this.#fail(error, path, 'change the mode of');
    }
  }

  async checkAtomicReplace(): Promise<void> {
    const sftp = await this.#sftp();
    if (!offersExtension(sftp, 'posix-rename@openssh.com')) {
      throw new RemoteIoError(this.location, `${this.location}: the SFTP server offers no posix-rename@openssh.com, so a file there cannot be replaced atomically: nothing was written (use OpenSSH's sftp-server, or allow that request)`);
    }
  }

  async durabilityProblem(): Promise<string | undefined> {
    if (offersExtension(await this.#sftp(), 'fsync@openssh.com')) return undefined;
    return `${this.location}: the SFTP server offers no fsync@openssh.com, so what hapki writes there is not forced to disk before it replaces the old file (a crash of that host may lose the new content)`;
  }

  async rename(from: string, to: string): Promise<void> {
    const sftp = await this.#sftp();
    await this.checkAtomicReplace();
    try {
      await this.#call<void>((cb) => sftp.ext_openssh_rename(from, to, cb));
    } catch (error) {
      throw this.#fail(error, to, 'replace');
    }
  }

  async unlink(path: string): Promise<void> {
    const sftp = await this.#sftp();
    try {
      await this.#call<void>((cb) => sftp.unlink(path, cb));
    } catch (error) {
      if (statusOf(error) === NO_SUCH_FILE) return;
      throw this.#fail(error, path, 'remove');
    }
  }

  async readdir(path: string): Promise<string[]> {
    const sftp = await this.#sftp();
    try {
      const list = await this.#call<{ filename: string }[]>((cb) => sftp.readdir(path, cb as never));
      return list.map((e) => e.filename).filter((n) => n !== '.' && n !== '..');
    } catch (error) {
      throw this.#fail(error, path, 'list');
    }
  }

  /**
   * Hard links to a file: SFTP's attributes carry no link count, but the server's `ls -l` line for
   * each directory entry does. Read from the listing, in pieces, giving up (undefined) on a
   * directory too large to look through or a line it cannot parse.
   */
  async linkCount(path: string): Promise<number | undefined> {
    const sftp = await this.#sftp();
    const name = posix.basename(path);
    let handle: Buffer | undefined;
    try {
      handle = await this.#call<Buffer>((cb) => sftp.opendir(posix.dirname(path), cb));
      // bounded in entries and in reads: a server answering with empty pieces and never EOF ends too
      for (let seen = 0, reads = 0; seen < MAX_LINK_SCAN_ENTRIES && reads < MAX_LINK_SCAN_READS; reads++) {
        let list: { filename: string; longname: string }[];
        try {
          list = await this.#call<{ filename: string; longname: string }[]>((cb) => sftp.readdir(handle!, cb as never));
        } catch (error) {
          if (statusOf(error) === EOF) return undefined;
          throw error;
        }
        const hit = list.find((e) => e.filename === name);
        if (hit) {
          const m = /^[-a-zA-Z?][-rwxsStTl?]{9}[.+@]?\s+(\d+)\s/.exec(hit.longname);
          return m ? Number(m[1]) : undefined;
        }
        seen += list.length;
      }
      return undefined;
    } catch (error) {
      if (error instanceof SshConnectError) throw error;
      return undefined;
    } finally {
      if (handle) sftp.close(handle, () => undefined);
    }
  }

  /** SFTP cannot fsync a directory (OpenSSH's fsync@openssh.com takes file handles only): best effort is nothing. */
  async syncDirectory(_path: string): Promise<void> {}

  async identity(near?: string): Promise<{ uid: number; gid: number }> {
    const { uid, gid } = await this.#who(near);
    return { uid, gid };
  }

  async umask(): Promise<number> {
    return (await this.#who()).umask;
  }

  /** Creates one directory (its parent must exist); ERR_FILE_EXISTS when something is there. */
  async mkdir(path: string, mode: number): Promise<void> {
    const sftp = await this.#sftp();
    try {
      await this.#call<void>((cb) => sftp.mkdir(path, { mode }, cb));
    } catch (error) {
      if (statusOf(error) !== undefined && (await this.lstat(path)) !== undefined) throw new FileExistsError(this.#where(path));
      throw this.#fail(error, path, 'create the directory');
    }
    // the server's umask applies to mkdir's mode; the caller asked for this one
    await this.chmod(path, mode);
  }

  async #sftp(): Promise<SFTPWrapper> {
    const session = await this.session();
    if (session.closed) throw new SshConnectError(this.location, session.lostWhy ?? 'connection lost');
    this.#session = session;
    return session.sftp();
  }

  #session: SshSession | undefined;

  /** One SFTP request, failed with ERR_SSH_CONNECT if the connection drops before its answer, or none comes within the stall bound. */
  #call<T>(start: (cb: (error: Error | null | undefined, value: T) => void) => void): Promise<T> {
    const request = call(start);
    return this.#session ? this.#session.guard(request, 'finish an SFTP request', true) : request;
  }

  async #who(near?: string): Promise<{ uid: number; gid: number; umask: number }> {
    this.#identity ??= (async () => {
      const session = await this.session();
      if (session.sudo) return { uid: 0, gid: 0, umask: 0o022 };
      // after a marker: what the account's shell start-up prints first (a banner, a greeting) is not the answer
      let result: ExecResult | undefined;
      try {
        result = await session.exec(`echo ${IDENTITY_MARKER}; id -u; id -g; umask`, 15_000);
      } catch (error) {
        // the host refused the command (no shell, a channel refused): asked over SFTP below
        if (session.closed || !(error instanceof HapkiError)) throw error;
      }
      const marker = result === undefined ? -1 : result.stdout.lastIndexOf(`${IDENTITY_MARKER}\n`);
      const [uid, gid, umask] = (marker < 0 ? '' : result!.stdout.slice(marker + IDENTITY_MARKER.length + 1)).trim().split(/\s+/);
      if (result?.code === 0 && /^\d+$/.test(uid ?? '') && /^\d+$/.test(gid ?? '')) {
        return { uid: Number(uid), gid: Number(gid), umask: /^[0-7]{1,4}$/.test(umask ?? '') ? parseInt(umask!, 8) : 0o022 };
      }
      // an SFTP-only account (ForceCommand internal-sftp, a nologin shell): no command answers
      const probed = await this.#probe(near);
      if (probed && 'denied' in probed) throw new SshPermissionError(this.location, probed.denied, 'create files in');
      if (probed) return probed;
      throw new RemoteIoError(this.location, `${this.location}: cannot tell which user the connection acts as: the account runs no command (id, umask) and could make no probe directory over SFTP${near ? ` in ${near}` : ''} or its home`);
    })();
    return this.#identity;
  }

  /**
   * Learns uid, gid and umask over SFTP alone: a directory made exclusively (mkdir fails when
   * anything is there) with mode 0777 is owned by the connection's user and keeps the bits the
   * server's umask leaves; it is removed at once. Tried in `near` (where the write goes; its
   * nearest existing parent when it is yet to be made), then the account's home. A probe left by a killed process (or a connection lost before its removal)
   * is an empty `.hapki-probe-*` directory: the next probe there removes those older than
   * STALE_PROBE_SECONDS by the host's own clock, never one a concurrent run is using.
   */
  async #probe(near?: string): Promise<{ uid: number; gid: number; umask: number } | { denied: string } | undefined> {
    const sftp = await this.#sftp();
    const home = await this.#call<string>((cb) => sftp.realpath('.', cb)).catch(() => undefined);
    const candidates = [near, home].filter((d): d is string => d !== undefined && d.startsWith('/')).map((d) => posix.normalize(d));
    // the directory the write goes to (or its nearest existing parent) refused the probe: it would
    // refuse the write too (a chroot's root, owned by root), and that is what the account is told
    let denied: string | undefined;
    const writeDirs = new Set(near === undefined ? [] : [posix.normalize(near)]);
    for (let i = 0; i < candidates.length; i++) {
      const dir = candidates[i]!;
      if (candidates.indexOf(dir) < i) continue;
      const path = posix.join(dir, `.hapki-probe-${randomBytes(8).toString('hex')}`);
      try {
        await this.#call<void>((cb) => sftp.mkdir(path, { mode: 0o777 }, cb));
      } catch (error) {
        if (this.#session?.closed) throw this.#fail(error, path, 'create the directory');
        // a directory the write is about to make (createParents) is not there yet: its nearest
        // existing parent is where the account writes
        if (statusOf(error) === NO_SUCH_FILE && dir !== '/' && writeDirs.has(dir)) writeDirs.add(posix.dirname(dir));
        if (statusOf(error) === NO_SUCH_FILE && dir !== '/') candidates.splice(i + 1, 0, posix.dirname(dir));
        if (statusOf(error) === PERMISSION_DENIED && writeDirs.has(dir)) denied ??= dir;
        continue;
      }
      let info: Stats;
      try {
        info = await this.#call<Stats>((cb) => sftp.lstat(path, cb));
      } catch (error) {
        if (this.#session?.closed) throw this.#fail(error, path, 'inspect');
        continue;
      } finally {
        // closed to others first: should anyone have put something into it meanwhile, so that it
        // cannot be removed, no directory open to everybody stays where the keystores are
        await this.#call<void>((cb) => sftp.chmod(path, 0o700, cb)).catch(() => undefined);
        await this.#call<void>((cb) => sftp.rmdir(path, cb)).catch(() => undefined);
      }
      if ((info.mode & S_IFMT) !== S_IFDIR) continue;
      await this.#removeStaleProbes(sftp, dir, info.mtime);
      return { uid: info.uid, gid: info.gid, umask: 0o777 & ~info.mode };
    }
    return denied === undefined ? undefined : { denied };
  }

  /** Best effort: empty probe directories in `dir` older than STALE_PROBE_SECONDS before `now` (the host's seconds). */
  async #removeStaleProbes(sftp: SFTPWrapper, dir: string, now: number): Promise<void> {
    try {
      const names = await this.#call<{ filename: string; attrs: Stats }[]>((cb) => sftp.readdir(dir, cb));
      for (const { filename, attrs } of names) {
        if (!PROBE_NAME.test(filename) || (attrs.mode & S_IFMT) !== S_IFDIR || attrs.mtime > now - STALE_PROBE_SECONDS) continue;
        // rmdir removes an empty directory only: nothing anyone put into it is lost
        await this.#call<void>((cb) => sftp.rmdir(posix.join(dir, filename), cb)).catch(() => undefined);
      }
    } catch {
      // a directory that cannot be listed keeps what it holds
    }
  }

  #where(path: string): string {
    return `${this.location}${path}`;
  }

  #fail(error: unknown, path: string, action: string): HapkiError {
    if (error instanceof HapkiError) return error;
    const status = statusOf(error);
    if (status === NO_SUCH_FILE) return new FileNotFoundError(this.#where(path), { cause: error });
    if (status === PERMISSION_DENIED) return new SshPermissionError(this.location, path, action);
    if (status === undefined) return new SshConnectError(this.location, this.#session?.lostWhy ?? `connection lost while trying to ${action} ${path}`, { cause: error });
    return new RemoteIoError(this.location, `cannot ${action} ${this.#where(path)}: the SFTP server said "${String((error as Error).message).replace(/\s+/g, ' ').slice(0, 80)}" (a full disk, a read-only filesystem?)`, { cause: error });
  }
}

const IDENTITY_MARKER = 'hapki-identity:';

function call<T>(start: (cb: (error: Error | null | undefined, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start((error, value) => (error ? reject(error) : resolve(value))));
}

function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

function offersExtension(sftp: SFTPWrapper, name: string): boolean {
  const extensions = (sftp as unknown as { _extensions?: Record<string, string> })._extensions;
  return extensions !== undefined && Object.hasOwn(extensions, name);
}

function toInfo(stats: Stats): FileInfo {
  const format = stats.mode & S_IFMT;
  const type = format === S_IFREG ? 'file' : format === S_IFDIR ? 'directory' : format === S_IFLNK ? 'symlink' : 'other';
  return { type, size: stats.size, mode: stats.mode & 0o7777, uid: stats.uid, gid: stats.gid, mtimeMs: stats.mtime * 1000 };
}
