/**
 * The `backprop` debug adapter as its own process (dist/debugAdapter.js), driven over the Debug
 * Adapter Protocol with DebugClient: breakpoints on layer lines, the call stack, variables,
 * stepping, evaluate, the learning rate, exception filters, pause, time travel. Numbers are
 * checked against the engine's Network and Trainer run independently (not the debugger's code).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { DivergenceError } from '../../../src/engine/errors';
import { loadNet, networkFor } from '../../../src/engine/load';
import { Rng } from '../../../src/engine/rng';
import { Trainer } from '../../../src/engine/trainer';
import type { Dataset, NetSpec } from '../../../src/engine/spec';

const root = path.resolve(__dirname, '../../../..');
const adapter = path.join(root, 'dist', 'debugAdapter.js');
const fixture = fs.readFileSync(path.join(root, 'test', 'fixtures', 'debug', 'xor.net.json'), 'utf8');
// lines of the fixture: layers[1] on 7, layers[2] on 8, "training" on 11
const LAYER1 = 7;
const LAYER2 = 8;
const TRAINING = 11;

let dir: string;
function variant(name: string, edit: (text: string) => string = (t) => t): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, edit(fixture));
  return file;
}

function load(file: string): { spec: NetSpec; train: Dataset } {
  const r = loadNet(fs.readFileSync(file, 'utf8'), file);
  if (r.spec === undefined || r.train === undefined) throw new Error('fixture does not load');
  return { spec: r.spec, train: r.train };
}

/** The matrix W (or dW) the engine computes, as the strings the debugger must show. */
function rowsOf(a: Float64Array, cols: number): string[][] {
  const out: string[][] = [];
  for (let r = 0; r < a.length / cols; r++) out.push(Array.from(a.subarray(r * cols, (r + 1) * cols), (x) => String(x)));
  return out;
}

async function variablesOf(dc: DebugClient, ref: number, start?: number, count?: number): Promise<DebugProtocol.Variable[]> {
  return (await dc.variablesRequest({ variablesReference: ref, start, count })).body.variables;
}

async function scope(dc: DebugClient, frameIndex: number, name: string): Promise<DebugProtocol.Variable[]> {
  const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
  const scopes = (await dc.scopesRequest({ frameId: frames[frameIndex].id })).body.scopes;
  const s = scopes.find((x) => x.name === name);
  assert.ok(s, `scope ${name} among ${scopes.map((x) => x.name).join(', ')}`);
  return variablesOf(dc, s.variablesReference);
}

/** Every entry of a matrix variable, expanded row by row through the adapter. */
async function matrixOf(dc: DebugClient, v: DebugProtocol.Variable): Promise<string[][]> {
  assert.ok(v.variablesReference > 0, `${v.name} expands`);
  const rows = await variablesOf(dc, v.variablesReference);
  assert.equal(v.indexedVariables, rows.length);
  if (rows.every((r) => r.variablesReference === 0)) return [rows.map((r) => r.value)]; // a 1 x n matrix: its entries
  return Promise.all(rows.map(async (r) => (await variablesOf(dc, r.variablesReference)).map((e) => e.value)));
}

function byName(vars: DebugProtocol.Variable[], name: string): DebugProtocol.Variable {
  const v = vars.find((x) => x.name === name);
  assert.ok(v, `${name} among ${vars.map((x) => x.name).join(', ')}`);
  return v;
}

async function stopped(dc: DebugClient, reason: string): Promise<DebugProtocol.StoppedEvent> {
  const e = (await dc.waitForEvent('stopped', 10000)) as DebugProtocol.StoppedEvent;
  assert.equal(e.body.reason, reason, `stopped for ${e.body.reason}: ${e.body.description ?? ''} ${e.body.text ?? ''}`);
  return e;
}

async function startOnEntry(dc: DebugClient, program: string): Promise<void> {
  const stop = stopped(dc, 'entry');
  const initialized = dc.waitForEvent('initialized');
  const launched = dc.launch({ program, stopOnEntry: true });
  await initialized;
  await dc.configurationDoneRequest();
  await Promise.all([launched, stop]);
}

