/**
 * The webview state read back after hiding the panel or reloading the window: every field is
 * checked, unusable ones fall back to defaults, and a diverged point (NaN, stored by JSON as null)
 * comes back as NaN rather than as a number.
 */
import { strict as assert } from 'node:assert';
import { DEFAULT_STATE, readSavedState } from '../../../webview/state';
import { cellValue } from '../../../webview/views/weights';

describe('saved webview state', () => {
  it('gives the defaults for nothing or garbage', () => {
    assert.deepEqual(readSavedState(undefined), DEFAULT_STATE);
    assert.deepEqual(readSavedState('x'), DEFAULT_STATE);
    assert.deepEqual(readSavedState({ tab: 'evil', heatmapMode: 3, sample: -1, step: 1.5, history: 'no' }), DEFAULT_STATE);
  });

  it('keeps valid choices and the file URI', () => {
    const s = readSavedState({ uri: 'file:///w/xor.net.json', tab: 'step', heatmapMode: 'ratio', edgeMode: 'gradient', logScale: true, sample: 3, step: 5 });
    assert.equal(s.uri, 'file:///w/xor.net.json');
    assert.deepEqual([s.tab, s.heatmapMode, s.edgeMode, s.logScale, s.sample, s.step], ['step', 'ratio', 'gradient', true, 3, 5]);
  });

  it('round-trips the history through JSON, NaN included, and drops malformed points', () => {
    const saved = JSON.parse(JSON.stringify({ history: [{ epoch: 1, loss: 0.5, valLoss: 0.6 }, { epoch: 2, loss: NaN }, { epoch: 'x', loss: 1 }, null] }));
    const s = readSavedState(saved);
    assert.equal(s.history.length, 2);
    assert.deepEqual(s.history[0], { epoch: 1, loss: 0.5, valLoss: 0.6 });
    assert.ok(Number.isNaN(s.history[1].loss));
  });
});

describe('heatmap cell values', () => {
  const layer = { layer: 1, units: 2, inputs: 2, activation: 'tanh', W: [1, -2, 0, 4], b: [0.5, -1], uW: [0.01, 0.02, 0.03, -0.04], ub: [0.001, 0.002] };

  it('reads weights row by row and the bias as the last column', () => {
    assert.equal(cellValue(layer, 'value', 0, 1), -2);
    assert.equal(cellValue(layer, 'value', 1, 0), 0);
    assert.equal(cellValue(layer, 'value', 1, 2), -1);
    assert.equal(cellValue(layer, 'update', 1, 1), -0.04);
  });

  it('has no gradient before one is computed, and no ratio for a zero weight', () => {
    assert.equal(cellValue(layer, 'gradient', 0, 0), undefined);
    assert.equal(cellValue(layer, 'ratio', 1, 0), undefined);
    assert.equal(cellValue(layer, 'ratio', 0, 1), 0.02 / -2);
    assert.equal(cellValue(layer, 'ratio', 0, 2), 0.001 / 0.5);
  });
});
