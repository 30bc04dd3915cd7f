/**
 * The ONNX export and import, verified by runtimes: every exported model runs in onnxruntime-node on
 * every training sample and gives the engine's `predict` to 1e-6 (float32) / 1e-12 (float64); the
 * ONNX checker of Debian's python3-onnx accepts every file; import gives back every weight exactly
 * (float64) or rounded to float32, refuses other graphs naming the first unsupported node, and never
 * throws anything but an ImportError on malformed bytes.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import * as ort from 'onnxruntime-node';
import { Network, parseNet, referenceKernel, type LoadedNet } from '../../../src/engine';
import { exportNetwork, importOnnx, ImportError, UnsupportedExport, type OnnxDtype } from '../../../src/engine/export';
import { examplesDir, load, randomNetworks, runPython, skipWithoutTorch, tmpDir } from './helpers';

interface Case {
  name: string;
  file: string;
  loaded: LoadedNet;
}

function cases(dir: string): Case[] {
  const out: Case[] = [];
  for (const ex of ['xor', 'spiral', 'sine', 'iris']) {
    const file = path.join(examplesDir, `${ex}.net.json`);
    out.push({ name: ex, file, loaded: load(fs.readFileSync(file, 'utf8'), file) });
  }
  for (const r of randomNetworks(10)) {
    const file = path.join(dir, `${r.name}.net.json`);
    fs.writeFileSync(file, r.text);
    out.push({ name: r.name, file, loaded: load(r.text, file) });
  }
  return out;
}

function onnxBytes(c: Case, dtype: OnnxDtype, out: string): Uint8Array {
  const [f] = exportNetwork(c.loaded, c.file, { to: 'onnx', out, dtype });
  fs.writeFileSync(out, f.content);
  return f.content as Uint8Array;
}

const canFloat64 = (c: Case): boolean => c.loaded.spec.layers.every((l) => !['leaky-relu', 'elu', 'softplus'].includes(l.activation));

/** Runs the model on all inputs; feeds one [N,1] tensor per graph input when the inputs are columns. */
async function runOrt(bytes: Uint8Array, inputs: readonly Float64Array[], dtype: OnnxDtype): Promise<number[][]> {
  const session = await ort.InferenceSession.create(bytes);
  const N = inputs.length;
  const n = inputs[0].length;
  const make = (values: number[], cols: number): ort.Tensor =>
    dtype === 'float64' ? new ort.Tensor('float64', Float64Array.from(values), [N, cols]) : new ort.Tensor('float32', Float32Array.from(values), [N, cols]);
  const feeds: Record<string, ort.Tensor> = {};
  if (session.inputNames.length === 1) feeds[session.inputNames[0]] = make(inputs.flatMap((x) => Array.from(x)), n);
  else session.inputNames.forEach((name, i) => (feeds[name] = make(inputs.map((x) => x[i]), 1)));
  const result = await session.run(feeds);
  const cols = session.outputNames.map((name) => Array.from(result[name].data as Float32Array | Float64Array));
  const K = session.outputNames.length === 1 ? cols[0].length / N : session.outputNames.length;
  return Array.from({ length: N }, (_, r) => (session.outputNames.length === 1 ? cols[0].slice(r * K, (r + 1) * K) : cols.map((c) => c[r])));
}

