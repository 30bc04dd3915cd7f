/**
 * Writing the files of an export so that a failed export leaves nothing behind and changes nothing:
 * every file is first written in full to a temp file beside its target and flushed to disk (the
 * same step, modes and symlink rule as every other write: ../format/writeFile.ts); only when all of
 * them are written are they renamed into place. An existing target is first moved aside, and put
 * back if a later rename fails. On any failure the temp files are removed and a `WriteError` says why.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ioReason } from '../format/files';
import { inspectTarget, syncFolder, writeTemp, WriteError } from '../format/writeFile';
import type { ExportFile } from './index';

let counter = 0;

const aside = (p: string): string => path.join(path.dirname(p), `.${path.basename(p)}.${process.pid}.${++counter}.old`);

interface Step {
  target: string;
  st?: fs.Stats;
  tmp?: string;
  backup?: string;
  placed: boolean;
}

export function writeFilesAtomically(files: readonly ExportFile[]): void {
  try {
    writeAll(files);
  } catch (e) {
    const why = e instanceof WriteError ? e.message : `cannot write ${files.map((f) => f.path).join(', ')}: ${ioReason(e)}`;
    throw new WriteError(`${why}; nothing was written`);
  }
}

function writeAll(files: readonly ExportFile[]): void {
  const steps: Step[] = files.map((f) => {
    const { real, st } = inspectTarget(f.path);
    return { target: real, st, placed: false };
  });
  try {
    files.forEach((f, i) => (steps[i].tmp = writeTemp(steps[i].target, f.content, steps[i].st)));
    for (const s of steps) {
      if (s.st) {
        s.backup = aside(s.target);
        fs.renameSync(s.target, s.backup);
      }
      fs.renameSync(s.tmp as string, s.target);
      s.placed = true;
    }
  } catch (e) {
    for (const s of steps) {
      if (s.placed) fs.rmSync(s.target, { force: true });
      if (s.backup !== undefined && fs.existsSync(s.backup)) fs.renameSync(s.backup, s.target);
      if (s.tmp !== undefined) fs.rmSync(s.tmp, { force: true });
    }
    throw e;
  }
  for (const s of steps) if (s.backup !== undefined) fs.rmSync(s.backup, { force: true });
  for (const dir of new Set(steps.map((s) => path.dirname(path.resolve(s.target))))) syncFolder(dir);
}
