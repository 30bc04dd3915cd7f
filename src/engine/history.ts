/**
 * The loss history of one training run, in bounded memory however long the run (used by the
 * extension's sessions and the CLI).
 *
 * Points are kept in buckets of equal width (in epochs). Each bucket keeps at most two points: the
 * one with the lowest and the one with the highest loss, in epoch order, so a spike or a dip never
 * disappears from the chart. When there are more than `capacity / 2` buckets, adjacent pairs are
 * merged and the width doubles: every part of the run is shown at the same resolution, and the
 * history never holds more than `capacity` points (plus the newest one, always shown).
 */
/**
 * THE limit of a loss history: the most points one holds (the session's, the chart's, one
 * progress message's); the extension's setting `backprop.history.maxPoints` can change it.
 */
export const HISTORY_POINTS = 2000;

/** One epoch's figures: the trainer's EpochStats and the protocol's EpochPoint both have this shape. */
export interface EpochPoint {
  epoch: number;
  loss: number;
  valLoss?: number;
  accuracy?: number;
  valAccuracy?: number;
}

interface Bucket {
  /** Raw points that fell into this bucket. */
  count: number;
  /** One or two points: the lowest and highest loss of the bucket, in epoch order. */
  keep: EpochPoint[];
}

/** The lowest- and highest-loss points of a set, in epoch order (one point when they coincide). */
export function extremes(points: readonly EpochPoint[]): EpochPoint[] {
  if (points.length <= 1) return [...points];
  let lo = points[0];
  let hi = points[0];
  for (const p of points) {
    if (lossKey(p) < lossKey(lo)) lo = p;
    if (lossKey(p) > lossKey(hi)) hi = p;
  }
  if (lo === hi) return [lo];
  return lo.epoch <= hi.epoch ? [lo, hi] : [hi, lo];
}

/** NaN sorts as the highest loss, so a divergence stays visible. */
function lossKey(p: EpochPoint): number {
  return Number.isNaN(p.loss) ? Infinity : p.loss;
}

export class LossHistory {
  private buckets: Bucket[] = [];
  /** Raw epochs per bucket; doubles at every merge. */
  private width = 1;
  private last: EpochPoint | undefined;
  private total = 0;

  /** `capacity`: the most points `points()` returns besides the newest (even, at least 4). */
  constructor(readonly capacity = HISTORY_POINTS) {
    if (!Number.isInteger(capacity) || capacity < 4 || capacity % 2 !== 0) {
      throw new RangeError(`LossHistory capacity must be an even integer >= 4, got ${capacity}`);
    }
  }

  /** How many points were pushed since the last clear. */
  get pushed(): number {
    return this.total;
  }

  /** Epochs per bucket (1 until the first merge). */
  get resolution(): number {
    return this.width;
  }

  /** The epoch of the newest point, or 0 when empty. */
  get lastEpoch(): number {
    return this.last?.epoch ?? 0;
  }

  clear(): void {
    this.buckets = [];
    this.width = 1;
    this.last = undefined;
    this.total = 0;
  }

  push(p: EpochPoint): void {
    this.total++;
    this.last = p;
    const tail = this.buckets[this.buckets.length - 1];
    if (tail && tail.count < this.width) {
      tail.count++;
      tail.keep = extremes([...tail.keep, p]);
    } else {
      this.buckets.push({ count: 1, keep: [p] });
      if (this.buckets.length > this.capacity / 2) this.merge();
    }
  }

  pushAll(points: readonly EpochPoint[]): void {
    for (const p of points) this.push(p);
  }

  /**
   * Appends points in epoch order; a point whose epoch does not follow the newest one starts a
   * new run (after a reset or a reload) and the old history is dropped. True when that happened.
   */
  append(points: readonly EpochPoint[]): boolean {
    let restarted = false;
    for (const p of points) {
      if (this.last !== undefined && p.epoch <= this.last.epoch) {
        this.clear();
        restarted = true;
      }
      this.push(p);
    }
    return restarted;
  }

  /** Replaces the content (e.g. with a history another side kept). */
  replace(points: readonly EpochPoint[]): void {
    this.clear();
    this.append(points);
  }

  /** The kept points in epoch order; the newest pushed point is always the last one. */
  points(): EpochPoint[] {
    const out: EpochPoint[] = [];
    for (const b of this.buckets) out.push(...b.keep);
    if (this.last && out[out.length - 1] !== this.last) out.push(this.last);
    return out;
  }

  private merge(): void {
    const merged: Bucket[] = [];
    for (let i = 0; i < this.buckets.length; i += 2) {
      const a = this.buckets[i];
      const b = this.buckets[i + 1];
      merged.push(b ? { count: a.count + b.count, keep: extremes([...a.keep, ...b.keep]) } : a);
    }
    this.buckets = merged;
    this.width *= 2;
  }
}

/**
 * At most `max` points of `points` (in order) for one progress message: the first and the last
 * always, and between them the lowest and highest loss of equal slices.
 */
export function reducePoints(points: readonly EpochPoint[], max: number): EpochPoint[] {
  if (points.length <= max) return [...points];
  if (max < 4) return [points[0], points[points.length - 1]].slice(0, Math.max(1, max));
  const inner = points.slice(1, -1);
  const slices = Math.floor((max - 2) / 2);
  const out: EpochPoint[] = [points[0]];
  for (let s = 0; s < slices; s++) {
    const from = Math.floor((s * inner.length) / slices);
    const to = Math.floor(((s + 1) * inner.length) / slices);
    out.push(...extremes(inner.slice(from, to)));
  }
  out.push(points[points.length - 1]);
  return out;
}
