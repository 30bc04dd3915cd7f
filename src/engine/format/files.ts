/**
 * Reading files named by a user (a `.net.json` file, a CSV data file) without trusting them:
 * regular files only (a device such as /dev/zero, a FIFO or a folder is refused; the check is an
 * fstat after an O_NONBLOCK open, so a FIFO cannot block), at most `maxBytes` (checked on the size
 * and again while reading, since /proc files report size 0), and data paths kept inside the
 * folder tree of the network file unless the user allows otherwise.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mib } from './scan';

/** A file that cannot be read, with a one-line reason (no stack, no file content). */
export class FileReadError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** The text of a regular file of at most `maxBytes` bytes, as UTF-8; throws `FileReadError`. */
export function readTextFile(abs: string, maxBytes: number): string {
  return readBoundedFile(abs, maxBytes).toString('utf8');
}

/** The bytes of a regular file of at most `maxBytes` bytes; throws `FileReadError`. */
export function readBoundedFile(abs: string, maxBytes: number): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(abs, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (err) {
    throw new FileReadError(ioReason(err), (err as NodeJS.ErrnoException).code);
  }
  try {
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) throw new FileReadError('it is a folder, not a file', 'EISDIR');
    if (!st.isFile()) throw new FileReadError(`it is not a regular file (${kindOf(st)}); only regular files are read`, 'ENOTREG');
    const tooLarge = (): FileReadError => new FileReadError(`it is larger than ${mib(maxBytes)}, the limit for this file`, 'EFBIG');
    if (st.size > maxBytes) throw tooLarge();
    const chunks: Buffer[] = [];
    let total = 0;
    const chunk = Buffer.allocUnsafe(Math.min(Math.max(st.size + 1, 4096), maxBytes + 1, 1 << 20));
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) throw tooLarge();
      chunks.push(Buffer.from(chunk.subarray(0, n)));
    }
    return Buffer.concat(chunks, total);
  } catch (err) {
    if (err instanceof FileReadError) throw err;
    throw new FileReadError(ioReason(err), (err as NodeJS.ErrnoException).code);
  } finally {
    fs.closeSync(fd);
  }
}

function kindOf(st: fs.Stats): string {
  if (st.isFIFO()) return 'a named pipe';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** A short reason for a failed read or write, for a one-line message. */
export function ioReason(err: unknown): string {
  if (err instanceof FileReadError) return err.message;
  const code = (err as { code?: string }).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'it is a folder, not a file';
    case 'ENOTDIR':
      return 'a part of the path is not a folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EDQUOT':
      return 'the disk quota is exceeded';
    case 'EFBIG':
      return 'the file is too large for the file system or its limits';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    case 'EAGAIN':
      return 'the file is not ready to be read (it would block)';
    default:
      return code ?? ((err as Error).message || String(err)).split('\n')[0].slice(0, 120);
  }
}

/**
 * True when `abs` lies outside the folder tree of `baseDir`: by its path, and (when both exist)
 * by their real paths, so a symbolic link inside the folder that points out of it is outside too.
 */
export function isOutside(baseDir: string, abs: string): boolean {
  const out = (base: string, p: string): boolean => {
    const rel = path.relative(base, p);
    return rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel);
  };
  if (out(baseDir, abs)) return true;
  try {
    return out(fs.realpathSync(baseDir), fs.realpathSync(abs));
  } catch {
    return false; // a missing file is reported when it is read
  }
}
