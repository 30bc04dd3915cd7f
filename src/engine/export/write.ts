/**
 * Writing the files of an export so that a failed export leaves nothing behind and changes nothing:
 * every file goes to a temporary file in its own folder first; only when all of them are written
 * are they renamed into place (a rename within a folder is atomic). An existing target is first
 * moved aside, and put back if a later rename fails. On any failure the temporary files are removed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ExportFile } from './index';

let counter = 0;

const sibling = (p: string, tag: string): string => path.join(path.dirname(p), `.${path.basename(p)}.${process.pid}.${++counter}.${tag}`);

export function writeFilesAtomically(files: readonly ExportFile[]): void {
  const steps = files.map((f) => ({ target: f.path, tmp: sibling(f.path, 'tmp'), backup: undefined as string | undefined, placed: false }));
  try {
    files.forEach((f, i) => fs.writeFileSync(steps[i].tmp, f.content));
    for (const s of steps) {
      if (fs.existsSync(s.target)) {
        if (fs.statSync(s.target).isDirectory()) throw Object.assign(new Error(`${s.target} is a folder`), { code: 'EISDIR' });
        s.backup = sibling(s.target, 'old');
        fs.renameSync(s.target, s.backup);
      }
      fs.renameSync(s.tmp, s.target);
      s.placed = true;
    }
  } catch (e) {
    for (const s of steps) {
      if (s.placed) fs.rmSync(s.target, { force: true });
      if (s.backup !== undefined && fs.existsSync(s.backup)) fs.renameSync(s.backup, s.target);
      fs.rmSync(s.tmp, { force: true });
    }
    throw e;
  }
  for (const s of steps) if (s.backup !== undefined) fs.rmSync(s.backup, { force: true });
}
