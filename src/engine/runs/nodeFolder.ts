/**
 * A RunFolder on Node's fs (the CLI's `.backprop/runs/`, and tests): created on the first write;
 * each write goes to a temporary file in the folder that is then renamed over the target, so a
 * reader sees the old file or the new one, never half of one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
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
      const tmp = path.join(dir, `.${name}.${process.pid}.tmp`);
      await fs.promises.writeFile(tmp, bytes);
      await fs.promises.rename(tmp, at(name));
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
