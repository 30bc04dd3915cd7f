/**
 * The step-through shows exactly the engine's numbers: every number in every step is looked up by
 * what it claims to be (net input of unit j of layer l, Δ of ..., weight w^l_jk, ...) in the
 * engine's own trace of that sample (`Network.trace`), and must be equal bit for bit and be shown
 * as formatNumber of that value. Δ must be exactly -δ, the delta of every unit must appear, and the
 * notes' formulas, evaluated with the numbers shown, must give the Δ shown.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Network, Trainer } from '../../../src/engine';
import { loadNet, type LoadedNet } from '../../../src/engine/load';
import { traceView } from '../../../src/extension/worker/views';
import { formatLatex, formatNumber } from '../../../webview/format';
import { buildSteps, type Shown, type Step, type StepInput } from '../../../webview/stepModel';

const EXAMPLES = path.resolve(__dirname, '../../../../examples');

function load(text: string, file: string): LoadedNet {
  const r = loadNet(text, file);
  if (!r.spec) throw new Error(`cannot load ${file}: ${r.problems.map((p) => p.message).join('; ')}`);
  return r;
}

function stepsFor(text: string, file: string, sample: number): { steps: Step[]; net: Network; engine: ReturnType<Network['trace']>; lr: number; l2: number; t: Float64Array } {
  const loaded = load(text, file);
  const net = Network.fromSpec(loaded.spec);
  // What the worker sends: its own view of the engine's trace (src/extension/worker/views.ts).
  const view = traceView(net, loaded.train!, sample, loaded.spec.training.learningRate, loaded.spec.training.l2);
  const engine = net.trace(loaded.train!.inputs[sample], loaded.train!.targets[sample]);
  const input: StepInput = {
    trace: view,
    layers: net.layers.map((l, i) => ({ layer: i + 1, units: l.units, inputs: l.inputs, activation: l.activation })),
    loss: loaded.spec.loss,
    optimizer: loaded.spec.training.optimizer,
    batchSize: loaded.spec.training.batchSize,
  };
  return { steps: buildSteps(input), net, engine, lr: loaded.spec.training.learningRate, l2: loaded.spec.training.l2, t: loaded.train!.targets[sample] };
}

/** The engine's value of the quantity a shown number claims to be (an independent lookup). */
function engineValue(s: Shown, net: Network, tr: ReturnType<Network['trace']>, lr: number, t: Float64Array, l2 = 0): number {
  const l = s.layer;
  const j = s.unit;
  // One batch-1 SGD step with the l2 term, as the trainer does it: u = -lr (δ a + λ w).
  const w = (): number => net.layers[l - 1].weight(j, s.k!);
  const uW = (): number => (l2 === 0 ? -lr * tr.delta[l][j] * tr.out[l - 1][s.k!] : -lr * (tr.delta[l][j] * tr.out[l - 1][s.k!] + l2 * w()));
  switch (s.quantity) {
    case 'x': return tr.x[j];
    case 't': return t[j];
    case 'net': return tr.net[l][j];
    case 'out': return tr.out[l][j];
    case 'fprime': return tr.fprime[l][j];
    case 'negdEdy': return -tr.dEdy[j];
    case 'Delta': return -tr.delta[l][j];
    case 'sumWDelta': return -tr.backSum[l][j];
    case 'loss': return tr.loss;
    case 'learningRate': return lr;
    case 'l2': return l2;
    case 'w': return net.layers[l - 1].weight(j, s.k!);
    case 'b': return net.layers[l - 1].b[j];
    case 'uW': return uW();
    case 'ub': return -lr * tr.delta[l][j];
    case 'newW': return w() + uW();
    case 'newB': return net.layers[l - 1].b[j] + -lr * tr.delta[l][j];
  }
}

