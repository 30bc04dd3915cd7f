/**
 * Writing a network file so that nothing of the user's is lost: the new text goes into a temp
 * file beside the target, is flushed to disk (fsync), and renamed over the target, so a reader
 * or a crash sees the old file or the new one, never half of one. A symbolic link is followed
 * (its target gets the new text; the link stays a link); the target's mode (and owner, where
 * permitted) is kept. Every failure is a `WriteError` with a one-line reason; the temp file is
 * removed and the original is untouched.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ioReason } from './files';

/** A file that could not be written. Exit code 3. */
export class WriteError extends Error {}

export interface WriteResult {
  /** The file that now holds the text (the link's target when `target` was a symbolic link). */
  written: string;
  /** A note for the user (e.g. hard links that keep the old text), if any. */
  note?: string;
}

/** Where a write to `target` lands: the real path of an existing file or link, else the path as given. */
export function resolveTarget(target: string): string {
  if (target.trim() === '') throw new WriteError('the output path is empty');
  let st: fs.Stats | undefined;
  try {
    st = fs.lstatSync(target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new WriteError(`cannot write ${target}: ${ioReason(e)}`);
  }
  if (st?.isSymbolicLink()) {
    try {
      return fs.realpathSync(target);
    } catch {
      // A dangling link: write where it points, relative to the link's folder.
      const dest = fs.readlinkSync(target);
      return path.resolve(path.dirname(target), dest);
    }
  }
  return target;
}

/**
 * Where a write to `target` lands and what is there now: the real path (a link's target) and the
 * existing regular file's stats, or none for a new file in an existing folder. Anything else (a
 * missing folder, a folder, a device) is a `WriteError`.
 */
export function inspectTarget(target: string): { real: string; st?: fs.Stats } {
  const real = resolveTarget(target);
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(real);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      const dir = path.dirname(path.resolve(real));
      if (!fs.existsSync(dir)) throw new WriteError(`cannot write ${target}: the folder ${dir} does not exist`);
    } else throw new WriteError(`cannot write ${target}: ${ioReason(e)}`);
  }
  if (st?.isDirectory()) throw new WriteError(`cannot write ${target}: it is a folder; give a file name`);
  if (st && !st.isFile()) throw new WriteError(`cannot write ${target}: it is not a regular file`);
  return { real, st };
}

export function writeFileAtomically(target: string, content: string | Uint8Array): WriteResult {
  const { real, st } = inspectTarget(target);
  const dir = path.dirname(path.resolve(real));
  let tmp: string | undefined;
  try {
    tmp = writeTemp(real, content, st);
    fs.renameSync(tmp, real);
  } catch (e) {
    if (tmp !== undefined) removeQuietly(tmp);
    throw new WriteError(`cannot write ${target}: ${ioReason(e)}; the file was not changed`);
  }
  syncFolder(dir);
  const result: WriteResult = { written: real };
  if (st && st.nlink > 1) result.note = `${target} had ${st.nlink - 1} other hard link(s); they keep the old text (the new file replaced this name only)`;
  return result;
}

/**
 * Writes `content` into a new temp file beside `real` (the target's mode and, where permitted, owner
 * when `st` is the existing target's stats), flushed to disk; returns its path. On failure the temp
 * file is removed and the error is thrown as it came.
 */
export function writeTemp(real: string, content: string | Uint8Array, st?: fs.Stats): string {
  const dir = path.dirname(path.resolve(real));
  const tmp = path.join(dir, `.${path.basename(real)}.${process.pid}.${(++tempCounter).toString(36)}.tmp`);
  const mode = st ? st.mode & 0o7777 : 0o666;
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, mode);
    if (st) {
      // keep the mode exactly (openSync's mode is filtered by the umask) and the owner if allowed
      fs.fchmodSync(fd, mode);
      try {
        fs.fchownSync(fd, st.uid, st.gid);
      } catch {
        // not permitted for another user's file: the new file belongs to this user
      }
    }
    const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    let off = 0;
    while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    return tmp;
  } catch (e) {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        // already failing; the reason thrown is the one that matters
      }
    }
    removeQuietly(tmp);
    throw e;
  }
}

let tempCounter = 0;

function removeQuietly(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    // it was never created, or is gone
  }
}

/** Makes the rename durable (best effort: not every file system allows fsync on a folder). */
export function syncFolder(dir: string): void {
  try {
    const fd = fs.openSync(dir, fs.constants.O_RDONLY);
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // the data itself was synced before the rename
  }
}

/**
 * A free name beside `file` for a trained copy: `x.net.json` -> `x.trained.net.json`, then
 * `x.trained-2.net.json`, ... (never an existing file).
 */
export function besideName(file: string): string {
  const dir = path.dirname(file);
  const base = path.basename(file);
  const m = /^(.*?)(\.net\.json|\.json)?$/i.exec(base) as RegExpExecArray;
  const stem = m[1];
  const ext = m[2] ?? '.net.json';
  for (let i = 1; ; i++) {
    const candidate = path.join(dir, `${stem}.trained${i === 1 ? '' : `-${i}`}${ext}`);
    if (!fs.existsSync(candidate)) return candidate;
  }
}
