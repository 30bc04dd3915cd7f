/**
 * The fast kernels against the reference kernel: the JavaScript and WebAssembly float64 kernels
 * give bit-for-bit the reference products (each entry summed in the same order), and networks on
 * them give the reference loss and gradient to 1e-12 relative for every activation and loss; the
 * float32 kernel agrees within float32 rounding, and its gradient checks run in float64.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { gradientCheck } from '../../../src/engine/gradcheck';
import { fastJsKernel } from '../../../src/engine/kernels/fast';
import { referenceKernel } from '../../../src/engine/kernels/reference';
import type { Kernel } from '../../../src/engine/kernels/types';
import { wasmBackend } from '../../../src/engine/kernels/wasm';
import { defaultKernel } from '../../../src/engine/kernels/default';
import { Network } from '../../../src/engine/network';
import { Rng } from '../../../src/engine/rng';
import { ACTIVATIONS, type ActivationName, type LossName } from '../../../src/engine/spec';
import { makeSpec, randomMatrix, randomTargets } from '../engine/helpers';

/** Builds dist/kernels.wasm from asm/kernels.ts when it is missing or stale (about 2 s). */
export function ensureWasm(): NonNullable<ReturnType<typeof wasmBackend>> {
  const root = path.join(__dirname, '..', '..', '..', '..');
  execFileSync(process.execPath, [path.join(root, 'asm', 'build.mjs')], { cwd: root, stdio: 'pipe' });
  const b = wasmBackend();
  assert.ok(b, 'the WebAssembly backend loads');
  return b;
}

function random(rng: Rng, n: number, into?: Float64Array): Float64Array {
  const a = into ?? new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-1, 1) * (rng.uniform(0, 1) < 0.1 ? 1e3 : 1); // a few large values
  return a;
}

const SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 8, 2], [3, 5, 7], [4, 4, 4], [5, 9, 3], [7, 13, 33], [16, 16, 16], [64, 10, 64], [33, 130, 67], [64, 128, 200],
];

