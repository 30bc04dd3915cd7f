/**
 * Where run records are kept: one folder (the extension's workspace storage, or `.backprop/runs/`
 * beside the file for the CLI), holding one file per run (`run-<id>.json`, codec.ts) and an index
 * (`index.json`: the runs' summaries, oldest first) so that a list of runs is one small read.
 *
 * Bounded: at most `maxCount` runs and `maxBytes` bytes of records; when a new run goes over,
 * the oldest runs that are not pinned are dropped first. A missing or damaged index is rebuilt
 * from the record files; a damaged record file is left out of the rebuilt index.
 *
 * The folder is an interface, so the same store runs on Node's fs (CLI) and on
 * vscode.workspace.fs (the extension). Operations on one store run one at a time.
 */
import { decodeRecord, encodeRecord, summaryIn, summaryOut } from './codec';
import type { RunRecord, RunSummary } from './record';

export interface RunFolder {
  /** The file's bytes, or undefined when there is no such file. */
  read(name: string): Promise<Uint8Array | undefined>;
  /** Writes the whole file (replacing it); a reader never sees half of it where the folder can help it. */
  write(name: string, bytes: Uint8Array): Promise<void>;
  /** Removes the file (no error when it is missing). */
  remove(name: string): Promise<void>;
  /** Names of the files in the folder. */
  names(): Promise<string[]>;
}

export interface RunBounds {
  maxCount: number;
  maxBytes: number;
}

export const DEFAULT_BOUNDS: RunBounds = { maxCount: 200, maxBytes: 200 * 1024 * 1024 };

const INDEX = 'index.json';
const INDEX_FORMAT = 'backprop-runs';
const recordName = (id: string): string => `run-${id}.json`;

/**
 * The ids to drop so that `runs` (oldest first) fit `bounds`: the oldest unpinned first. Pinned
 * runs are never dropped, even when they alone exceed the bounds.
 */
export function overBounds(runs: readonly Pick<RunSummary, 'id' | 'pinned' | 'bytes'>[], bounds: RunBounds): string[] {
  let count = runs.length;
  let bytes = runs.reduce((s, r) => s + r.bytes, 0);
  const drop: string[] = [];
  for (const r of runs) {
    if (count <= bounds.maxCount && bytes <= bounds.maxBytes) break;
    if (r.pinned) continue;
    drop.push(r.id);
    count--;
    bytes -= r.bytes;
  }
  return drop;
}

export class RunStore {
  private index: RunSummary[] | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** Problems met while reading (damaged files left out), for the log. */
  readonly problems: string[] = [];

  constructor(
    private readonly folder: RunFolder,
    public bounds: RunBounds = DEFAULT_BOUNDS,
  ) {}

  /** The runs (of `file`, or all), oldest first. */
  list(file?: string): Promise<RunSummary[]> {
    return this.serial(async () => (await this.load()).filter((r) => file === undefined || r.file === file));
  }

  /** The most recent run of `file`. */
  async latest(file: string): Promise<RunSummary | undefined> {
    const runs = await this.list(file);
    return runs[runs.length - 1];
  }

  /** The whole record of run `id` (throws when it is gone or damaged). */
  get(id: string): Promise<RunRecord> {
    return this.serial(async () => {
      const bytes = await this.folder.read(recordName(id));
      if (bytes === undefined) throw new Error(`run ${id} is no longer stored`);
      return decodeRecord(bytes, recordName(id));
    });
  }

