/**
 * The cache of data-check results (problems by JSON path, from the data-check worker), keyed by
 * everything the data's problems depend on: the data and validation specs, the seed, the output
 * layer's size and the number of layers (messages name them), and for each CSV file its absolute
 * path, modification time and size. Typing elsewhere in a `.net.json` file keeps the key, so the
 * CSV is neither read nor parsed again; touching the CSV or the data spec changes it.
 * Plain Node (no `vscode`), tested in test/unit/extension/dataCache.test.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DataSpec, NetSpec } from '../../engine';

/** What `stat` says of a CSV file: its mtime and size, or that it cannot be read. */
export type FileStamp = { mtimeMs: number; size: number } | { missing: string };

export type StatFile = (absPath: string) => Promise<FileStamp>;

export const statFile: StatFile = async (abs) => {
  try {
    const st = await fs.promises.stat(abs);
    return { mtimeMs: st.mtimeMs, size: st.size };
  } catch (err) {
    return { missing: (err as NodeJS.ErrnoException).code ?? 'error' };
  }
};

/** The absolute paths of the CSV files the data of `spec` reads (`baseDir`: the file's folder). */
export function csvFiles(spec: NetSpec, baseDir: string): string[] {
  const of = (d: DataSpec | undefined): string[] => (d?.kind === 'csv' ? [path.resolve(baseDir, d.file)] : []);
  return [...of(spec.data), ...(spec.validation?.kind === 'data' ? of(spec.validation.data) : [])];
}

/** The cache key of the data of `spec` (a file in `baseDir`), with its CSV files as they are now. */
export async function dataKey(spec: NetSpec, baseDir: string, stat: StatFile = statFile): Promise<string> {
  const files = csvFiles(spec, baseDir);
  const stamps = await Promise.all(files.map(async (f) => [f, await stat(f)] as const));
  return JSON.stringify({
    data: spec.data,
    validation: spec.validation,
    seed: spec.seed,
    outputs: spec.layers[spec.layers.length - 1]?.units,
    depth: spec.layers.length,
    files: stamps,
  });
}

/**
 * A bounded map from key to result (least recently used goes first) that also shares work in
 * flight: `get(key, compute)` computes once for concurrent callers of the same key, and a
 * rejected computation is not kept.
 */
export class DataCache<T> {
  private readonly done = new Map<string, T>();
  private readonly running = new Map<string, Promise<T>>();
  /** Computations started (misses) and answers from memory (hits), for tests and logs. */
  misses = 0;
  hits = 0;

  constructor(private readonly maxEntries = 32) {}

  /** The result of `key` if it is known, without computing. */
  peek(key: string): T | undefined {
    const v = this.done.get(key);
    if (v !== undefined) {
      this.done.delete(key);
      this.done.set(key, v);
      this.hits++;
    }
    return v;
  }

  get(key: string, compute: () => Promise<T>): Promise<T> {
    const known = this.peek(key);
    if (known !== undefined) return Promise.resolve(known);
    const pending = this.running.get(key);
    if (pending) return pending;
    this.misses++;
    const p = compute().then(
      (v) => {
        this.running.delete(key);
        this.done.set(key, v);
        while (this.done.size > this.maxEntries) this.done.delete(this.done.keys().next().value as string);
        return v;
      },
      (err: unknown) => {
        this.running.delete(key);
        throw err;
      },
    );
    this.running.set(key, p);
    return p;
  }

  get size(): number {
    return this.done.size;
  }

  clear(): void {
    this.done.clear();
  }
}
