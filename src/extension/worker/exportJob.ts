/**
 * An export run in a worker thread (`dist/worker.js`), so that loading the data, computing the
 * self-check's loss and gradients and writing the files never block the extension host's main
 * thread (a CSV of tens of megabytes takes seconds). The extension's "Backprop: Export..." asks
 * for it (src/extension/export.ts); the answer says what was written, or why nothing was.
 * No `vscode` here.
 */
import * as path from 'node:path';
import { formatProblem, loadNet } from '../../engine';
import type { ReadFile } from '../../engine/format/data';
import { exportNetwork, ExportError, UnsupportedExport, type ExportOptions } from '../../engine/export';
import { writeFilesAtomically } from '../../engine/export/write';
import { WriteError } from '../../engine/format/writeFile';

export interface ExportJob {
  /** The document's text, unsaved edits included. */
  text: string;
  /** Its absolute path (relative CSV paths resolve against its folder). */
  fileName: string;
  /** Read CSV files outside the file's folder tree (a trusted workspace's setting). */
  allowOutside?: boolean;
  options: ExportOptions;
}

export type ExportOutcome =
  | { kind: 'written'; paths: string[] }
  /** The export would not be the same model; `flag` names the alternative (see UnsupportedExport). */
  | { kind: 'unsupported'; message: string; alternative: string; flag: string }
  /** The file has problems, the export is impossible, or the write failed: nothing was written. */
  | { kind: 'failed'; message: string };

export function runExport(job: ExportJob, readFile?: ReadFile): ExportOutcome {
  const loaded = loadNet(job.text, job.fileName, readFile, { allowOutside: job.allowOutside === true });
  if (!loaded.spec) {
    const first = loaded.problems.find((p) => p.severity === 'error');
    return { kind: 'failed', message: `cannot export: ${first ? formatProblem(path.basename(job.fileName), first) : 'the file has problems'}` };
  }
  try {
    const files = exportNetwork(loaded, job.fileName, job.options);
    writeFilesAtomically(files);
    return { kind: 'written', paths: files.map((f) => f.path) };
  } catch (e) {
    if (e instanceof UnsupportedExport) return { kind: 'unsupported', message: e.message, alternative: e.alternative, flag: e.flag };
    if (e instanceof ExportError || e instanceof WriteError) return { kind: 'failed', message: e.message };
    return { kind: 'failed', message: `cannot write the export: ${(e as Error).message}` };
  }
}
