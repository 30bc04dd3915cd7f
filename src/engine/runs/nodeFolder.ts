/**
 * A RunFolder on Node's fs (the CLI's `.backprop/runs/`, and tests): created on the first write;
 * each write is the engine's atomic write (format/writeFile.ts: a temporary file renamed over the
 * target), so a reader sees the old file or the new one, never half of one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomically } from '../format/writeFile';
import type { RunFolder } from './store';

export function nodeRunFolder(dir: string): RunFolder {
  const at = (name: string): string => {
    if (name !== path.basename(name) || name.startsWith('.')) throw new Error(`not a run file name: ${name}`);
    return path.join(dir, name);
  };
  return {
    async read(name) {
      try {
        return await fs.promises.readFile(at(name));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
    },
    async write(name, bytes) {
      await fs.promises.mkdir(dir, { recursive: true });
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
