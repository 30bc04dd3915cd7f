/**
 * Colour scales: the diverging scale is symmetric around 0 (0 is the neutral colour, ±v at equal
 * distance from it towards opposite ends), clamps beyond its range, and marks NaN; the log scale
 * of the gradient check places powers of ten evenly. Expected colours are worked out by hand.
 */
import { strict as assert } from 'node:assert';
import {
  classColor,
  divergingColor,
  divergingPosition,
  logPosition,
  mix,
  parseColor,
  symmetricRange,
  type DivergingPalette,
} from '../../../webview/colors';

const P: DivergingPalette = { negative: [0, 0, 200], neutral: [100, 100, 100], positive: [200, 0, 0], nan: [255, 0, 255] };

describe('diverging colour scale', () => {
  it('maps 0 to the neutral colour and the ends of the range to the end colours', () => {
    assert.deepEqual(divergingColor(0, 2, P), [100, 100, 100]);
    assert.deepEqual(divergingColor(2, 2, P), [200, 0, 0]);
    assert.deepEqual(divergingColor(-2, 2, P), [0, 0, 200]);
    // half way: (100+200)/2, (100+0)/2, (100+0)/2
    assert.deepEqual(divergingColor(1, 2, P), [150, 50, 50]);
    assert.deepEqual(divergingColor(-1, 2, P), [50, 50, 150]);
  });

  it('shows the sign: positive values lean to the positive colour, negative ones to the negative', () => {
    const pos = divergingColor(0.3, 1, P);
    const neg = divergingColor(-0.3, 1, P);
    assert.ok(pos[0] > 100 && pos[2] < 100, `positive ${pos}`);
    assert.ok(neg[2] > 100 && neg[0] < 100, `negative ${neg}`);
  });

  it('is symmetric: v and -v are equally far from neutral', () => {
    for (const v of [0.01, 0.37, 0.5, 0.99]) {
      assert.equal(divergingPosition(v, 1), -divergingPosition(-v, 1));
      const d = (c: readonly number[]): number => Math.hypot(c[0] - 100, c[1] - 100, c[2] - 100);
      // both ends are at the same distance from neutral in this palette (|(100,-100,-100)|)
      assert.ok(Math.abs(d(divergingColor(v, 1, P)) - d(divergingColor(-v, 1, P))) < 1.8, `v=${v}`);
    }
  });

  it('clamps values beyond the range to the end colours', () => {
    assert.deepEqual(divergingColor(1e9, 1, P), [200, 0, 0]);
    assert.deepEqual(divergingColor(-Infinity, 1, P), [0, 0, 200]);
    assert.equal(divergingPosition(5, 1), 1);
    assert.equal(divergingPosition(-5, 1), -1);
  });

  it('gives NaN its own colour, and copes with an empty range', () => {
    assert.deepEqual(divergingColor(NaN, 1, P), [255, 0, 255]);
    assert.equal(divergingPosition(0.1, 0), 1);
    assert.equal(divergingPosition(-0.1, 0), -1);
  });

  it('takes the range from the largest finite magnitude', () => {
    assert.equal(symmetricRange([0.5, -3, 2, NaN, Infinity]), 3);
    assert.equal(symmetricRange([0, 0]), 1);
    assert.equal(symmetricRange(new Float64Array([-0.25])), 0.25);
  });
});

describe('other scales and colour helpers', () => {
  it('places powers of ten evenly on the log scale and clamps outside it', () => {
    assert.ok(Math.abs(logPosition(1e-6, 1e-12, 1) - 0.5) < 1e-12);
    assert.equal(logPosition(0, 1e-12, 1), 0);
    assert.equal(logPosition(1e-15, 1e-12, 1), 0);
    assert.equal(logPosition(3, 1e-12, 1), 1);
    assert.ok(Number.isNaN(logPosition(NaN, 1e-12, 1)));
  });

  it('mixes linearly and clamps t', () => {
    assert.deepEqual(mix([0, 0, 0], [10, 20, 30], 0.5), [5, 10, 15]);
    assert.deepEqual(mix([0, 0, 0], [10, 20, 30], 7), [10, 20, 30]);
  });

  it('parses CSS colours as VS Code gives them in its variables', () => {
    assert.deepEqual(parseColor('#1e1e1e'), [30, 30, 30]);
    assert.deepEqual(parseColor(' #fff '), [255, 255, 255]);
    assert.deepEqual(parseColor('#007acc80'), [0, 122, 204]);
    assert.deepEqual(parseColor('rgba(12, 34, 56, 0.5)'), [12, 34, 56]);
    assert.equal(parseColor('var(--x)'), undefined);
  });

  it('gives each class its own colour and wraps around', () => {
    assert.notDeepEqual(classColor(0), classColor(1));
    assert.deepEqual(classColor(10), classColor(0));
  });
});
