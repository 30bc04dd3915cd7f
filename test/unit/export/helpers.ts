/**
 * Helpers of the export tests: the system Python with PyTorch (Debian's python3-torch, run by
 * /usr/bin/python3: the `python3` on PATH may be another one), networks to export, and the engine's
 * own training as the oracle the exported code must reproduce.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ACTIVATIONS, loadNet, Network, referenceKernel, Rng, Trainer, type LoadedNet } from '../../../src/engine';

export const PYTHON = '/usr/bin/python3';
export const root = path.resolve(__dirname, '../../../..');
export const examplesDir = path.join(root, 'examples');

let torchChecked: string | undefined | null = null;
/** Undefined when /usr/bin/python3 imports torch and onnx; otherwise why not. */
export function pythonProblem(): string | undefined {
  if (torchChecked !== null) return torchChecked;
  const r = spawnSync(PYTHON, ['-c', 'import torch, onnx'], { encoding: 'utf8' });
  torchChecked = r.status === 0 ? undefined : `${PYTHON} cannot import torch and onnx (${(r.stderr || String(r.error)).trim().split('\n').pop()}); run scripts/setup-system.sh (installs python3-torch and python3-onnx)`;
  return torchChecked;
}

export function skipWithoutTorch(ctx: Mocha.Context): void {
  const why = pythonProblem();
  if (why !== undefined) {
    // eslint-disable-next-line no-console
    console.log(`      skipped: ${why}`);
    ctx.skip();
  }
}

export function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'backprop-export-'));
}

export function runPython(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(PYTHON, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, input: options.input, encoding: 'utf8', timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function load(text: string, file: string): LoadedNet {
  const l = loadNet(text, file);
  if (!l.spec) throw new Error(l.problems.map((p) => p.message).join('; '));
  return l;
}

/** The engine's weights after `epochs` epochs of training (float64, reference kernel): the oracle. */
export function engineWeights(loaded: LoadedNet, epochs: number): { weights: number[][]; biases: number[] }[] {
  const net = Network.fromSpec(loaded.spec, referenceKernel);
  const trainer = new Trainer(net, loaded.train as NonNullable<LoadedNet['train']>, loaded.spec.training, loaded.spec.seed, loaded.validation);
  trainer.run(epochs);
  return net.weights();
}

/** Largest |a - b| / max(1, |b|) over all weights and biases. */
export function maxWeightError(a: { weights: number[][]; biases: number[] }[], b: { weights: number[][]; biases: number[] }[]): number {
  let worst = 0;
  if (a.length !== b.length) return Infinity;
  a.forEach((la, l) => {
    const fa = [...la.weights.flat(), ...la.biases];
    const fb = [...b[l].weights.flat(), ...b[l].biases];
    if (fa.length !== fb.length) worst = Infinity;
    fa.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - fb[i]) / Math.max(1, Math.abs(fb[i])))));
  });
  return worst;
}

const ELEMENTWISE = ACTIVATIONS.filter((a) => a !== 'softmax');
const LOSS_CYCLE = ['half-squared-error', 'mse', 'cross-entropy', 'binary-cross-entropy'] as const;
const OPT_CYCLE = ['sgd', 'momentum', 'adam'] as const;

/**
 * Seeded random networks that together cover every activation (hidden and output), every loss and
 * every optimizer, with l2 on and off, uneven last batches, with and without shuffling, with and
 * without weights in the file. Inline data, so the same text exports everywhere.
 */
export function randomNetworks(count: number, seed = 11): { name: string; text: string }[] {
  const rng = new Rng(seed, 'export-tests');
  const r = (lo: number, hi: number): number => Number(rng.uniform(lo, hi).toFixed(6));
  const out: { name: string; text: string }[] = [];
  for (let i = 0; i < count; i++) {
    const loss = LOSS_CYCLE[i % 4];
    const optimizer = OPT_CYCLE[i % 3];
    const inputs = 1 + (i % 3);
    const hidden = [ELEMENTWISE[i % ELEMENTWISE.length], ELEMENTWISE[(i + 3) % ELEMENTWISE.length]];
    const K = loss === 'cross-entropy' ? 2 + (i % 2) : 1 + (i % 2);
    const outAct = loss === 'cross-entropy' ? 'softmax' : loss === 'binary-cross-entropy' ? 'sigmoid' : ELEMENTWISE[(i + 5) % ELEMENTWISE.length];
    const units = [inputs, 3 + (i % 2), 2 + (i % 3), K];
    const acts = [...hidden, outAct];
    const withWeights = i % 2 === 1;
    const layers = [`{ "units": ${inputs} }`];
    for (let l = 1; l < units.length; l++) {
      let extra = '';
      if (withWeights) {
        const W = Array.from({ length: units[l] }, () => Array.from({ length: units[l - 1] }, () => r(-1, 1)));
        const b = Array.from({ length: units[l] }, () => r(-0.5, 0.5));
        extra = `, "weights": ${JSON.stringify(W)}, "biases": ${JSON.stringify(b)}`;
      }
      layers.push(`{ "units": ${units[l]}, "activation": "${acts[l - 1]}"${extra} }`);
    }
    const N = 7 + i;
    const X = Array.from({ length: N }, () => Array.from({ length: inputs }, () => r(-2, 2)));
    const T = Array.from({ length: N }, (_, s) => {
      if (loss === 'cross-entropy') return Array.from({ length: K }, (_, k) => (k === s % K ? 1 : 0));
      if (loss === 'binary-cross-entropy') return Array.from({ length: K }, () => (rng.next() < 0.5 ? 0 : 1));
      return Array.from({ length: K }, () => r(-1, 1));
    });
    const l2 = i % 2 === 0 ? 0.01 : 0;
    const training = `{ "optimizer": "${optimizer}", "learningRate": ${optimizer === 'adam' ? 0.01 : 0.05}, "epochs": 4, "batchSize": ${1 + (i % 4)}, "l2": ${l2}, "shuffle": ${i % 5 !== 4} }`;
    const text = `{\n  "name": "random-${i}",\n  "seed": ${100 + i},\n  "layers": [${layers.join(', ')}],\n  "loss": "${loss}",\n  "training": ${training},\n  "data": { "inputs": ${JSON.stringify(X)}, "targets": ${JSON.stringify(T)} }\n}\n`;
    out.push({ name: `random-${i}`, text });
  }
  return out;
}

/**
 * A Python driver that imports each exported script as a module, runs its self-check, trains it
 * for the given epochs and prints {name: {weights | error}} as JSON: one Python process (one
 * PyTorch start-up) for many networks.
 */
export const DRIVER = `
import importlib.util, json, sys
jobs = json.load(sys.stdin)
results = {}
for job in jobs:
    spec = importlib.util.spec_from_file_location("exported_" + str(len(results)), job["script"])
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    try:
        X, T = mod.load_data()
        model = mod.Network()
        mod.self_check(model, X, T)
        mod.train(model, X, T, epochs=job["epochs"], log=None)
        results[job["name"]] = {"weights": mod.weights_of(model)}
    except SystemExit as e:
        results[job["name"]] = {"error": str(e)}
print(json.dumps(results))
`;