  /** Keeps `record` and drops what goes over the bounds; returns the ids dropped. */
  add(record: RunRecord): Promise<string[]> {
    return this.serial(async () => {
      const runs = await this.load();
      const bytes = encodeRecord(record);
      await this.folder.write(recordName(record.id), bytes);
      const summary: RunSummary = { ...pickSummary(record), bytes: bytes.length };
      const kept = runs.filter((r) => r.id !== record.id);
      kept.push(summary);
      kept.sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0));
      return this.applyBounds(kept);
    });
  }

  /** Renames (label; '' removes it) and/or pins a run. */
  update(id: string, change: { label?: string; pinned?: boolean }): Promise<RunSummary> {
    return this.serial(async () => {
      const runs = await this.load();
      const i = runs.findIndex((r) => r.id === id);
      if (i < 0) throw new Error(`run ${id} is no longer stored`);
      const next: RunSummary = { ...runs[i] };
      if (change.label !== undefined) {
        if (change.label.trim() === '') delete next.label;
        else next.label = change.label.trim().slice(0, 200);
      }
      if (change.pinned !== undefined) next.pinned = change.pinned;
      // the record file keeps its own copy of label and pin, so a rebuilt index has them too
      const bytes = await this.folder.read(recordName(id));
      if (bytes !== undefined) {
        const record = decodeRecord(bytes, recordName(id));
        await this.folder.write(recordName(id), encodeRecord({ ...record, label: next.label, pinned: next.pinned }));
      }
      const runsNext = [...runs];
      runsNext[i] = next;
      if (next.label === undefined) delete runsNext[i].label;
      await this.save(runsNext);
      return next;
    });
  }

  /** Deletes a run. */
  remove(id: string): Promise<void> {
    return this.serial(async () => {
      const runs = await this.load();
      await this.save(runs.filter((r) => r.id !== id));
      await this.folder.remove(recordName(id));
    });
  }

  /** Applies new bounds now (the settings changed); returns the ids dropped. */
  setBounds(bounds: RunBounds): Promise<string[]> {
    this.bounds = bounds;
    return this.serial(async () => this.applyBounds(await this.load()));
  }

  private async applyBounds(runs: RunSummary[]): Promise<string[]> {
    const drop = new Set(overBounds(runs, this.bounds));
    await this.save(runs.filter((r) => !drop.has(r.id)));
    for (const id of drop) await this.folder.remove(recordName(id));
    return [...drop];
  }

  private async save(runs: RunSummary[]): Promise<void> {
    this.index = runs;
    const text = JSON.stringify({ format: INDEX_FORMAT, version: 1, runs: runs.map(summaryOut) });
    await this.folder.write(INDEX, Buffer.from(text, 'utf8'));
  }

  private async load(): Promise<RunSummary[]> {
    if (this.index !== undefined) return this.index;
    const bytes = await this.folder.read(INDEX);
    if (bytes !== undefined) {
      try {
        const v: unknown = JSON.parse(Buffer.from(bytes).toString('utf8'));
        if (typeof v !== 'object' || v === null || (v as { format?: unknown }).format !== INDEX_FORMAT) throw new Error('not a run index');
        const runs = (v as { runs?: unknown }).runs;
        if (!Array.isArray(runs)) throw new Error('no runs');
        this.index = runs.map((r, i) => summaryIn(r, `${INDEX}: runs[${i}]`));
        return this.index;
      } catch (e) {
        this.problems.push(`${INDEX}: ${(e as Error).message}; rebuilt from the run files`);
      }
    }
    this.index = await this.rebuild();
    if (bytes !== undefined || this.index.length > 0) await this.save(this.index);
    return this.index;
  }

  private async rebuild(): Promise<RunSummary[]> {
    const out: RunSummary[] = [];
    for (const name of (await this.folder.names()).filter((n) => /^run-[0-9a-z-]+\.json$/.test(n))) {
      const bytes = await this.folder.read(name);
      if (bytes === undefined) continue;
      try {
        out.push({ ...pickSummary(decodeRecord(bytes, name)), bytes: bytes.length });
      } catch (e) {
        this.problems.push((e as Error).message);
      }
    }
    return out.sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0));
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const next = this.queue.then(op, op);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** The summary part of a record. */
export function pickSummary(r: RunRecord): RunSummary {
  return summaryIn(summaryOut(r));
}
