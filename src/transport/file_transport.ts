/**
 * The boundary between hapki's write protocol (change sets, locks, journal, backups) and the
 * place the files live. The protocol in src/txn/ (issue "One safe write path") is written once
 * against this interface; the local disk (./local_transport.ts) and SFTP over SSH (./ssh/,
 * issue "Keystores on other hosts") each implement it. Commands do not write through a
 * transport directly: they state a change set and commit it (src/txn/, src/fs/).
 *
 * Paths are absolute POSIX paths on the transport's host. Every method throws a HapkiError
 * (ERR_IO, ERR_FILE_NOT_FOUND, ERR_FILE_EXISTS, ERR_UNSAFE_PATH, ERR_SSH_...) naming the path
 * and the host, never a raw errno or a dependency's message.
 */
export interface FileTransport {
  /** 'local', or 'ssh://user@host:port': shown in messages, locks and the journal. */
  readonly location: string;

  /** lstat: the entry itself, a symlink not followed. Undefined when nothing is there. */
  lstat(path: string): Promise<FileInfo | undefined>;
  /** realpath of an existing path. */
  realpath(path: string): Promise<string>;
  /** Reads a regular file, refusing FIFOs, devices and files larger than maxBytes. */
  readFile(path: string, maxBytes: number): Promise<Uint8Array>;
  /** SHA-256 (lower-case hex) of a regular file, read as readFile reads it but hashed as it streams, never held whole. */
  sha256(path: string, maxBytes: number): Promise<string>;
  /**
   * Creates a new file with O_CREAT|O_EXCL (fails with ERR_FILE_EXISTS if anything, a symlink
   * included, is there), writes the bytes, gives it `owner` when asked, sets the mode, and makes
   * the content durable (fsync, or fsync@openssh.com where the server offers it). Owner and mode
   * are set on the open file, never by name: in a directory others may write in, a name can be
   * swapped for a symbolic link to any file between the create and a chown or chmod by name.
   * Used for staged files, locks and journals.
   */
  createExclusive(path: string, bytes: Uint8Array, mode: number, owner?: { uid: number; gid: number }): Promise<void>;
  /** chown; callers ignore failure where they must (a non-root caller cannot give files away). */
  chown(path: string, uid: number, gid: number): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
  /** Atomic replace (rename(2), or posix-rename@openssh.com). */
  rename(from: string, to: string): Promise<void>;
  /**
   * Throws (a coded error naming the host) when this transport cannot replace a file atomically
   * (an SFTP server without posix-rename@openssh.com). The write path asks before it locks or
   * stages anything: a change over several hosts found out at its renames, part made, and could
   * be neither finished nor undone there.
   */
  checkAtomicReplace?(): Promise<void>;
  /** What this transport cannot make durable (an SFTP server without fsync@openssh.com), for one warning; undefined when nothing. */
  durabilityProblem?(): Promise<string | undefined>;
  /** Removes a file; no error when it is already gone. */
  unlink(path: string): Promise<void>;
  /** Creates one directory (its parent must exist); ERR_FILE_EXISTS when something is there. */
  mkdir(path: string, mode: number): Promise<void>;
  /** Names in a directory (no '.' or '..'). */
  readdir(path: string): Promise<string[]>;
  /** Hard links to a file where lstat cannot tell them (FileInfo.links absent): undefined when this cannot either. */
  linkCount?(path: string): Promise<number | undefined>;
  /** Makes a directory's entries durable where the transport can; best effort. */
  syncDirectory(path: string): Promise<void>;
  /**
   * The numeric uid/gid the transport acts as (for the ownership rules of the write path).
   * `near`: a directory the caller is about to write in, where a remote transport that cannot
   * ask the host (an SFTP-only account) may learn it by making a probe directory.
   */
  identity(near?: string): Promise<{ uid: number; gid: number }>;
  /** The umask applied to files without private material. */
  umask(): Promise<number>;
}

export interface FileInfo {
  type: 'file' | 'directory' | 'symlink' | 'other';
  size: number;
  /** Permission bits (0o7777). */
  mode: number;
  uid: number;
  gid: number;
  mtimeMs: number;
  /** Hard links to the file, where lstat tells them (SFTP's does not: see FileTransport.linkCount). */
  links?: number;
}