describe('export: ONNX (onnxruntime-node, python3-onnx checker) and import', function () {
  this.timeout(300_000);
  let dir: string;
  let all: Case[];

  before(() => {
    dir = tmpDir();
    all = cases(dir);
  });

  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const dtype of ['float32', 'float64'] as const) {
    it(`runs in onnxruntime-node and gives predict on every sample (${dtype}, to ${dtype === 'float32' ? '1e-6' : '1e-12'})`, async () => {
      const tol = dtype === 'float32' ? 1e-6 : 1e-12;
      let ran = 0;
      let worst = 0;
      for (const c of all) {
        if (dtype === 'float64' && !canFloat64(c)) continue;
        const bytes = onnxBytes(c, dtype, path.join(dir, `${c.name}.${dtype}.onnx`));
        const data = c.loaded.train as NonNullable<LoadedNet['train']>;
        const inputs = [...data.inputs, ...(c.loaded.validation?.inputs ?? [])];
        // the oracle: the engine's predict (float64) of the network the file holds; for float32 the
        // weights the model holds are the file's rounded to float32, so predict with those too
        const net = Network.fromSpec(c.loaded.spec, referenceKernel);
        if (dtype === 'float32') for (const p of net.parameters()) for (let i = 0; i < p.value.length; i++) p.value[i] = Math.fround(p.value[i]);
        const want = net.predictAll(dtype === 'float32' ? inputs.map((x) => x.map(Math.fround)) : inputs);
        const got = await runOrt(bytes, inputs, dtype);
        got.forEach((row, r) =>
          row.forEach((y, k) => {
            const err = Math.abs(y - want[r][k]) / Math.max(1, Math.abs(want[r][k]));
            assert.ok(err <= tol, `${c.name} sample ${r} output ${k}: onnxruntime ${y}, predict ${want[r][k]} (error ${err})`);
            worst = Math.max(worst, err);
          }),
        );
        ran++;
      }
      assert.ok(ran >= (dtype === 'float32' ? all.length : 5), `only ${ran} networks ran`);
      // eslint-disable-next-line no-console
      console.log(`      measured: ${ran} networks, largest difference from predict ${worst.toExponential(2)}`);
    });
  }

  it('Debian python3-onnx: onnx.checker.check_model accepts every exported file', function () {
    skipWithoutTorch(this);
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.onnx')).map((f) => path.join(dir, f));
    assert.ok(files.length >= 19, `${files.length} files`);
    const r = runPython(['-c', 'import onnx, sys\nfor f in sys.argv[1:]:\n    onnx.checker.check_model(onnx.load(f), full_check=True)\nprint("checked", len(sys.argv) - 1)', ...files]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`checked ${files.length}`));
  });

  it('names the inputs and outputs after the CSV columns (iris: 4 inputs, output "species" with the class names)', async () => {
    const iris = all.find((c) => c.name === 'iris') as Case;
    const session = await ort.InferenceSession.create(onnxBytes(iris, 'float32', path.join(dir, 'iris-names.onnx')));
    const d = iris.loaded.spec.data;
    assert.ok(d?.kind === 'csv');
    assert.deepEqual(session.inputNames, d.inputs);
    assert.deepEqual(session.outputNames, [d.label]);
    const xor = all.find((c) => c.name === 'xor') as Case;
    const plain = await ort.InferenceSession.create(onnxBytes(xor, 'float32', path.join(dir, 'x.onnx')));
    assert.deepEqual([plain.inputNames, plain.outputNames], [['input'], ['output']]);
    // two target columns: one output each (a Split), and the import reads the Concat and the Split back
    fs.writeFileSync(path.join(dir, 'two.csv'), 'a,b,y1,y2\n0.5,1,0.1,0.2\n-1,2,0.3,-0.4\n2,-0.25,1,0\n');
    const text = '{ "seed": 4, "layers": [{ "units": 2 }, { "units": 3, "activation": "tanh" }, { "units": 2, "activation": "linear" }], "data": { "file": "two.csv", "inputs": ["a", "b"], "targets": ["y1", "y2"] } }';
    const file = path.join(dir, 'two.net.json');
    const two: Case = { name: 'two', file, loaded: load(text, file) };
    const bytes = onnxBytes(two, 'float64', path.join(dir, 'two.onnx'));
    const s = await ort.InferenceSession.create(bytes);
    assert.deepEqual([s.inputNames, s.outputNames], [['a', 'b'], ['y1', 'y2']]);
    const inputs = (two.loaded.train as NonNullable<LoadedNet['train']>).inputs;
    const want = Network.fromSpec(two.loaded.spec).predictAll(inputs);
    const got = await runOrt(bytes, inputs, 'float64');
    got.forEach((row, r) => row.forEach((y, k) => assert.ok(Math.abs(y - want[r][k]) <= 1e-12 * Math.max(1, Math.abs(want[r][k])))));
    assert.deepEqual(importOnnx(bytes, 'two').layers.map((l) => l.weights), Network.fromSpec(two.loaded.spec).weights().map((l) => l.weights));
    // a column named like one of the graph's own tensors (or repeated) falls back to input/output
    fs.writeFileSync(path.join(dir, 'clash.csv'), 'a,layer1/W,y1,y2\n0.5,1,0.1,0.2\n');
    const clash = load(text.replace('"b"]', '"layer1/W"]').replace('two.csv', 'clash.csv'), file.replace('two', 'clash'));
    const c2 = await ort.InferenceSession.create(onnxBytes({ name: 'clash', file, loaded: clash }, 'float32', path.join(dir, 'clash.onnx')));
    assert.deepEqual([c2.inputNames, c2.outputNames], [['input'], ['output']]);
  });

  it('refuses a float64 export with LeakyRelu, Elu or Softplus, naming the layer and the --dtype float32 alternative', () => {
    const c = all.find((x) => !canFloat64(x)) as Case;
    assert.throws(
      () => exportNetwork(c.loaded, c.file, { to: 'onnx', out: path.join(dir, 'no.onnx'), dtype: 'float64' }),
      (e: unknown) => e instanceof UnsupportedExport && /layer \d \((leaky-relu|elu|softplus)\)/.test(e.message) && e.flag === '--dtype float32',
    );
  });

  it('round trip .net.json -> ONNX -> .net.json keeps every weight exactly (float64) or to float32 rounding', () => {
    for (const c of all) {
      for (const dtype of ['float32', 'float64'] as const) {
        if (dtype === 'float64' && !canFloat64(c)) continue;
        const bytes = onnxBytes(c, dtype, path.join(dir, `rt.onnx`));
        const imported = importOnnx(bytes, c.name);
        const parsed = parseNet(imported.text, 'rt.net.json');
        assert.ok(parsed.spec, parsed.problems.map((p) => p.message).join('; '));
        const want = Network.fromSpec(c.loaded.spec).weights();
        const round = dtype === 'float32' ? Math.fround : (x: number): number => x;
        assert.equal(parsed.spec.inputs, c.loaded.spec.inputs);
        assert.equal(parsed.spec.loss, c.loaded.spec.loss, `${c.name}: loss`);
        parsed.spec.layers.forEach((l, i) => {
          assert.equal(l.activation, c.loaded.spec.layers[i].activation);
          assert.deepEqual(l.weights, want[i].weights.map((r) => r.map(round)), `${c.name} ${dtype} layer ${i + 1}`);
          assert.deepEqual(l.biases, want[i].biases.map(round));
        });
      }
    }
  });

  it('imports models made by other tools (torch.onnx.export: Gemm; MatMul + Add) and refuses other graphs, naming the first unsupported node', function () {
    skipWithoutTorch(this);
    const make = `
import sys, torch, onnx
from onnx import helper, TensorProto as TP, numpy_helper
import numpy as np
d = sys.argv[1]
torch.manual_seed(0)
m = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2), torch.nn.Softmax(dim=1)).double()
torch.onnx.export(m, torch.zeros(1, 3, dtype=torch.float64), d + "/torch.onnx", input_names=["x"], output_names=["y"], dynamic_axes={"x": {0: "N"}, "y": {0: "N"}}, opset_version=13)
x = torch.tensor([[0.5, -1.0, 2.0], [0.1, 0.2, 0.3]], dtype=torch.float64)
np.save(d + "/torch_out.npy", m(x).detach().numpy())
W = numpy_helper.from_array(np.arange(6, dtype=np.float32).reshape(3, 2) / 10, "W")
b = numpy_helper.from_array(np.array([0.5, -0.5], dtype=np.float32), "b")
def model(nodes, name, inits=(W, b)):
    g = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TP.FLOAT, ["N", 3])], [helper.make_tensor_value_info("y", TP.FLOAT, ["N", 2])], initializer=list(inits))
    mm = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]); mm.ir_version = 7
    onnx.save(mm, d + "/" + name)
model([helper.make_node("MatMul", ["x", "W"], ["h"]), helper.make_node("Add", ["h", "b"], ["z"]), helper.make_node("Relu", ["z"], ["y"], name="act")], "matmul.onnx")
model([helper.make_node("MatMul", ["x", "W"], ["h"]), helper.make_node("Add", ["h", "b"], ["z"]), helper.make_node("Sin", ["z"], ["y"], name="wave")], "sin.onnx")
model([helper.make_node("MatMul", ["x", "W"], ["h"]), helper.make_node("Add", ["h", "b"], ["z"]), helper.make_node("LeakyRelu", ["z"], ["y"], name="leaky", alpha=0.2)], "leaky.onnx")
model([helper.make_node("Gemm", ["x", "W", "b"], ["y"], name="scaled", alpha=2.0)], "alpha.onnx")
`;
    const r = runPython(['-c', make, dir]);
    assert.equal(r.code, 0, r.stderr);
    const imp = (f: string): ReturnType<typeof importOnnx> => importOnnx(fs.readFileSync(path.join(dir, f)), f);
    const t = imp('torch.onnx');
    assert.equal(t.dtype, 'float64');
    assert.deepEqual(t.layers.map((l) => [l.units, l.activation]), [[5, 'tanh'], [2, 'softmax']]);
    assert.equal(t.loss, 'cross-entropy');
    // the imported network computes what PyTorch computed (its outputs saved as .npy: float64 after a 128-byte header)
    const npy = fs.readFileSync(path.join(dir, 'torch_out.npy'));
    const torchOut = new Float64Array(npy.buffer.slice(npy.byteOffset + npy.length - 32, npy.byteOffset + npy.length));
    const spec = parseNet(t.text, 't.net.json').spec;
    assert.ok(spec);
    const net = Network.fromSpec(spec);
    const ys = [net.predict(Float64Array.of(0.5, -1, 2)), net.predict(Float64Array.of(0.1, 0.2, 0.3))];
    ys.flatMap((y) => Array.from(y)).forEach((y, i) => assert.ok(Math.abs(y - torchOut[i]) <= 1e-14, `${y} vs ${torchOut[i]}`));
    const mm = imp('matmul.onnx');
    assert.equal(mm.dtype, 'float32');
    assert.deepEqual(mm.layers[0].weights, [[0, 0.2, 0.4].map(Math.fround), [0.1, 0.3, 0.5].map(Math.fround)]);
    assert.equal(mm.layers[0].activation, 'relu');
    assert.throws(() => imp('sin.onnx'), (e: unknown) => e instanceof ImportError && /node 3 'wave' \(Sin\) is not supported: the operator Sin/.test(e.message));
    assert.throws(() => imp('leaky.onnx'), (e: unknown) => e instanceof ImportError && /node 3 'leaky' \(LeakyRelu\).*alpha 0\.2/.test(e.message));
    assert.throws(() => imp('alpha.onnx'), (e: unknown) => e instanceof ImportError && /node 1 'scaled' \(Gemm\).*alpha and beta must be 1/.test(e.message));
  });

  it('malformed bytes (every truncation of a model, random bytes, absurd lengths) give an ImportError, never a crash', () => {
    const bytes = onnxBytes(all[0], 'float64', path.join(dir, 'cut.onnx'));
    const whole = importOnnx(bytes, 'cut');
    let refused = 0;
    for (let n = 0; n < bytes.length; n += 1) {
      let got;
      try {
        got = importOnnx(bytes.subarray(0, n), 'cut');
      } catch (e) {
        assert.ok(e instanceof ImportError, `cut at ${n}: ${String(e)}`);
        refused++;
        continue;
      }
      // a cut between fields is a valid shorter message: only optional trailing fields (the metadata) may be lost
      assert.deepEqual(got.layers, whole.layers, `a model cut at ${n} of ${bytes.length} bytes gave another network`);
    }
    assert.ok(refused >= bytes.length - 40, `${refused} of ${bytes.length} cuts refused`);
    // a length field claiming 2^62 bytes, and a 12-byte varint
    for (const bad of [Uint8Array.from([0x3a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x3f]), Uint8Array.from([0x08, ...Array<number>(11).fill(0xff), 0x01])]) {
      assert.throws(() => importOnnx(bad, 'bad'), ImportError);
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        try {
          importOnnx(b, 'random');
        } catch (e) {
          if (!(e instanceof ImportError)) throw e;
        }
      }),
      { numRuns: 500, seed: 42 },
    );
  });
});