async function startAt(dc: DebugClient, program: string, breakpoints: DebugProtocol.SourceBreakpoint[], filters: DebugProtocol.ExceptionFilterOptions[] = [{ filterId: 'nan' }]): Promise<void> {
  const init = dc.waitForEvent('initialized').then(async () => {
    const r = await dc.setBreakpointsRequest({ source: { path: program }, breakpoints });
    assert.ok(r.body.breakpoints.every((b) => b.verified), JSON.stringify(r.body.breakpoints));
    await dc.setExceptionBreakpointsRequest({ filters: [], filterOptions: filters });
    await dc.configurationDoneRequest();
  });
  await Promise.all([init, dc.launch({ program })]);
}

describe('debug: the adapter over DAP (DebugClient, dist/debugAdapter.js)', function () {
  this.timeout(30000);
  let dc: DebugClient;

  before(function () {
    assert.ok(fs.existsSync(adapter), 'dist/debugAdapter.js is missing: run `npm run build` first');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backprop-debug-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  beforeEach(async () => {
    dc = new DebugClient('node', adapter, 'backprop');
    await dc.start();
  });
  afterEach(async () => {
    await dc.stop();
  });

  it('initialize announces step back, conditions, hit counts, logpoints, data breakpoints and the five exception filters (NaN on)', async () => {
    const r = await dc.initializeRequest();
    const c = r.body ?? {};
    assert.equal(c.supportsStepBack, true);
    assert.equal(c.supportsConditionalBreakpoints, true);
    assert.equal(c.supportsHitConditionalBreakpoints, true);
    assert.equal(c.supportsLogPoints, true);
    assert.equal(c.supportsDataBreakpoints, true);
    assert.deepEqual((c.exceptionBreakpointFilters ?? []).map((f) => [f.filter, f.default === true]), [
      ['nan', true], ['vanishing', false], ['exploding', false], ['deadRelu', false], ['lossIncreased', false],
    ]);
  });

  it('a breakpoint on layer 1\'s line stops after its backward pass; the stack is layer > batch > epoch on the file\'s lines; dW is the engine\'s gradient of that batch', async () => {
    const program = variant('bp.net.json');
    const stop = stopped(dc, 'breakpoint');
    await startAt(dc, program, [{ line: LAYER1 }]);
    const e = await stop;
    assert.deepEqual(e.body.hitBreakpointIds, [1]);
    const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    assert.deepEqual(frames.map((f) => [f.name, f.line, path.basename(f.source?.path ?? '')]), [
      ['layer 1 (backward)', LAYER1, 'bp.net.json'],
      ['batch 1 of 2', TRAINING, 'bp.net.json'],
      ['epoch 1 of 4', TRAINING, 'bp.net.json'],
    ]);
    // oracle: the first batch of the shuffled order, its gradient by Network.lossAndGradient
    const { spec, train } = load(program);
    const order = [0, 1, 2, 3];
    new Rng(spec.seed, 'shuffle').shuffle(order);
    const net = networkFor(spec, 'exact');
    const loss = net.lossAndGradient(train.inputs, train.targets, 0, order.slice(0, 3));
    const layer = await scope(dc, 0, 'Layer 1');
    assert.deepEqual(await matrixOf(dc, byName(layer, 'dW')), rowsOf(net.layers[0].dW, 2));
    assert.deepEqual(await matrixOf(dc, byName(layer, 'W')), rowsOf(net.layers[0].W, 2));
    assert.match(byName(layer, 'W').value, /^3x2 ‖·‖ [0-9.]+ min -?[0-9.e-]+ max -?[0-9.e-]+$/);
    const batch = await scope(dc, 0, 'Batch');
    assert.equal(byName(batch, 'loss').value, String(loss));
    assert.equal(byName(batch, 'samples').value, order.slice(0, 3).map((i) => i + 1).join(', '));
    // Watch / repl: the same language, at the frame's layer
    const frames2 = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    const norm = await dc.evaluateRequest({ expression: 'norm(dW)', frameId: frames2[0].id, context: 'watch' });
    const g = net.layers[0].dW;
    assert.equal(Number(norm.body.result), Math.sqrt(g.reduce((s, x) => s + x * x, 0)));
    const w12 = await dc.evaluateRequest({ expression: 'w[1][2]', frameId: frames2[0].id, context: 'repl' });
    assert.equal(w12.body.result, String(net.layers[0].weight(0, 1)));
  });

  it('Step Into = next stage, Step Over = next batch, Step Out = end of the epoch; W at the epoch\'s end is the Trainer\'s', async () => {
    const program = variant('steps.net.json');
    const stop = stopped(dc, 'breakpoint');
    await startAt(dc, program, [{ line: LAYER2 }]);
    await stop;
    let frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    assert.deepEqual([frames[0].name, frames[0].line], ['layer 2 (backward)', LAYER2]);
    await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [] });
    await Promise.all([dc.stepInRequest({ threadId: 1 }), stopped(dc, 'step')]);
    frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    assert.deepEqual([frames[0].name, frames[0].line], ['layer 1 (backward)', LAYER1]);
    await Promise.all([dc.stepInRequest({ threadId: 1 }), stopped(dc, 'step')]);
    frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    assert.deepEqual([frames[0].name, frames[0].line, frames[1].name], ['update', TRAINING, 'batch 1 of 2']);
    await Promise.all([dc.nextRequest({ threadId: 1 }), stopped(dc, 'step')]);
    frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    assert.deepEqual(frames.map((f) => f.name), ['update', 'batch 2 of 2', 'epoch 1 of 4']);
    await Promise.all([dc.stepOutRequest({ threadId: 1 }), stopped(dc, 'step')]);
    frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    assert.deepEqual(frames.map((f) => f.name), ['update', 'batch 2 of 2', 'epoch 2 of 4']);
    const { spec, train } = load(program);
    const net = networkFor(spec, 'exact');
    const trainer = new Trainer(net, train, spec.training, spec.seed);
    const stats = trainer.run(2);
    const updateFrame = await scope(dc, 0, 'Layer 2');
    assert.deepEqual(await matrixOf(dc, byName(updateFrame, 'W')), rowsOf(net.layers[1].W, 3));
    const run = await scope(dc, 0, 'Run');
    assert.equal(byName(run, 'epoch loss').value, String(stats[1].loss));
    assert.deepEqual(await matrixOf(dc, byName(run, 'losses')), [stats.map((s) => String(s.loss))]);
    // the optimizer's state: momentum's v is the last update
    const opt = await scope(dc, 0, 'Optimizer');
    const layer1 = await variablesOf(dc, byName(opt, 'layer 1').variablesReference);
    assert.deepEqual(await matrixOf(dc, byName(layer1, 'v (W)')), rowsOf(trainer.lastUpdate(1).W, 2));
  });

  it('a conditional breakpoint (epoch == 3) with a hit count, and a logpoint that prints without stopping', async () => {
    const program = variant('cond.net.json');
    const logged: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => {
      if (e.body.category === 'console' && e.body.output.startsWith('e')) logged.push(e.body.output.trim());
    });
    const stop = stopped(dc, 'breakpoint');
    await startAt(dc, program, [{ line: LAYER1, condition: 'epoch == 3', hitCondition: '2' }, { line: LAYER2, logMessage: 'e{epoch}b{batch}' }]);
    await stop;
    const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    assert.deepEqual(frames.map((f) => f.name), ['layer 1 (backward)', 'batch 2 of 2', 'epoch 3 of 4']); // the 2nd hit in epoch 3
    assert.deepEqual(logged, ['e1b1', 'e1b2', 'e2b1', 'e2b2', 'e3b1', 'e3b2']);
  });

  it('a syntax error in a condition is an unverified breakpoint with the column; in the console an error reply, and the adapter goes on', async () => {
    const program = variant('syntax.net.json');
    const initialized = dc.waitForEvent('initialized');
    const launched = dc.launch({ program, stopOnEntry: true });
    await initialized;
    const init = await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: LAYER1, condition: 'norm(dW < 1' }, { line: 6 }] });
    assert.equal(init.body.breakpoints[0].verified, false);
    assert.match(init.body.breakpoints[0].message ?? '', /column 12/);
    assert.equal(init.body.breakpoints[1].verified, false, 'the input layer takes no breakpoint');
    await Promise.all([dc.configurationDoneRequest(), stopped(dc, 'entry'), launched]);
    await assert.rejects(dc.evaluateRequest({ expression: 'loss >', context: 'repl' }), /ends too early \(column 7\)/);
    const ok = await dc.evaluateRequest({ expression: '1 + 2 * 3', context: 'repl' });
    assert.equal(ok.body.result, '7');
  });

  it('lr = 0.1 in the Debug Console sets the learning rate: the run continues as a Trainer with 0.1', async () => {
    const program = variant('lr.net.json');
    const stop = stopped(dc, 'breakpoint');
    await startAt(dc, program, [{ line: LAYER1 }]);
    await stop;
    const set = await dc.evaluateRequest({ expression: 'lr = 0.1', context: 'repl' });
    assert.equal(set.body.result, '0.1');
    assert.equal(byName(await scope(dc, 0, 'Run'), 'learning rate').value, '0.1');
    await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [] });
    await Promise.all([dc.stepOutRequest({ threadId: 1 }), stopped(dc, 'step')]);
    const { spec, train } = load(program);
    const net = networkFor(spec, 'exact');
    new Trainer(net, train, { ...spec.training, learningRate: 0.1 }, spec.seed).run(1);
    assert.deepEqual(await matrixOf(dc, byName(await scope(dc, 0, 'Layer 1'), 'W')), rowsOf(net.layers[0].W, 2));
    await assert.rejects(dc.evaluateRequest({ expression: 'lr = -1', context: 'repl' }), /positive finite/);
    // the same from Variables: "learning rate" in the Run scope is editable
    const runScope = (await dc.scopesRequest({ frameId: (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0].id })).body.scopes.find((x) => x.name === 'Run');
    assert.ok(runScope);
    const edited = await dc.setVariableRequest({ variablesReference: runScope.variablesReference, name: 'learning rate', value: '0.25' });
    assert.equal(edited.body.value, '0.25');
    assert.equal(byName(await scope(dc, 0, 'Run'), 'learning rate').value, '0.25');
  });

  it('the NaN filter stops where Infinity first appears and names the layer, the parameter and the sample', async () => {
    const program = variant('nan.net.json', (t) => t.replace('"learningRate": 0.5', '"learningRate": 1e308').replace('"sigmoid"', '"linear"'));
    const stop = stopped(dc, 'exception');
    await startAt(dc, program, []);
    const e = await stop;
    assert.match(e.body.text ?? '', /^-?(Infinity|NaN) (in .*|loss) \(layer \d+, (w\^\d+_\{\d+,\d+\}|b\^\d+_\{\d+\}|unit \d+), sample \d\)$/);
    // the same batch where the Trainer finds its divergence
    const { spec, train } = load(program);
    let divergence: DivergenceError | undefined;
    try {
      new Trainer(networkFor(spec, 'exact'), train, spec.training, spec.seed).run();
    } catch (err) {
      if (err instanceof DivergenceError) divergence = err;
    }
    assert.ok(divergence);
    const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    assert.deepEqual(frames.slice(1).map((f) => f.name), [`batch ${divergence.batch} of 2`, `epoch ${divergence.epoch} of 4`]);
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.equal(info.body.description, e.body.text);
  });

  it('pause stops at the next batch boundary; continue runs to the end and terminates', async () => {
    const program = variant('pause.net.json', (t) => t.replace('"epochs": 4', '"epochs": 200000'));
    await startAt(dc, program, []);
    await new Promise((r) => setTimeout(r, 200));
    await Promise.all([dc.pauseRequest({ threadId: 1 }), stopped(dc, 'pause')]);
    const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    assert.equal(frames[0].name, 'update');
    const short = variant('end.net.json');
    await dc.stop();
    dc = new DebugClient('node', adapter, 'backprop');
    await dc.start();
    await Promise.all([startAt(dc, short, []), dc.waitForEvent('terminated', 10000)]);
  });

  it('Step Back lands on exactly the earlier state (bit for bit); Reverse Continue returns to the previous breakpoint hit', async () => {
    const program = variant('back.net.json');
    const stop = stopped(dc, 'breakpoint');
    await startAt(dc, program, [{ line: LAYER1, condition: 'batch == 2' }]);
    await stop;
    const snapshot = async (): Promise<string[][][]> => {
      const layer = await scope(dc, 0, 'Layer 1');
      return [await matrixOf(dc, byName(layer, 'W')), await matrixOf(dc, byName(layer, 'dW')), await matrixOf(dc, byName(layer, 'delta'))];
    };
    const names = async (): Promise<string[]> => (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames.map((f) => f.name);
    const at = await names();
    const before = await snapshot();
    await Promise.all([dc.stepInRequest({ threadId: 1 }), stopped(dc, 'step')]); // the update
    await Promise.all([dc.stepInRequest({ threadId: 1 }), stopped(dc, 'step')]); // next epoch, forward 1
    const W1 = byName(await scope(dc, 0, 'Layer 1'), 'W');
    assert.notDeepEqual(await matrixOf(dc, W1), before[0]);
    await Promise.all([dc.stepBackRequest({ threadId: 1 }), stopped(dc, 'step')]);
    await Promise.all([dc.stepBackRequest({ threadId: 1 }), stopped(dc, 'step')]);
    assert.deepEqual(await names(), at);
    assert.deepEqual(await snapshot(), before);
    // on to the next hit (epoch 2), then back to this one
    await Promise.all([dc.continueRequest({ threadId: 1 }), stopped(dc, 'breakpoint')]);
    assert.deepEqual(await names(), ['layer 1 (backward)', 'batch 2 of 2', 'epoch 2 of 4']);
    await Promise.all([dc.reverseContinueRequest({ threadId: 1 }), stopped(dc, 'breakpoint')]);
    assert.deepEqual(await names(), at);
    assert.deepEqual(await snapshot(), before);
  });

  it('a data breakpoint on one weight stops when one update changes it by more than a threshold', async () => {
    const program = variant('data.net.json');
    await startOnEntry(dc, program);
    const W = byName(await scope(dc, 0, 'Layer 1'), 'W');
    const row1 = (await variablesOf(dc, W.variablesReference))[0];
    const info = await dc.dataBreakpointInfoRequest({ variablesReference: row1.variablesReference, name: '[2]' });
    assert.ok(info.body.dataId, info.body.description);
    const notAWeight = await dc.dataBreakpointInfoRequest({ variablesReference: W.variablesReference, name: '[1]' });
    assert.equal(notAWeight.body.dataId, null);
    const set = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId, condition: '> 0' }] });
    assert.deepEqual(set.body.breakpoints.map((b) => b.verified), [true]);
    const [, e] = await Promise.all([dc.continueRequest({ threadId: 1 }), stopped(dc, 'data breakpoint')]);
    // oracle: the first batch's momentum step, u = 0.9·0 - lr·g, on w^1_{1,2}
    const { spec, train } = load(program);
    const order = [0, 1, 2, 3];
    new Rng(spec.seed, 'shuffle').shuffle(order);
    const net = networkFor(spec, 'exact');
    const before = net.layers[0].weight(0, 1);
    net.lossAndGradient(train.inputs, train.targets, 0, order.slice(0, 3));
    const after = before + (0.9 * 0 - 0.5 * net.layers[0].dW[1]);
    assert.equal(e.body.description, `w^1_{1,2} changed by more than 0: ${before} → ${after}`);
  });

  it('a data breakpoint on sign changes stops at the first update that flips the weight\'s sign (full batches: the Trainer\'s epochs)', async () => {
    const program = variant('sign.net.json', (t) => t.replace('"batchSize": 3', '"batchSize": 4').replace('"epochs": 4', '"epochs": 300'));
    // oracle: the Trainer epoch by epoch (one update each); the first weight of layer 1 that flips, and when
    const { spec, train } = load(program);
    const net = networkFor(spec, 'exact');
    const trainer = new Trainer(net, train, spec.training, spec.seed);
    const start = Array.from(net.layers[0].W);
    let flip: { index: number; epoch: number; before: number; after: number } | undefined;
    const last = start.slice();
    for (let e = 1; e <= 300 && flip === undefined; e++) {
      trainer.runEpoch();
      const W = net.layers[0].W;
      for (let i = 0; i < W.length && flip === undefined; i++) if (Math.sign(W[i]) !== Math.sign(last[i])) flip = { index: i, epoch: e, before: last[i], after: W[i] };
      last.splice(0, last.length, ...W);
    }
    assert.ok(flip, 'some weight of layer 1 changes sign within 300 epochs');
    const j = Math.floor(flip.index / 2);
    const k = flip.index % 2;
    await startOnEntry(dc, program);
    const W = byName(await scope(dc, 0, 'Layer 1'), 'W');
    const row = (await variablesOf(dc, W.variablesReference))[j];
    const info = await dc.dataBreakpointInfoRequest({ variablesReference: row.variablesReference, name: `[${k + 1}]` });
    assert.ok(info.body.dataId);
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId }] });
    const [, e] = await Promise.all([dc.continueRequest({ threadId: 1 }), stopped(dc, 'data breakpoint')]);
    assert.equal(e.body.description, `w^1_{${j + 1},${k + 1}} changed sign: ${flip.before} → ${flip.after}`);
    const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    assert.deepEqual(frames.map((f) => f.name), ['update', 'batch 1 of 1', `epoch ${flip.epoch} of 300`]);
  });

  it('Restart starts the run again from its first stage with the file\'s weights', async () => {
    const program = variant('restart.net.json');
    const stop = stopped(dc, 'breakpoint');
    await startAt(dc, program, [{ line: LAYER1, condition: 'epoch == 2' }]);
    await stop;
    const W = async (): Promise<string[][]> => matrixOf(dc, byName(await scope(dc, 0, 'Layer 1'), 'W'));
    const inEpoch2 = await W();
    await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: LAYER1, condition: 'epoch == 1' }] });
    await Promise.all([dc.restartRequest({}), stopped(dc, 'breakpoint')]);
    const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    assert.deepEqual(frames.map((f) => f.name), ['layer 1 (backward)', 'batch 1 of 2', 'epoch 1 of 4']);
    const { spec } = load(program);
    assert.deepEqual(await W(), rowsOf(networkFor(spec, 'exact').layers[0].W, 2));
    assert.notDeepEqual(await W(), inEpoch2);
  });

  it('a file with an error fails the launch with FILE:LINE:COL and the message, and the session ends', async () => {
    const program = variant('broken.net.json', (t) => t.replace('"activation": "tanh"', '"activation": "tanhh"'));
    const initialized = dc.waitForEvent('initialized');
    const launched = dc.launch({ program });
    const terminated = dc.waitForEvent('terminated', 10000);
    await initialized;
    await dc.configurationDoneRequest();
    await assert.rejects(launched, (e: Error) => {
      assert.match(e.message, new RegExp(`${program.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:7:\\d+: error: .*tanhh`));
      return true;
    });
    await terminated;
  });

  it('matrices page by rows (indexedVariables, start/count)', async () => {
    const program = variant('paging.net.json');
    const stop = stopped(dc, 'breakpoint');
    await startAt(dc, program, [{ line: LAYER1 }]);
    await stop;
    const W = byName(await scope(dc, 0, 'Layer 1'), 'W');
    assert.equal(W.indexedVariables, 3);
    const page = await variablesOf(dc, W.variablesReference, 1, 1);
    assert.deepEqual(page.map((v) => v.name), ['[2]']);
    const all = await matrixOf(dc, W);
    assert.deepEqual(page[0].value, `[${all[1].join(', ')}]`);
  });

  it('matrices and vectors (and only they) carry the Variables context value that shows "Open as Heatmap"; an adam run\'s m and v too', async () => {
    const program = variant('menu.net.json', (t) => t.replace('"optimizer": "momentum"', '"optimizer": "adam"').replace('"learningRate": 0.5', '"learningRate": 0.01'));
    const stop = stopped(dc, 'breakpoint');
    await startAt(dc, program, [{ line: LAYER1 }]);
    await stop;
    const menu = (v: DebugProtocol.Variable): string | undefined => (v as DebugProtocol.Variable & { __vscodeVariableMenuContext?: string }).__vscodeVariableMenuContext;
    const layer = await scope(dc, 0, 'Layer 1');
    assert.deepEqual(layer.map((v) => [v.name, menu(v)]), [
      ['W', 'backpropMatrix'], ['b', 'backpropMatrix'], ['net input', 'backpropMatrix'], ['output', 'backpropMatrix'],
      ['delta', 'backpropMatrix'], ['dW', 'backpropMatrix'], ['db', 'backpropMatrix'], ['last update W', 'backpropMatrix'], ['last update b', 'backpropMatrix'],
    ]);
    const batch = await scope(dc, 0, 'Batch');
    assert.deepEqual(batch.map((v) => [v.name, menu(v)]), [['inputs', 'backpropMatrix'], ['targets', 'backpropMatrix'], ['outputs', 'backpropMatrix'], ['loss', undefined], ['samples', undefined]]);
    const optimizer = await scope(dc, 0, 'Optimizer');
    assert.equal(menu(byName(optimizer, 'learning rate')), undefined);
    const adam = await variablesOf(dc, byName(optimizer, 'layer 1').variablesReference);
    assert.deepEqual(adam.map((v) => [v.name, menu(v)]), [['m (W)', 'backpropMatrix'], ['m (b)', 'backpropMatrix'], ['v (W)', 'backpropMatrix'], ['v (b)', 'backpropMatrix']]);
    // a row of a matrix is not offered (the heatmap is of the whole matrix)
    const rows = await variablesOf(dc, byName(layer, 'W').variablesReference);
    assert.equal(menu(rows[0]), undefined);
  });
});