function checkAllNumbers(file: string, sample: number, text = fs.readFileSync(path.join(EXAMPLES, file), 'utf8')): Step[] {
  const { steps, net, engine, lr, l2, t } = stepsFor(text, path.join(EXAMPLES, file), sample);
  let count = 0;
  const deltas = new Set<string>();
  for (const step of steps) {
    for (const line of step.lines) {
      for (const s of line.shown) {
        const expected = engineValue(s, net, engine, lr, t, l2);
        assert.ok(Object.is(s.value, expected), `${file} ${step.id}: ${s.quantity}[${s.layer}][${s.unit}${s.k === undefined ? '' : `][${s.k}`}] = ${s.value}, engine ${expected}`);
        assert.equal(s.text, formatNumber(expected));
        assert.ok(line.latex.includes(formatLatex(expected)), `${step.id}: "${formatLatex(expected)}" missing from ${line.latex}`);
        if (s.quantity === 'Delta') deltas.add(`${s.layer}.${s.unit}`);
        count++;
      }
    }
  }
  // Every unit's Δ is shown somewhere.
  for (let l = 1; l <= net.depth; l++) for (let j = 0; j < net.sizes[l]; j++) assert.ok(deltas.has(`${l}.${j}`), `${file}: Δ of unit ${j + 1} of layer ${l} is shown`);
  assert.ok(count > 20, `${file}: only ${count} numbers checked`);
  return steps;
}

