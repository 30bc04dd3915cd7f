/**
 * The loss history of the chart in bounded memory: however many epochs stream in (a million or
 * more), it holds at most `capacity` points and keeps the curve's shape.
 *
 * `compact` merges runs of neighbouring points into buckets and keeps, from each bucket, its first
 * and last point and, for every series (loss, validation loss, accuracy, validation accuracy), the
 * point of its minimum and of its maximum (and the first non-finite value, so divergence stays
 * visible). Merging buckets of buckets keeps their extremes, so the history's first and last
 * points and every series' global minimum and maximum survive any number of compactions.
 * `History` keeps the newest points at full resolution and compacts the older ones when full.
 * Pure: unit-tested in plain Node.
 */
import type { EpochPoint } from '../src/shared/protocol';

export const SERIES = ['loss', 'valLoss', 'accuracy', 'valAccuracy'] as const;
export type SeriesKey = (typeof SERIES)[number];

/** The series that occur in these points (loss always). */
function presentSeries(points: readonly EpochPoint[]): SeriesKey[] {
  const keys = new Set<SeriesKey>(['loss']);
  for (const p of points) for (const k of SERIES) if (p[k] !== undefined) keys.add(k);
  return SERIES.filter((k) => keys.has(k));
}

/**
 * At most `target` points of `points` (in order; a subset, never new values): the first and last
 * of each bucket and the extremes of every series within it. Returns a copy when already small.
 */
export function compact(points: readonly EpochPoint[], target: number): EpochPoint[] {
  const n = points.length;
  if (n <= target) return points.slice();
  const keys = presentSeries(points);
  // Per bucket: first, last, and per series min, max and first non-finite.
  const perBucket = 2 + 3 * keys.length;
  if (target < perBucket) throw new Error(`compact: target ${target} is below ${perBucket} points per bucket`);
  const buckets = Math.floor(target / perBucket);
  const size = Math.ceil(n / buckets);
  const out: EpochPoint[] = [];
  for (let start = 0; start < n; start += size) {
    const end = Math.min(n, start + size);
    const keep = new Set<number>([start, end - 1]);
    for (const key of keys) {
      let lo = -1;
      let hi = -1;
      let bad = -1;
      for (let i = start; i < end; i++) {
        const v = points[i][key];
        if (v === undefined) continue;
        if (!Number.isFinite(v)) {
          if (bad < 0) bad = i;
          continue;
        }
        if (lo < 0 || v < (points[lo][key] as number)) lo = i;
        if (hi < 0 || v > (points[hi][key] as number)) hi = i;
      }
      for (const i of [lo, hi, bad]) if (i >= 0) keep.add(i);
    }
    for (const i of [...keep].sort((a, b) => a - b)) out.push(points[i]);
  }
  return out;
}

/** Bounded loss history: new points at full resolution, older ones compacted. */
export class History {
  private pts: EpochPoint[] = [];

  /**
   * @param capacity the most points ever held (at least 64)
   * @param recent how many of the newest points a compaction leaves untouched
   */
  constructor(
    readonly capacity = 4000,
    readonly recent = Math.floor(capacity / 4),
  ) {
    if (capacity < 64 || recent < 1 || recent > capacity / 4) throw new Error('History: need capacity >= 64 and 1 <= recent <= capacity / 4');
  }

  get length(): number {
    return this.pts.length;
  }

  /** The last epoch held, or 0 when empty. */
  get lastEpoch(): number {
    return this.pts.length === 0 ? 0 : this.pts[this.pts.length - 1].epoch;
  }

  points(): readonly EpochPoint[] {
    return this.pts;
  }

  clear(): void {
    this.pts = [];
  }

  /** Replaces the content (e.g. from the host's `init` or the saved state), compacted to fit. */
  replace(points: readonly EpochPoint[]): void {
    this.pts = [];
    this.append(points);
  }

  /**
   * Appends points in epoch order. A point whose epoch is not after the last one held starts a new
   * run (after a reset or a new Train): the old history is dropped. Returns true when that happened.
   */
  append(points: readonly EpochPoint[]): boolean {
    let restarted = false;
    for (const p of points) {
      if (this.pts.length > 0 && p.epoch <= this.lastEpoch) {
        this.pts = [];
        restarted = true;
      }
      this.pts.push(p);
      if (this.pts.length > this.capacity) this.compactOld();
    }
    return restarted;
  }

  /** Compacts all but the `recent` newest points so that the total is half the capacity. */
  private compactOld(): void {
    const cut = this.pts.length - this.recent;
    const old = compact(this.pts.slice(0, cut), Math.floor(this.capacity / 2) - this.recent);
    this.pts = old.concat(this.pts.slice(cut));
  }
}
