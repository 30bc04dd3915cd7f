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
