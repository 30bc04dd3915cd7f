/**
 * `backprop train --record` and `--history FILE.csv` (docs/runs.md):
 *
 * - `--record` keeps the run in `.backprop/runs/` beside the network file (never in the file
 *   itself): what changed since the previous recorded run of the file, seed, curves, gradients over
 *   time, snapshots at log-spaced epochs. The same store as the extension's (at most 200 runs and
 *   200 MB there, the oldest unpinned dropped first).
 * - `--history FILE.csv` writes the loss of every epoch as CSV (epoch, loss, and accuracy,
 *   valLoss, valAccuracy where the run has them), streamed to a temporary file beside the target
 *   and renamed over it at the end, so the target is never half-written; also after a divergence
 *   (the epochs before it).
 *
 * The train command calls `epoch` after every epoch and `finish` once. Recording finishes after
 * the command's own output; a failure to record is a warning on stderr and exit code 3.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Dataset, EpochStats, NetSpec, Trainer } from '../engine';
import { ioReason } from '../engine/format';
import { inspectTarget, resolveTarget, WriteError } from '../engine/format/writeFile';
import { compareWith, DEFAULT_BOUNDS, historyCsv, nodeRunFolder, RunRecorder, RunStore, type RunEndReason } from '../engine/runs';

/** The folder where `--record` keeps the runs of `file`. */
export function runsFolder(file: string): string {
  return path.join(path.dirname(path.resolve(file)), '.backprop', 'runs');
}

export interface CliRunHooks {
  epoch(stats: EpochStats): void;
  finish(end: RunEndReason, message?: string): void;
}

/** The hooks for `--record` / `--history`, or undefined when neither was asked for. */
export function cliRunHooks(
  opts: { record: boolean; history?: string; quiet: boolean },
  run: { file: string; out?: string; text: string; spec: NetSpec; trainer: Trainer; train: Dataset; validation?: Dataset },
  /** The CLI's bad-input error (exit 2): a --history target that is the network file or --out. */
  inputError: (message: string) => Error,
): CliRunHooks | undefined {
  if (!opts.record && opts.history === undefined) return undefined;
  let csv: CsvStream | undefined;
  if (opts.history !== undefined) {
    const { real } = inspectTarget(opts.history); // a missing folder, a folder, a device: WriteError, exit 3
    const same = (p: string | undefined): boolean => p !== undefined && path.resolve(resolveTarget(p)) === path.resolve(real);
    if (same(run.file) || same(run.out)) throw inputError(`${opts.history}: error: --history names the network file${same(run.out) ? ' written by --out' : ''}; give the CSV a name of its own`);
    csv = new CsvStream(real);
  }
  const recorder = opts.record ? new RunRecorder(run.trainer, { file: path.resolve(run.file), text: run.text, spec: run.spec, train: run.train, validation: run.validation, source: 'cli' }) : undefined;
  return {
    epoch(stats) {
      recorder?.epoch(stats);
      csv?.push(stats);
    },
    finish(end, message) {
      csv?.close();
      if (recorder === undefined) return;
      const record = recorder.finish(end, message);
      const store = new RunStore(nodeRunFolder(runsFolder(run.file)), DEFAULT_BOUNDS);
      void (async () => {
        compareWith(record, await store.latest(record.file));
        const dropped = await store.add(record);
        if (!opts.quiet) {
          const where = path.relative(process.cwd(), runsFolder(run.file)) || '.';
          process.stderr.write(`backprop: recorded run ${record.id} in ${where}${dropped.length > 0 ? ` (${dropped.length} older run${dropped.length === 1 ? '' : 's'} dropped)` : ''}\n`);
        }
      })().catch((e: unknown) => {
        process.stderr.write(`backprop: warning: the run was not recorded: ${(e as Error).message}\n`);
        if (!process.exitCode) process.exitCode = 3;
      });
    },
  };
}

/** Every epoch's row, written in chunks to a temporary file and renamed over the target at the end. */
class CsvStream {
  private readonly tmp: string;
  private fd: number;
  private buffer: string[] = [];
  private size = 0;
  private header: string | undefined;

  constructor(private readonly target: string) {
    this.tmp = path.join(path.dirname(path.resolve(target)), `.${path.basename(target)}.${process.pid}.tmp`);
    try {
      this.fd = fs.openSync(this.tmp, 'wx');
    } catch (e) {
      throw new WriteError(`cannot write ${target}: ${ioReason(e)}`);
    }
  }

  push(p: EpochStats): void {
    // the columns come from the first epoch: a run's points all have the same fields
    const [head, row] = historyCsv([p]).trimEnd().split('\n');
    if (this.header === undefined) {
      this.header = head;
      this.add(head);
    }
    this.add(row);
  }

  private add(line: string): void {
    this.buffer.push(line);
    this.size += line.length + 1;
    if (this.size >= 1 << 16) this.flush();
  }

  private flush(): void {
    if (this.buffer.length === 0) return;
    try {
      fs.writeSync(this.fd, `${this.buffer.join('\n')}\n`);
    } catch (e) {
      this.fail(e);
    }
    this.buffer = [];
    this.size = 0;
  }

  /** Renames the finished CSV over the target; on any failure the temporary file is removed (WriteError, exit 3). */
  close(): void {
    if (this.header === undefined) this.add('epoch,loss');
    this.flush();
    try {
      fs.fsyncSync(this.fd);
      fs.closeSync(this.fd);
      fs.renameSync(this.tmp, this.target);
    } catch (e) {
      this.fail(e);
    }
  }

  private fail(e: unknown): never {
    try {
      fs.closeSync(this.fd);
    } catch {
      // already closed
    }
    fs.rmSync(this.tmp, { force: true });
    throw new WriteError(`cannot write ${this.target}: ${ioReason(e)}; the history was not written`);
  }
}
