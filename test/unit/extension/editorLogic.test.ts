// Unit tests (plain Node) for the editor logic that needs no VS Code: where a weight is in the
// text, the CodeLens titles, and the regenerate-weights repair.
import * as assert from 'assert';
import * as jsonc from 'jsonc-parser';
import { Network } from '../../../src/engine';
import { parseNet } from '../../../src/engine/format';
import { layerRanges, locationAt, parameterRange, parseTree } from '../../../src/extension/editor/netLocation';
import { parameterName as paramName } from '../../../src/engine/spec';
import { buildLenses, formatNumber, layerTitle, type LensInput } from '../../../src/extension/editor/lensModel';
import { regenerateLayer } from '../../../src/extension/editor/regenerate';
import { hoverMarkdown } from '../../../src/extension/editor/hoverText';
import type { GradCheckView } from '../../../src/shared/protocol';
import { XOR } from './fixtures';

const at = (text: string, needle: string, delta = 0): number => {
  const i = text.indexOf(needle);
  assert.ok(i >= 0, `"${needle}" in the text`);
  return i + delta;
};

describe('extension: netLocation', () => {
  const root = parseTree(XOR);

  it('finds the weight under the cursor with its row j and column k', () => {
    // "weights": [[0.1, -0.2, 0.3]] of layers[2]: -0.2 is row 0, column 1
    const loc = locationAt(root, at(XOR, '-0.2', 1));
    assert.deepStrictEqual(loc && { kind: loc.kind, layer: loc.layer, ...(loc.kind === 'weight' ? { j: loc.j, k: loc.k } : {}) }, { kind: 'weight', layer: 2, j: 0, k: 1 });
    assert.ok(loc);
    assert.strictEqual(XOR.slice(loc.offset, loc.offset + loc.length), '-0.2');
  });

  it('finds a bias', () => {
    const loc = locationAt(root, at(XOR, '[0.0]', 2));
    assert.ok(loc && loc.kind === 'bias');
    assert.strictEqual(loc.layer, 2);
    assert.strictEqual(loc.j, 0);
  });

  it('gives the layer for a key or bracket inside a layer, and nothing outside the layers', () => {
    const loc = locationAt(root, at(XOR, '"activation": "sigmoid" }', 3));
    assert.ok(loc && loc.kind === 'layer');
    assert.strictEqual(loc.layer, 1);
    assert.strictEqual(locationAt(root, at(XOR, '"seed"', 2)), undefined);
    assert.strictEqual(locationAt(root, at(XOR, '"inputs"', 2)), undefined, 'data inputs are not weights');
  });

  it('lists the layer objects in order and finds parameter ranges', () => {
    const ranges = layerRanges(root);
    assert.strictEqual(ranges.length, 3);
    assert.ok(XOR.slice(ranges[0].offset, ranges[0].offset + ranges[0].length).startsWith('{ "units": 2 }'));
    const r = parameterRange(root, 2, 0, 2);
    assert.ok(r);
    assert.strictEqual(XOR.slice(r.offset, r.offset + r.length), '0.3');
    assert.strictEqual(parameterRange(root, 1, 0, 0), undefined, 'layer 1 has no weights in the file');
  });

  it('names parameters 1-based as the engine does', () => {
    assert.strictEqual(paramName(2, 0, 2), 'w^2_{1,3}');
    assert.strictEqual(paramName(1, 11), 'b^1_{12}');
  });
});

