/**
 * The debug worker's controller in-process: inline values per layer (the engine's norms), and
 * values this batch has not computed yet are refused with a message, not shown stale.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkStage } from '../../../src/engine/debug/checks';
import { formatNumber } from '../../../src/shared/format';
import { DebugRun, stageName } from '../../../src/engine/debug/run';
import { loadNet, networkFor } from '../../../src/engine/load';
import { DebugController, MAX_HEATMAP_ENTRIES } from '../../../src/extension/debug/controller';
import type { DebugEvent, MatrixSource, ResumeHow, VarRef } from '../../../src/extension/debug/protocol';
import { Trainer } from '../../../src/engine/trainer';
import { traceView } from '../../../src/extension/worker/views';
import { Replayer, trainerForRecord } from '../../../src/engine/runs';
import { networkLossAndGradient, type OracleActivation, type OracleLoss } from '../oracle/autograd';

const root = path.resolve(__dirname, '../../../..');
const file = path.join(root, 'test', 'fixtures', 'debug', 'xor.net.json');
const text = fs.readFileSync(file, 'utf8');

function norm(a: Float64Array): number {
  return Math.sqrt(a.reduce((s, x) => s + x * x, 0));
}

describe('debug: the worker\'s controller', () => {
  let events: DebugEvent[];
  let c: DebugController;
  beforeEach(() => {
    events = [];
    c = new DebugController((e) => events.push(e));
    c.request('launch', { file, text, stopOnEntry: true }); // stops after forward layer 1
  });

  it('stops on entry after the first stage, and gives inline values: ‖W‖ of each layer, then the mean output and ‖dW‖ once computed', () => {
    assert.deepEqual(events.map((e) => e.type === 'stopped' && [e.reason, e.position.stage]), [['entry', 'forward layer 1']]);
    const loaded = loadNet(text, file);
    assert.ok(loaded.spec);
    const net = networkFor(loaded.spec, 'exact');
    const inline = c.request('inline', {});
    assert.equal(inline.length, 2);
    assert.equal(inline[1].text, `‖W‖ ${formatNumber(norm(net.layers[1].W))}`); // layer 2: nothing computed yet
    assert.match(inline[0].text, new RegExp(`^‖W‖ ${formatNumber(norm(net.layers[0].W))} · mean output -?[0-9.e-]+$`));
  });

  it('the NaN/Infinity filter stops at the very stage where the first non-finite value appears (as scanning every stage finds it)', async () => {
    // linear layers and a huge learning rate: after the first update the second layer's net input overflows
    const bad = text.replace('"learningRate": 0.5', '"learningRate": 1e308').replace('"sigmoid"', '"linear"').replace('"tanh"', '"linear"');
    // oracle: a fresh run, every stage scanned
    const loaded = loadNet(bad, file);
    assert.ok(loaded.spec && loaded.train);
    const run = new DebugRun(networkFor(loaded.spec, 'exact'), loaded.train, loaded.spec.training, loaded.spec.seed);
    let expected: string | undefined;
    for (let i = 0; i < 1000 && expected === undefined; i++) {
      run.step();
      const f = checkStage(run, { nan: 0 });
      if (f !== undefined) expected = `${run.position.epoch}.${run.position.batch} ${stageName(run.position.stage)} ${f.what}`;
    }
    assert.equal(expected, '1.2 forward layer 2 NaN in the net input'); // (before the loss: found by going back over the batch)
    const seen: DebugEvent[] = [];
    const stopped = new Promise<void>((resolve) => {
      const c2 = new DebugController((e) => {
        seen.push(e);
        if (e.type === 'stopped' || e.type === 'ended') resolve();
      });
      c2.request('launch', { file, text: bad, stopOnEntry: false });
      c2.request('setFilters', { filters: { nan: 0 } });
      c2.request('resume', { how: 'continue' });
    });
    await stopped;
    const stop = seen.find((e) => e.type === 'stopped');
    assert.ok(stop && stop.type === 'stopped');
    assert.equal(`${stop.position.epoch}.${stop.position.batch} ${stop.position.stage} ${stop.description.replace(/ \(layer.*$/, '')}`, expected);
  });

  it('the NaN/Infinity filter catches an infinite net input whose output stays finite (a saturated tanh) while running, as when stepping', async () => {
    // w^1_{1,1} = w^1_{1,2} = 1e308: sample (1, 1) gives net = 2e308 = Infinity, tanh(Infinity) = 1,
    // then f' = 0, delta = 0, dW finite: the loss and the weights never see it
    const bad = text
      .replace('{ "units": 3, "activation": "tanh" }', '{ "units": 3, "activation": "tanh", "weights": [[1e308, 1e308], [0.5, -0.5], [0.25, 0.75]], "biases": [0, 0, 0] }')
      .replace('"shuffle": true', '"shuffle": false')
      .replace('"batchSize": 3', '"batchSize": 4');
    assert.notEqual(bad, text);
    // oracle: a fresh run, every stage scanned (what Step Into finds)
    const loaded = loadNet(bad, file);
    assert.ok(loaded.spec && loaded.train);
    const run = new DebugRun(networkFor(loaded.spec, 'exact'), loaded.train, loaded.spec.training, loaded.spec.seed);
    run.step();
    const f = checkStage(run, { nan: 0 });
    assert.ok(f);
    assert.equal(`${run.position.epoch}.${run.position.batch} ${stageName(run.position.stage)} ${f.what} sample ${f.sample}`, '1.1 forward layer 1 Infinity in the net input sample 3');
    assert.equal(run.net.batch(4).out[1][9], 1); // the output is finite
    const ran = async (how: 'continue' | 'next' | 'stepOut'): Promise<DebugEvent[]> => {
      const seen: DebugEvent[] = [];
      await new Promise<void>((resolve) => {
        const c2 = new DebugController((e) => {
          seen.push(e);
          if (e.type === 'stopped' || e.type === 'ended') resolve();
        });
        c2.request('launch', { file, text: bad, stopOnEntry: false });
        c2.request('setFilters', { filters: { nan: 0 } });
        c2.request('resume', { how });
      });
      return seen;
    };
    for (const how of ['continue', 'next', 'stepOut'] as const) {
      const stop = (await ran(how)).find((e) => e.type === 'stopped' || e.type === 'ended');
      assert.ok(stop && stop.type === 'stopped', `${how}: ${JSON.stringify(stop)}`);
      assert.equal(stop.reason, 'exception');
      assert.equal(`${stop.position.epoch}.${stop.position.batch} ${stop.position.stage} ${stop.description}`, '1.1 forward layer 1 Infinity in the net input (layer 1, unit 1, sample 4)');
    }
  });

  it('refuses values this batch has not computed yet, naming the stage', () => {
    assert.throws(() => c.request('evaluate', { expression: 'norm(dW)', layer: 1, context: 'watch' }), /dW of layer 1 is not computed yet in this batch \(the run is at forward layer 1\)/);
    assert.throws(() => c.request('evaluate', { expression: 'out', layer: 2, context: 'watch' }), /not computed yet/);
    const ok = c.request('evaluate', { expression: 'sum(out)', layer: 1, context: 'watch' });
    assert.equal(ok.type, 'number');
    const layer2 = c.request('variables', { ref: { kind: 'scope', scope: 'layer', layer: 2 } });
    assert.deepEqual(layer2.filter((v) => v.value.startsWith('(not computed')).map((v) => v.name), ['net input', 'output', 'delta', 'dW', 'db']);
  });

  it('reads a data file outside the network\'s folder only when the launch allows it (backprop.data.allowOutsideFolder)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-debug-outside-'));
    try {
      fs.mkdirSync(path.join(dir, 'net'));
      fs.writeFileSync(path.join(dir, 'xor.csv'), 'a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n');
      const outside = path.join(dir, 'net', 'xor.net.json');
      const csvText = text.replace(/"data": \{[^\n]*\}/, '"data": { "file": "../xor.csv", "inputs": ["a", "b"], "targets": ["y"] }');
      assert.notEqual(csvText, text);
      const d = new DebugController(() => undefined);
      assert.throws(() => d.request('launch', { file: outside, text: csvText, stopOnEntry: true }), /outside the folder of the \.net\.json file/);
      assert.throws(() => d.request('launch', { file: outside, text: csvText, stopOnEntry: true, allowOutside: false }), /outside the folder/);
      const info = d.request('launch', { file: outside, text: csvText, stopOnEntry: true, allowOutside: true });
      assert.equal(info.layers, loadNet(text, file).spec?.layers.length);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  /** Resumes and waits for the next stop (or the end). */
  function resume(d: DebugController, seen: DebugEvent[], how: ResumeHow): Promise<DebugEvent> {
    const n = seen.length;
    d.request('resume', { how });
    return new Promise((resolve) => {
      const poll = (): void => {
        const e = seen.slice(n).find((x) => x.type === 'stopped' || x.type === 'ended');
        if (e !== undefined) resolve(e);
        else setImmediate(poll);
      };
      poll();
    });
  }

  function oracleTrainer(t = text): Trainer {
    const loaded = loadNet(t, file);
    assert.ok(loaded.spec && loaded.train);
    return new Trainer(networkFor(loaded.spec, 'exact'), loaded.train, loaded.spec.training, loaded.spec.seed, loaded.validation);
  }

  it('inspect: THE snapshot of the stopped run (weights, full-set gradient, last update, epoch, losses, boundary), without touching the stopped batch', async () => {
    const seen: DebugEvent[] = [];
    const d = new DebugController((e) => seen.push(e));
    d.request('launch', { file, text, stopOnEntry: true });
    await resume(d, seen, 'stepOut'); // the end of epoch 1
    await resume(d, seen, 'stepIn'); // epoch 2, batch 1, forward layer 1
    const before = d.request('variables', { ref: { kind: 'matrix', source: { of: 'layer', layer: 1, name: 'net' } } }).map((v) => v.value);
    const { network, boundary, history } = d.request('inspect', { boundarySize: 8 });
    // oracle: the Trainer's first epoch, and the independent autograd's full-set gradient at its weights
    const t = oracleTrainer();
    const stats = t.runEpoch();
    assert.equal(network.epoch, 1);
    assert.deepEqual(history, [{ epoch: 1, loss: stats.loss }]);
    assert.equal(network.learningRate, 0.5);
    const sizes = t.net.sizes;
    const layers = t.net.layers.map((l) => ({
      activation: l.activation as OracleActivation,
      weights: Array.from({ length: l.units }, (_, j) => Array.from(l.W.subarray(j * l.inputs, (j + 1) * l.inputs))),
      biases: Array.from(l.b),
    }));
    const g = networkLossAndGradient(layers, t.net.loss as OracleLoss, t.train.inputs.map((x) => Array.from(x)), t.train.targets.map((y) => Array.from(y)), 0);
    network.layers.forEach((l, i) => {
      assert.deepEqual(l.W, Array.from(t.net.layers[i].W), `W of layer ${i + 1}`);
      assert.deepEqual(l.b, Array.from(t.net.layers[i].b));
      assert.deepEqual(l.uW, Array.from(t.lastUpdate(i + 1).W), `last update of layer ${i + 1}`);
      const dW = l.dW ?? [];
      assert.equal(dW.length, sizes[i] * sizes[i + 1]);
      dW.forEach((x, n) => assert.ok(Math.abs(x - g.gradW[i][Math.floor(n / sizes[i])][n % sizes[i]]) <= 1e-12 * Math.max(1, Math.abs(x)), `dW[${n}] of layer ${i + 1}: ${x}`));
    });
    assert.ok(boundary);
    assert.equal(boundary.values.length, 64);
    // the stopped batch's own values are as they were (the snapshot ran on a copy)
    assert.deepEqual(d.request('variables', { ref: { kind: 'matrix', source: { of: 'layer', layer: 1, name: 'net' } } }).map((v) => v.value), before);
    assert.equal(d.request('stack', {}).position.stage, 'forward layer 1');
    // a matrix for "Open as Heatmap": every entry; a value not computed at this stage is refused
    const W2 = d.request('matrix', { source: { of: 'layer', layer: 2, name: 'W' } });
    assert.deepEqual([W2.rows, W2.cols, W2.values], [1, 3, Array.from(t.net.layers[1].W)]);
    assert.throws(() => d.request('matrix', { source: { of: 'layer', layer: 2, name: 'delta' } }), /not computed yet in this batch \(the run is at forward layer 1\)/);
  });

  it('trace: a sample\'s pass at the weights of the last inspect (the stop the inspector shows), also once the run went on', async () => {
    const seen: DebugEvent[] = [];
    const d = new DebugController((e) => seen.push(e));
    d.request('launch', { file, text, stopOnEntry: true });
    await resume(d, seen, 'stepOut'); // the end of epoch 1
    d.request('inspect', { boundarySize: 8 });
    const atStop = d.request('trace', { sample: 1 });
    // oracle: the Trainer after one epoch
    const t = oracleTrainer();
    t.runEpoch();
    const expected = traceView(t.net, t.train, 1, 0.5);
    assert.deepEqual(atStop, expected);
    // the run goes on (to its end): the inspector still shows the epoch-1 stop, and so does a trace
    assert.equal((await resume(d, seen, 'continue')).type, 'ended');
    t.runEpoch();
    assert.notDeepEqual(traceView(t.net, t.train, 1, 0.5).W, expected.W, 'the weights moved on');
    assert.deepEqual(d.request('trace', { sample: 1 }), expected);
  });

  it('record: the path that ended in the current state (after Step Back: the state stepped back to), with a mid-epoch learning rate that replays exactly', async () => {
    const seen: DebugEvent[] = [];
    const d = new DebugController((e) => seen.push(e));
    d.request('launch', { file, text, stopOnEntry: true });
    for (let i = 0; i < 3; i++) await resume(d, seen, 'stepOut'); // the end of epoch 3
    await resume(d, seen, 'stepBack'); // back into epoch 3
    const back = d.request('record', { file, text, now: 0 });
    assert.ok(back);
    const t = oracleTrainer();
    const losses = [t.runEpoch().loss, t.runEpoch().loss];
    assert.deepEqual([back.source, back.end, back.epochs, back.curve.map((p) => p.loss)], ['debugger', 'stopped', 2, losses]);
    assert.deepEqual(Array.from(back.snapshots[back.snapshots.length - 1].state.parameters), Array.from(t.checkpoint().parameters));
    assert.equal(d.request('stack', {}).position.stage, 'backward layer 1'); // recording left the run where it stood

    // a fresh session: the learning rate set in the middle of epoch 2, then run to the end
    const seen2: DebugEvent[] = [];
    const d2 = new DebugController((e) => seen2.push(e));
    d2.request('launch', { file, text, stopOnEntry: true });
    await resume(d2, seen2, 'stepOut');
    await resume(d2, seen2, 'next'); // epoch 2, after batch 1 (of 2)
    d2.request('evaluate', { expression: 'lr = 0.1', layer: 0, context: 'repl' });
    assert.equal((await resume(d2, seen2, 'continue')).type, 'ended');
    const rec = d2.request('record', { file, text, now: 0 });
    assert.ok(rec);
    assert.deepEqual([rec.end, rec.epochs, rec.learningRates], ['done', 4, [{ epoch: 2, learningRate: 0.1 }]]);
    assert.ok(rec.snapshots.some((x) => x.epoch === 2), 'a snapshot at the end of the epoch the rate changed in');
    // the Runs store's replay (a Trainer, whole epochs) from the epoch-2 snapshot reaches the debugger's final weights
    const replay = new Replayer({ ...rec, snapshots: rec.snapshots.filter((x) => x.epoch <= 2) }, trainerForRecord(rec));
    const state = replay.stateAt(4);
    const W1 = d2.request('matrix', { source: { of: 'layer', layer: 1, name: 'W' } }).values;
    assert.deepEqual(Array.from(state.parameters.subarray(0, W1.length)), W1);
    assert.equal(replay.replayedEpochs, 2);
  });

  it('matrix ("Open as Heatmap") gives every entry Variables show, for W, dW, delta, net input, output, the batch\'s inputs and outputs, Adam\'s m and v', async () => {
    const adam = text.replace('"optimizer": "momentum"', '"optimizer": "adam"').replace('"learningRate": 0.5', '"learningRate": 0.01');
    const seen: DebugEvent[] = [];
    const d = new DebugController((e) => seen.push(e));
    d.request('launch', { file, text: adam, stopOnEntry: true });
    await resume(d, seen, 'stepOut'); // after epoch 1's updates: Adam's m and v are not zero; then epoch 2's first batch (3 samples)
    while (d.request('stack', {}).position.stage !== 'backward layer 1') await resume(d, seen, 'stepIn');
    const shown = (source: MatrixSource): number[] => {
      const rows = d.request('variables', { ref: { kind: 'matrix', source } });
      const entries = rows.every((r) => r.ref === undefined) ? rows : rows.flatMap((r) => d.request('variables', { ref: r.ref as VarRef }));
      return entries.map((e) => Number(e.value));
    };
    const sources: MatrixSource[] = [
      ...['W', 'dW', 'delta', 'net', 'out'].map((name): MatrixSource => ({ of: 'layer', layer: 1, name })),
      { of: 'batch', name: 'inputs' },
      { of: 'batch', name: 'outputs' },
      { of: 'optimizer', layer: 1, name: 'm W' },
      { of: 'optimizer', layer: 2, name: 'v b' },
    ];
    for (const source of sources) {
      const m = d.request('matrix', { source });
      assert.equal(m.values.length, m.rows * m.cols);
      assert.deepEqual(m.values, shown(source), JSON.stringify(source));
      assert.ok(m.values.some((x) => x !== 0), `${JSON.stringify(source)} is not all zero`);
    }
  });

  it('matrix refuses a matrix too large to draw as a heatmap, naming its size', () => {
    const big = text
      .replace('{ "units": 3, "activation": "tanh" }', '{ "units": 64, "activation": "tanh" }')
      .replace('{ "units": 1, "activation": "sigmoid" }', '{ "units": 2, "activation": "softmax" }')
      .replace('"half-squared-error"', '"cross-entropy"')
      .replace('"batchSize": 3', '"batchSize": 2000')
      .replace(/"data": \{[^\n]*\}/, '"data": { "generator": "gauss", "samples": 2000 }');
    assert.notEqual(big, text);
    const d = new DebugController(() => undefined);
    d.request('launch', { file, text: big, stopOnEntry: true }); // after forward layer 1: net input is 2000 x 64
    assert.throws(() => d.request('matrix', { source: { of: 'layer', layer: 1, name: 'net' } }), new RegExp(`^Error: 2000x64 = 128000 entries: too many to draw as a heatmap \\(at most ${MAX_HEATMAP_ENTRIES}\\)`));
    assert.equal(d.request('matrix', { source: { of: 'layer', layer: 1, name: 'W' } }).values.length, 128);
  });
});