describe('step-through model against the engine', () => {
  it('XOR (sigmoid, half-squared-error): every number is the engine\'s, Δ = -δ', () => {
    const steps = checkAllNumbers('xor.net.json', 1);
    // start, forward 1..2, loss, output delta, hidden delta 1, update 2, update 1
    assert.deepEqual(
      steps.map((s) => s.id),
      ['start', 'forward-1', 'forward-2', 'loss', 'output-delta', 'hidden-delta-1', 'update-2', 'update-1'],
    );
  });

  it('spiral (tanh, softmax, cross-entropy), iris (relu, CSV) and sine (mse, linear) too', () => {
    checkAllNumbers('spiral.net.json', 17);
    checkAllNumbers('iris.net.json', 3);
    checkAllNumbers('sine.net.json', 5);
  });

  it('the notes\' formulas with the numbers shown give the Δ shown (XOR)', () => {
    const text = fs.readFileSync(path.join(EXAMPLES, 'xor.net.json'), 'utf8');
    for (let sample = 0; sample < 4; sample++) {
      const { steps, engine } = stepsFor(text, 'xor.net.json', sample);
      const byId = new Map(steps.map((s) => [s.id, s]));
      // output: Δ_k = (y_k - a_k) g'(in_k) — for sigmoid + half-squared-error this is exactly -δ
      for (const line of byId.get('output-delta')!.lines) {
        const get = (q: string): number => line.shown.find((s) => s.quantity === q)!.value;
        assert.equal((get('t') - get('out')) * get('fprime'), get('Delta'));
        assert.equal(get('Delta'), -engine.delta[2][line.unit]);
      }
      // hidden: Δ_j = g'(in_j) Σ_k w_kj Δ_k, with the terms shown
      for (const line of byId.get('hidden-delta-1')!.lines) {
        const ws = line.shown.filter((s) => s.quantity === 'w');
        const Ds = line.shown.filter((s) => s.quantity === 'Delta' && s.layer === 2);
        const sum = ws.reduce((acc, w, i) => acc + w.value * Ds[i].value, 0);
        const fp = line.shown.find((s) => s.quantity === 'fprime')!.value;
        const Delta = line.shown.find((s) => s.quantity === 'Delta' && s.layer === 1)!.value;
        assert.equal(ws.length, 1);
        assert.ok(Math.abs(fp * sum - Delta) <= 1e-15 * Math.abs(Delta) + 1e-300, `${fp * sum} vs ${Delta}`);
        assert.equal(Delta, -engine.delta[1][line.unit]);
      }
    }
  });

  it('the weight update is w + α a_k Δ_j and moves the loss down for that sample', () => {
    const text = fs.readFileSync(path.join(EXAMPLES, 'xor.net.json'), 'utf8');
    const { steps, net, engine } = stepsFor(text, 'xor.net.json', 2);
    const x = new Float64Array([1, 0]);
    const t = new Float64Array([1]);
    for (const step of steps.filter((s) => s.phase === 'update')) {
      for (const line of step.lines) {
        const u = line.shown.find((s) => s.quantity === 'uW' || s.quantity === 'ub')!;
        const lr = line.shown.find((s) => s.quantity === 'learningRate')!.value;
        const D = line.shown.find((s) => s.quantity === 'Delta')!.value;
        const a = u.quantity === 'uW' ? line.shown.find((s) => s.quantity === 'out')!.value : 1;
        assert.ok(Math.abs(u.value - lr * a * D) <= 1e-15 * Math.abs(u.value), `${u.value} vs α a Δ = ${lr * a * D}`);
        const layer = net.layers[line.layer - 1];
        if (u.quantity === 'uW') layer.W[line.unit * layer.inputs + u.k!] += u.value;
        else layer.b[line.unit] += u.value;
      }
    }
    assert.ok(net.trace(x, t).loss < engine.loss, 'one step of the shown updates lowers the sample\'s loss');
  });

  it('binary cross-entropy with a sigmoid output shows Δ = y - a', () => {
    const text = JSON.stringify({
      name: 'bce',
      seed: 3,
      layers: [{ units: 2 }, { units: 2, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }],
      loss: 'binary-cross-entropy',
      data: { inputs: [[0.5, -1]], targets: [[1]] },
    });
    const { steps, engine } = stepsFor(text, 'bce.net.json', 0);
    const line = steps.find((s) => s.id === 'output-delta')!.lines[0];
    const get = (q: string): number => line.shown.find((s) => s.quantity === q)!.value;
    assert.equal(get('t') - get('out'), get('Delta'));
    assert.equal(get('Delta'), -engine.delta[2][0]);
    assert.ok(!line.shown.some((s) => s.quantity === 'fprime'), 'no g\' factor in the fused form');
  });

  it('with l2 every number is still the engine\'s, the update carries the l2 term (XOR, l2 0.01)', () => {
    const spec = JSON.parse(fs.readFileSync(path.join(EXAMPLES, 'xor.net.json'), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ''));
    spec.training = { ...spec.training, l2: 0.01 };
    const steps = checkAllNumbers('xor.net.json', 2, JSON.stringify(spec));
    const update = steps.find((s) => s.id === 'update-2')!;
    assert.ok(update.general[0].includes('\\lambda'), update.general[0]);
    assert.ok(update.lines[0].shown.some((s) => s.quantity === 'l2' && s.value === 0.01));
    assert.ok(update.text[0].includes('l2 = 0.01'), update.text[0]);
  });

  it('the l2 term with its number: w = 2, x = 1, t = 1, α 0.1, λ 0.5, sgd, batch 1 gives 1.8, as one epoch of training', () => {
    const text = JSON.stringify({
      layers: [{ units: 1 }, { units: 1, activation: 'linear', weights: [[2]], biases: [0] }],
      loss: 'half-squared-error',
      training: { optimizer: 'sgd', learningRate: 0.1, l2: 0.5, batchSize: 1, shuffle: false, epochs: 1 },
      data: { inputs: [[1]], targets: [[1]] },
    });
    const { steps } = stepsFor(text, 'l2.net.json', 0);
    const line = steps.find((s) => s.id === 'update-1')!.lines[0];
    const after = line.shown.find((s) => s.quantity === 'newW')!;
    // By hand: δ = y − t = 1, gradient δ·x + λw = 1 + 0.5·2 = 2, w ← 2 − 0.1·2 = 1.8.
    assert.ok(Math.abs(after.value - 1.8) < 1e-15, `${after.value}`);
    assert.equal(after.text, '1.8');
    assert.ok(line.latex.includes('\\lambda'), line.latex);
    assert.ok(line.latex.includes('0.5'), line.latex);
    const loaded = load(text, 'l2.net.json');
    const net = Network.fromSpec(loaded.spec);
    new Trainer(net, loaded.train!, loaded.spec.training, loaded.spec.seed).run(1);
    assert.ok(Object.is(net.layers[0].W[0], after.value), `one epoch of training gives ${net.layers[0].W[0]}, the step shows ${after.value}`);
  });

  it('softmax + cross-entropy shows the output delta in its simple form y - a, with the numbers', () => {
    const text = fs.readFileSync(path.join(EXAMPLES, 'spiral.net.json'), 'utf8');
    const { steps, engine } = stepsFor(text, path.join(EXAMPLES, 'spiral.net.json'), 4);
    const step = steps.find((s) => s.id === 'output-delta')!;
    assert.equal(step.general[0], '\\Delta_k = y_k - a_k');
    const L = engine.delta.length - 1;
    for (const line of step.lines) {
      const get = (q: string): Shown => line.shown.find((s) => s.quantity === q)!;
      assert.equal(get('t').value - get('out').value, get('Delta').value);
      assert.equal(get('Delta').value, -engine.delta[L][line.unit]);
      assert.ok(line.latex.includes(`${formatLatex(get('t').value)} - `), line.latex);
      assert.ok(!line.shown.some((s) => s.quantity === 'fprime'), 'no g\' factor in the simple form');
    }
  });
});
