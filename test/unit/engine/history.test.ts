// Unit tests (plain Node) for the bounded loss history of a training session.
import * as assert from 'assert';
import { LossHistory, extremes, reducePoints, type EpochPoint } from '../../../src/engine/history';

const pt = (epoch: number, loss: number): EpochPoint => ({ epoch, loss });
const epochs = (ps: EpochPoint[]): number[] => ps.map((p) => p.epoch);

describe('extension: LossHistory', () => {
  it('keeps every point while under capacity, in order', () => {
    const h = new LossHistory(8);
    for (let e = 1; e <= 4; e++) h.push(pt(e, 10 - e));
    assert.deepStrictEqual(epochs(h.points()), [1, 2, 3, 4]);
    assert.strictEqual(h.resolution, 1);
  });

  it('merges pairs of buckets into equal widths, keeping the first and last of a falling curve', () => {
    // capacity 8 -> at most 4 buckets. Worked by hand: after 16 epochs the buckets are
    // [1..4] [5..8] [9..12] [13..16]; on a falling curve each keeps its first (highest) and last (lowest).
    const h = new LossHistory(8);
    for (let e = 1; e <= 16; e++) h.push(pt(e, 1 / e));
    assert.strictEqual(h.resolution, 4);
    assert.deepStrictEqual(epochs(h.points()), [1, 4, 5, 8, 9, 12, 13, 16]);
  });

  it('always ends with the newest point, even when it is not an extreme of its bucket', () => {
    const h = new LossHistory(8);
    for (let e = 1; e <= 16; e++) h.push(pt(e, 1 / e));
    // Epoch 17 opens a fifth bucket, so the buckets merge to [1..8] [9..16] [17..24] (width 8).
    // In [17..24] the lowest loss is 17 and the highest 18; 19 is neither, yet it is the newest.
    h.push(pt(17, 0.5));
    h.push(pt(18, 0.9));
    h.push(pt(19, 0.7));
    assert.strictEqual(h.resolution, 8);
    const ps = h.points();
    assert.deepStrictEqual(epochs(ps), [1, 8, 9, 16, 17, 18, 19]);
  });

  it('stays within capacity over a million epochs and keeps a single spike and a single dip', () => {
    const h = new LossHistory(200);
    for (let e = 1; e <= 1_000_000; e++) {
      const loss = e === 123_457 ? 100 : e === 765_431 ? -5 : 1 + (e % 7) * 1e-3;
      h.push(pt(e, loss));
    }
    const ps = h.points();
    assert.ok(ps.length <= 201, `at most capacity + 1 points, got ${ps.length}`);
    assert.ok(ps.some((p) => p.epoch === 123_457 && p.loss === 100), 'the spike survives');
    assert.ok(ps.some((p) => p.epoch === 765_431 && p.loss === -5), 'the dip survives');
    assert.strictEqual(ps[0].epoch <= 7, true, 'the start of the run is still shown');
    assert.strictEqual(ps[ps.length - 1].epoch, 1_000_000);
    for (let i = 1; i < ps.length; i++) assert.ok(ps[i].epoch > ps[i - 1].epoch, 'epochs strictly increase');
    assert.strictEqual(h.pushed, 1_000_000);
  });

  it('treats a NaN loss as the highest, so a divergence stays visible', () => {
    const kept = extremes([pt(1, 0.5), pt(2, Number.NaN), pt(3, 0.1)]);
    assert.deepStrictEqual(epochs(kept), [2, 3]);
  });

  it('clear() starts over at full resolution', () => {
    const h = new LossHistory(4);
    for (let e = 1; e <= 50; e++) h.push(pt(e, e));
    h.clear();
    h.push(pt(1, 3));
    assert.deepStrictEqual(h.points(), [pt(1, 3)]);
    assert.strictEqual(h.resolution, 1);
  });

  it('refuses an odd or tiny capacity', () => {
    assert.throws(() => new LossHistory(5), RangeError);
    assert.throws(() => new LossHistory(2), RangeError);
  });
});

