/**
 * The chart's bounded history: memory stays flat over a million epochs while the first and last
 * points and every series' minimum and maximum survive. The expected extremes come from the
 * generating formulas (placed by hand at known epochs), not from the code under test.
 */
import { strict as assert } from 'node:assert';
import type { EpochPoint } from '../../../src/shared/protocol';
import { History, compact } from '../../../webview/downsample';

function pts(n: number, f: (e: number) => Partial<EpochPoint>): EpochPoint[] {
  return Array.from({ length: n }, (_, i) => ({ epoch: i + 1, loss: 0, ...f(i + 1) }));
}

describe('compact', () => {
  it('returns a copy when the points already fit', () => {
    const p = pts(10, (e) => ({ loss: e }));
    const c = compact(p, 20);
    assert.deepEqual(c, p);
    assert.notEqual(c, p);
  });

  it('keeps first, last, minima and maxima of every series, in epoch order, within the target', () => {
    // loss: smooth decay with a spike at epoch 5000 and a dip at 7777; valLoss: max at 123.
    const p = pts(10000, (e) => ({
      loss: e === 5000 ? 50 : e === 7777 ? -1 : 1 / e,
      valLoss: e === 123 ? 99 : 2 / e,
      accuracy: e === 9000 ? 0 : 0.5,
    }));
    const c = compact(p, 500);
    assert.ok(c.length <= 500, `${c.length} points`);
    assert.equal(c[0].epoch, 1);
    assert.equal(c[c.length - 1].epoch, 10000);
    const epochs = c.map((q) => q.epoch);
    for (const e of [5000, 7777, 123, 9000]) assert.ok(epochs.includes(e), `epoch ${e} kept`);
    for (let i = 1; i < c.length; i++) assert.ok(c[i].epoch > c[i - 1].epoch);
    // every kept point is an original point, unchanged
    for (const q of c) assert.deepEqual(q, p[q.epoch - 1]);
  });

  it('keeps a diverged (NaN) loss visible', () => {
    const p = pts(1000, (e) => ({ loss: e === 640 ? NaN : 1 }));
    assert.ok(compact(p, 100).some((q) => Number.isNaN(q.loss)));
  });
});

describe('History', () => {
  it('stays within its capacity over a million epochs, keeping the shape', () => {
    const h = new History(2000);
    // loss = 1/e except one spike and one dip; feed in chunks as progress messages would
    let maxLen = 0;
    for (let start = 1; start <= 1_000_000; start += 1000) {
      const chunk: EpochPoint[] = [];
      for (let e = start; e < start + 1000; e++) {
        chunk.push({ epoch: e, loss: e === 333_333 ? 7 : e === 654_321 ? -2 : 1 / e, valLoss: 1 / e });
      }
      h.append(chunk);
      maxLen = Math.max(maxLen, h.length);
    }
    assert.ok(maxLen <= 2000, `max length ${maxLen}`);
    const p = h.points();
    assert.equal(p[0].epoch, 1);
    assert.equal(p[p.length - 1].epoch, 1_000_000);
    assert.ok(p.some((q) => q.epoch === 333_333 && q.loss === 7), 'spike kept');
    assert.ok(p.some((q) => q.epoch === 654_321 && q.loss === -2), 'dip kept');
    // the newest points are at full resolution
    const tail = p.slice(-100).map((q) => q.epoch);
    assert.deepEqual(tail, Array.from({ length: 100 }, (_, i) => 1_000_000 - 99 + i));
  });

  it('starts a new run when an epoch does not follow the last one', () => {
    const h = new History(100);
    assert.equal(h.append(pts(30, (e) => ({ loss: e }))), false);
    assert.equal(h.lastEpoch, 30);
    assert.equal(h.append([{ epoch: 1, loss: 5 }]), true);
    assert.deepEqual(h.points(), [{ epoch: 1, loss: 5 }]);
  });

  it('rejects a capacity too small to compact', () => {
    assert.throws(() => new History(10));
  });
});
