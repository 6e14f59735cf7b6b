/** What a system call's error code means, in words for the one-line error (the code itself when unknown). */
const ERRNO_WORDS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'is a directory',
  ELOOP: 'a symbolic link loop, or a symbolic link where none may be',
  EIO: 'input/output error',
  EXDEV: 'not on the same file system',
  ENAMETOOLONG: 'name too long',
  EBADF: 'not an open file descriptor',
  ENXIO: 'no such device or address',
};

export function errnoWords(code: string | undefined): string | undefined {
  return code === undefined ? undefined : ERRNO_WORDS[code] ?? code;
}