describe('fast kernels agree with the reference kernel', function () {
  this.timeout(20000);
  const backend = ensureWasm();
  const kernels: Kernel[] = [fastJsKernel, backend.float64];

  for (const kernel of kernels) {
    for (const inArena of kernel.alloc ? [true, false] : [false]) {
      it(`${kernel.name}${inArena ? ' (buffers in its memory)' : ''}: gemmABt, gemmAtB, gemmAB bit-for-bit, only the m×n block written`, () => {
        const rng = new Rng(3, 'kernels');
        const buf = (n: number): Float64Array => (inArena && kernel.alloc ? kernel.alloc(n) : new Float64Array(n));
        for (const [m, n, k] of SHAPES) {
          const A = random(rng, m * k + 3, buf(m * k + 3));
          const B = random(rng, n * k + 3, buf(n * k + 3));
          const bias = random(rng, n, buf(n));
          for (const op of ['gemmABt', 'gemmAtB', 'gemmAB'] as const) {
            const want = new Float64Array(m * n + 2).fill(7);
            const got = buf(m * n + 2).fill(7);
            if (op === 'gemmABt') {
              referenceKernel.gemmABt(m, n, k, A, B, want, bias);
              kernel.gemmABt(m, n, k, A, B, got, bias);
            } else {
              referenceKernel[op](m, n, k, A, B, want);
              kernel[op](m, n, k, A, B, got);
            }
            assert.deepEqual(Array.from(got), Array.from(want), `${op} ${m}x${n}x${k}`);
          }
        }
      });
    }
  }

  it('wasm float32: each product within float32 rounding of the float64 one', () => {
    const rng = new Rng(4, 'kernels');
    const f32 = backend.float32;
    assert.equal(f32.precision, 'float32');
    for (const [m, n, k] of SHAPES) {
      const A = random(rng, m * k);
      const B = random(rng, n * k);
      const want = new Float64Array(m * n);
      const got = new Float64Array(m * n);
      referenceKernel.gemmABt(m, n, k, A, B, want);
      f32.gemmABt(m, n, k, A, B, got);
      // inputs rounded (2 x 2^-24 per product) and k float32 additions: |error| <= (k + 2) 2^-24 sum |a||b|
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let bound = 0;
          for (let p = 0; p < k; p++) bound += Math.abs(A[i * k + p] * B[j * k + p]);
          bound *= (k + 2) * 2 ** -24;
          assert.ok(Math.abs(got[i * n + j] - want[i * n + j]) <= bound, `${m}x${n}x${k} [${i}][${j}]`);
        }
      }
      // and it really is float32: the values differ from float64 somewhere on the larger shapes
      if (k > 16) assert.ok(got.some((v, i) => v !== want[i]));
    }
  });

  const LOSSES: { loss: LossName; output: ActivationName }[] = [
    { loss: 'half-squared-error', output: 'linear' },
    { loss: 'mse', output: 'tanh' },
    { loss: 'cross-entropy', output: 'softmax' },
    { loss: 'binary-cross-entropy', output: 'sigmoid' },
  ];
  const hidden = ACTIVATIONS.filter((a) => a !== 'softmax');
  for (const { loss, output } of LOSSES) {
    it(`networks on every hidden activation with ${loss}: loss and gradient equal to 1e-12 relative on every kernel`, () => {
      for (const act of hidden) {
        const rng = new Rng(11, `${act}-${loss}`);
        const spec = makeSpec({
          inputs: 20,
          layers: [
            { units: 24, activation: act, weights: randomMatrix(rng, 24, 20, 0.5), biases: Array.from({ length: 24 }, () => rng.uniform(-0.5, 0.5)) },
            { units: 16, activation: act, weights: randomMatrix(rng, 16, 24, 0.5), biases: Array.from({ length: 16 }, () => rng.uniform(-0.5, 0.5)) },
            { units: 5, activation: output, weights: randomMatrix(rng, 5, 16, 0.5), biases: [0.1, -0.1, 0, 0.2, -0.2] },
          ],
          loss,
        });
        const inputs = randomMatrix(rng, 24, 20, 2).map((r) => Float64Array.from(r));
        const targets = randomTargets(rng, 24, 5, loss).map((r) => Float64Array.from(r));
        const ref = Network.fromSpec(spec);
        const lossRef = ref.lossAndGradient(inputs, targets, 0.01);
        for (const kernel of kernels) {
          const net = Network.fromSpec(spec, kernel);
          const l = net.lossAndGradient(inputs, targets, 0.01);
          assert.ok(Math.abs(l - lossRef) <= 1e-12 * Math.abs(lossRef), `${kernel.name} ${act}: loss`);
          net.layers.forEach((layer, i) => {
            for (const [got, want] of [[layer.dW, ref.layers[i].dW], [layer.db, ref.layers[i].db]]) {
              const scale = want.reduce((s, v) => Math.max(s, Math.abs(v)), 0);
              for (let q = 0; q < want.length; q++) assert.ok(Math.abs(got[q] - want[q]) <= 1e-12 * scale, `${kernel.name} ${act} layer ${i + 1}`);
            }
          });
          const y = net.predict(inputs[3]);
          const yRef = ref.predict(inputs[3]);
          y.forEach((v, q) => assert.ok(Math.abs(v - yRef[q]) <= 1e-12 * Math.abs(yRef[q]), `${kernel.name} ${act} predict`));
        }
      }
    });
  }

  it('a float32 network trains close to float64 and its gradient check runs in float64', () => {
    const rng = new Rng(12, 'f32');
    const spec = makeSpec({
      inputs: 20,
      layers: [
        { units: 32, activation: 'tanh', weights: randomMatrix(rng, 32, 20, 0.4) },
        { units: 4, activation: 'softmax', weights: randomMatrix(rng, 4, 32, 0.4) },
      ],
      loss: 'cross-entropy',
    });
    const inputs = randomMatrix(rng, 30, 20, 1).map((r) => Float64Array.from(r));
    const targets = randomTargets(rng, 30, 4, 'cross-entropy').map((r) => Float64Array.from(r));
    const net32 = Network.fromSpec(spec, defaultKernel('float32'));
    const net64 = Network.fromSpec(spec);
    const l32 = net32.lossAndGradient(inputs, targets, 0);
    const l64 = net64.lossAndGradient(inputs, targets, 0);
    assert.ok(Math.abs(l32 - l64) < 1e-5 * l64 && l32 !== l64, `float32 loss ${l32} vs ${l64}`);
    const report = gradientCheck(net32, { inputs, targets }, 0);
    assert.equal(report.passed, true);
    assert.ok(report.maxRelativeError < 1e-7, `float64 check: ${report.maxRelativeError}`);
    // afterwards the float32 network holds the float64 analytic gradient: bit for bit that of a
    // network on the backend's float64 twin (whose tanh is within a few ulps of Math.tanh), and
    // the reference one to 1e-12
    const twin = Network.fromSpec(spec, backend.float64);
    twin.lossAndGradient(inputs, targets, 0);
    assert.deepEqual(Array.from(net32.layers[0].dW), Array.from(twin.layers[0].dW));
    const scale = net64.layers[0].dW.reduce((s, v) => Math.max(s, Math.abs(v)), 0);
    net32.layers[0].dW.forEach((v, q) => assert.ok(Math.abs(v - net64.layers[0].dW[q]) <= 1e-12 * scale));
  });

  it('the arena hands out zeroed views and takes them back', () => {
    const before = backend.available();
    const a = backend.float64.alloc!(1000);
    assert.equal(a.length, 1000);
    assert.ok(a.every((v) => v === 0));
    assert.ok(backend.available() <= before - 8000);
  });
});