describe('extension: lens titles', () => {
  const base: LensInput = { errors: 0, layerCount: 3 };
  const titles = (i: LensInput): string[] => buildLenses(i).top.map((l) => l.title);

  it('offers Train, Gradient check and Inspect on a valid file', () => {
    assert.deepStrictEqual(titles(base), ['$(play) Train', '$(beaker) Gradient check', '$(graph) Inspect', '$(export) Export...']);
  });

  it('points at the problems of a broken file instead of Train', () => {
    const m = buildLenses({ ...base, errors: 2 });
    assert.strictEqual(m.top[0].title, '$(error) 2 problems: fix to train');
    assert.strictEqual(m.top[0].command, 'workbench.actions.view.problems');
    assert.ok(!m.top.some((l) => l.command === 'backprop.train'));
  });

  it('shows Stop and the live epoch and loss while training', () => {
    const t = titles({ ...base, session: { state: 'training', running: true, epoch: 120, totalEpochs: 3000, last: { epoch: 120, loss: 0.012345 }, checkRunning: false } });
    assert.deepStrictEqual(t, ['$(debug-stop) Stop', '$(debug-pause) Pause', '$(pulse) epoch 120/3000 · loss 0.01235', '$(graph) Inspect']);
  });

  it('shows the verdict and worst error of a gradient check', () => {
    const check: GradCheckView = {
      passed: false, maxRelativeError: 0.0213, parameters: 13, seconds: 0.01, thresholds: { pass: 1e-7, fail: 1e-4 }, entries: [],
      worst: [{ layer: 2, kind: 'w', j: 0, k: 2, name: 'w^2_{1,3}', analytic: 1, numeric: 0.98, relativeError: 0.0213, status: 'fail' }],
    };
    const t = titles({ ...base, session: { state: 'idle', running: false, epoch: 0, totalEpochs: 0, lastCheck: check, checkRunning: false } });
    assert.strictEqual(t[1], '$(error) Gradient check failed · max rel. error 0.0213 (w^2_{1,3})');
    const passed = titles({ ...base, session: { state: 'idle', running: false, epoch: 0, totalEpochs: 0, lastCheck: { ...check, passed: true, maxRelativeError: 3.2e-9 }, checkRunning: false } });
    assert.strictEqual(passed[1], '$(pass) Gradient check passed · max rel. error 3.20e-9');
  });

  it('after a run: the result at the top and a lens per layer with what matters for it', () => {
    const m = buildLenses({
      ...base,
      layerCount: 4,
      session: {
        state: 'done', running: false, epoch: 3000, totalEpochs: 3000, checkRunning: false,
        lastRun: { reason: 'done', epoch: 3000, epochsRun: 3000, seconds: 1, last: { epoch: 3000, loss: 0.00123, accuracy: 1 } },
        stats: [
          { layer: 1, units: 4, activation: 'relu', gradientNorm: 0.5, deadShare: 0.25, saturatedShare: 0 },
          { layer: 2, units: 3, activation: 'sigmoid', gradientNorm: 1.5e-6, deadShare: 0, saturatedShare: 2 / 3 },
          { layer: 3, units: 1, activation: 'linear', gradientNorm: 0, deadShare: 0, saturatedShare: 0 },
        ],
      },
    });
    assert.strictEqual(m.top[3].title, 'trained: epoch 3000 · loss 0.00123 · accuracy 100%');
    assert.deepStrictEqual(m.layers.map((l) => [l.layer, l.lens.title]), [
      [1, 'layer 1 · ‖∇‖ 0.5 · 25% dead'],
      [2, 'layer 2 · ‖∇‖ 1.50e-6 · 67% saturated'],
      [3, 'layer 3 · ‖∇‖ 0'],
    ]);
  });

  it('says where a run diverged', () => {
    const t = titles({
      ...base,
      session: {
        state: 'diverged', running: false, epoch: 11, totalEpochs: 50, checkRunning: false,
        lastRun: { reason: 'diverged', epoch: 11, epochsRun: 11, seconds: 0, divergence: { epoch: 12, batch: 3, layer: 2, what: 'weight' }, message: 'x' },
      },
    });
    assert.strictEqual(t[3], '$(warning) diverged at epoch 12, batch 3, layer 2');
  });

  it('formats numbers with 4 significant digits', () => {
    assert.deepStrictEqual([0.012345, 1234.5678, 3.2e-9, 0, NaN, 250000].map(formatNumber), ['0.01235', '1235', '3.20e-9', '0', 'NaN', '2.50e+5']);
    assert.strictEqual(layerTitle({ layer: 1, units: 2, activation: 'tanh', gradientNorm: 2, deadShare: 0, saturatedShare: 0.5 }), 'layer 1 · ‖∇‖ 2 · 50% saturated');
  });
});

