/**
 * A RunFolder on Node's fs (the CLI's `.backprop/runs/`, and tests): created on the first write;
 * each write is the engine's atomic write (format/writeFile.ts: a temporary file renamed over the
 * target), so a reader sees the old file or the new one, never half of one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileReadError, readBoundedFile } from '../format/files';
import { writeFileAtomically } from '../format/writeFile';
import type { RunFolder } from './store';

/** The largest run file read back (a record with its weight snapshots, or the index). */
export const MAX_RUN_FILE_BYTES = 256 * 1024 * 1024;

export function nodeRunFolder(dir: string): RunFolder {
  const at = (name: string): string => {
    if (name !== path.basename(name) || name.startsWith('.')) throw new Error(`not a run file name: ${name}`);
    return path.join(dir, name);
  };
  return {
    async read(name) {
      try {
        return readBoundedFile(at(name), MAX_RUN_FILE_BYTES); // regular files only, bounded
      } catch (e) {
        if (e instanceof FileReadError && e.code === 'ENOENT') return undefined;
        throw new Error(`cannot read ${at(name)}: ${(e as Error).message}`);
      }
    },
    async write(name, bytes) {
      await fs.promises.mkdir(dir, { recursive: true });
      // Never through a link or onto anything but a regular file: a cloned folder could ship
      // .backprop/runs/index.json as a link to a file of the user's.
      const st = await fs.promises.lstat(at(name)).catch(() => undefined);
      if (st !== undefined && !st.isFile()) throw new Error(`${at(name)} is not a regular file (a link, a folder or a device); runs are not written through it`);
      writeFileAtomically(at(name), Buffer.from(bytes).toString('utf8')); // records and the index are UTF-8 JSON
    },
    async remove(name) {
      await fs.promises.rm(at(name), { force: true });
    },
    async names() {
      try {
        return await fs.promises.readdir(dir);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw e;
      }
    },
  };
}
