/**
 * Writing the files of an export so that a failed export leaves nothing behind: every file goes to
 * a temporary file in its own folder first; only when all of them are written are they renamed
 * into place (a rename within a folder is atomic). On any failure the temporary files are removed
 * and no target is touched.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ExportFile } from './index';

let counter = 0;

export function writeFilesAtomically(files: readonly ExportFile[]): void {
  const temps: { tmp: string; target: string }[] = [];
  try {
    for (const f of files) {
      const tmp = path.join(path.dirname(f.path), `.${path.basename(f.path)}.${process.pid}.${++counter}.tmp`);
      temps.push({ tmp, target: f.path });
      fs.writeFileSync(tmp, f.content);
    }
    for (const t of temps) fs.renameSync(t.tmp, t.target);
  } catch (e) {
    for (const t of temps) fs.rmSync(t.tmp, { force: true });
    throw e;
  }
}