describe('extension: reducePoints', () => {
  it('returns the points unchanged when they fit', () => {
    const ps = [pt(1, 3), pt(2, 2)];
    assert.deepStrictEqual(reducePoints(ps, 4), ps);
  });

  it('keeps first, last and the extremes of equal slices', () => {
    // 10 points, max 6: first (1), last (10), inner 2..9 cut in 2 slices [2..5] [6..9];
    // a falling curve keeps each slice's first and last.
    const ps = Array.from({ length: 10 }, (_, i) => pt(i + 1, 10 - i));
    assert.deepStrictEqual(epochs(reducePoints(ps, 6)), [1, 2, 5, 6, 9, 10]);
  });
});

// Moved from the webview's former history module (webview/downsample.ts), whose separate
// algorithm the chart no longer has: the chart keeps a LossHistory too. The expected extremes come
// from the generating formulas (placed by hand at known epochs), not from the code under test.
function series(n: number, f: (e: number) => Partial<EpochPoint>): EpochPoint[] {
  return Array.from({ length: n }, (_, i) => ({ epoch: i + 1, loss: 0, ...f(i + 1) }));
}

describe('history for the chart: one burst (reducePoints)', () => {
  it('returns a copy when the points already fit', () => {
    const p = series(10, (e) => ({ loss: e }));
    const c = reducePoints(p, 20);
    assert.deepStrictEqual(c, p);
    assert.notStrictEqual(c, p);
  });

  it('keeps first, last, the loss\'s spike and dip, in epoch order, within the target', () => {
    // loss: smooth decay with a spike at epoch 5000 and a dip at 7777.
    const p = series(10000, (e) => ({ loss: e === 5000 ? 50 : e === 7777 ? -1 : 1 / e, valLoss: 2 / e }));
    const c = reducePoints(p, 500);
    assert.ok(c.length <= 500, `${c.length} points`);
    assert.strictEqual(c[0].epoch, 1);
    assert.strictEqual(c[c.length - 1].epoch, 10000);
    const kept = c.map((q) => q.epoch);
    for (const e of [5000, 7777]) assert.ok(kept.includes(e), `epoch ${e} kept`);
    for (let i = 1; i < c.length; i++) assert.ok(c[i].epoch > c[i - 1].epoch);
    // every kept point is an original point, unchanged
    for (const q of c) assert.deepStrictEqual(q, p[q.epoch - 1]);
  });

  it('keeps a diverged (NaN) loss visible', () => {
    const p = series(1000, (e) => ({ loss: e === 640 ? NaN : 1 }));
    assert.ok(reducePoints(p, 100).some((q) => Number.isNaN(q.loss)));
  });
});

describe('history for the chart: a stream of progress messages (LossHistory.append)', () => {
  it('stays within its capacity over a million epochs, keeping the shape', () => {
    const h = new LossHistory(2000);
    // loss = 1/e except one spike and one dip; fed in chunks as progress messages would
    let maxLen = 0;
    for (let start = 1; start <= 1_000_000; start += 1000) {
      const chunk: EpochPoint[] = [];
      for (let e = start; e < start + 1000; e++) {
        chunk.push({ epoch: e, loss: e === 333_333 ? 7 : e === 654_321 ? -2 : 1 / e, valLoss: 1 / e });
      }
      h.append(chunk);
      maxLen = Math.max(maxLen, h.points().length);
    }
    assert.ok(maxLen <= 2001, `max length ${maxLen} (capacity + the newest point)`);
    const p = h.points();
    assert.strictEqual(p[0].epoch, 1);
    assert.strictEqual(p[p.length - 1].epoch, 1_000_000);
    assert.ok(p.some((q) => q.epoch === 333_333 && q.loss === 7), 'spike kept');
    assert.ok(p.some((q) => q.epoch === 654_321 && q.loss === -2), 'dip kept');
  });

  it('starts a new run when an epoch does not follow the last one', () => {
    const h = new LossHistory(100);
    assert.strictEqual(h.append(series(30, (e) => ({ loss: e }))), false);
    assert.strictEqual(h.lastEpoch, 30);
    assert.strictEqual(h.append([{ epoch: 1, loss: 5 }]), true);
    assert.deepStrictEqual(h.points(), [{ epoch: 1, loss: 5 }]);
  });
});