describe('extension: regenerate the weights of a layer', () => {
  // layer 2 has 3 inputs but its weights have 2 columns: the format offers to regenerate them
  const broken = XOR.replace('"weights": [[0.1, -0.2, 0.3]], "biases": [0.0]', '"weights": [[0.1, -0.2]], "biases": [0.0] /* keep me */');

  it('the format reports the wrong shape with a regenerate fix', () => {
    const p = parseNet(broken, '/tmp/x.net.json').problems.find((q) => q.fix?.kind === 'regenerate-weights');
    assert.ok(p, 'a problem with the regenerate-weights fix');
  });

  it('draws the layer exactly as the engine does for a layer without weights, and touches nothing else', () => {
    const e = regenerateLayer(broken, '/tmp/x.net.json', 2);
    const fixed = broken.slice(0, e.offset) + e.content + broken.slice(e.offset + e.length);
    const parsed = parseNet(fixed, '/tmp/x.net.json');
    assert.ok(parsed.spec, parsed.problems.map((p) => p.message).join('; '));
    // Oracle: the same file with the weights and biases of layer 2 deleted by hand.
    const without = broken.replace(', "weights": [[0.1, -0.2]], "biases": [0.0] /* keep me */', '');
    const ref = parseNet(without, '/tmp/x.net.json');
    assert.ok(ref.spec);
    const expected = Network.fromSpec(ref.spec).weights()[1];
    assert.deepStrictEqual(parsed.spec.layers[1].weights, expected.weights);
    assert.deepStrictEqual(parsed.spec.layers[1].biases, expected.biases);
    assert.strictEqual(expected.weights[0].length, 3);
    // Outside the layer object, the text is unchanged.
    assert.strictEqual(fixed.slice(0, e.offset), broken.slice(0, e.offset));
    assert.strictEqual(fixed.slice(e.offset + e.content.length), broken.slice(e.offset + e.length));
    assert.ok(jsonc.parseTree(fixed));
  });

  it('refuses when other errors keep the file from being read', () => {
    const worse = broken.replace('"loss": "half-squared-error"', '"loss": "nope"');
    assert.throws(() => regenerateLayer(worse, '/tmp/x.net.json', 2), /fix the other problems first/);
  });
});

describe('extension: hover text', () => {
  const units = [2, 3, 1];
  const activations = [undefined, 'relu', 'sigmoid'];

  it('names a weight by the connection it is, 1-based', () => {
    const md = hoverMarkdown({ loc: { kind: 'weight', layer: 2, j: 0, k: 2, offset: 0, length: 3 }, units, activations, fileValue: 0.3 });
    assert.ok(md.startsWith('**`w^2_{1,3}`** weight from unit 3 of layer 1 to unit 1 of layer 2'), md);
    assert.ok(md.includes('value in the file: `0.3`'));
  });

  it('counts a layer\'s parameters: units x inputs weights plus one bias per unit', () => {
    // layer 1: 3 units, 2 inputs -> 6 weights + 3 biases
    const md = hoverMarkdown({ loc: { kind: 'layer', layer: 1, offset: 0, length: 1 }, units, activations });
    assert.ok(md.startsWith('**Layer 1** (hidden layer): 3 units, relu, 9 parameters (6 weights + 3 biases)'), md);
    const out = hoverMarkdown({ loc: { kind: 'layer', layer: 2, offset: 0, length: 1 }, units, activations });
    assert.ok(out.startsWith('**Layer 2** (output layer): 1 unit, sigmoid, 4 parameters (3 weights + 1 bias)'), out);
  });

  it('after training, gives the session\'s value, gradient and last update of that weight', () => {
    const md = hoverMarkdown({
      loc: { kind: 'weight', layer: 2, j: 0, k: 1, offset: 0, length: 3 },
      units,
      activations,
      session: { epoch: 7, layer: { layer: 2, units: 1, inputs: 3, activation: 'sigmoid', W: [1, 2, 3], b: [0], dW: [0.1, 0.2, 0.3], db: [0], uW: [-1, -2, -3], ub: [0] } },
    });
    assert.ok(md.includes('In the training session, epoch 7:'));
    assert.ok(md.includes('- value `2`'));
    assert.ok(md.includes('- gradient ∂E/∂w `0.2`'));
    assert.ok(md.includes('- last update Δw `-2`'));
  });
});
