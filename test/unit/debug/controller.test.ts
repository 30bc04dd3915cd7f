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
import { DebugController } from '../../../src/extension/debug/controller';
import type { DebugEvent } from '../../../src/extension/debug/protocol';

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
});
