/**
 * The engine's own test suite again, on the fast backends: every test file of test/unit/engine is
 * loaded a second and third time inside a suite during which `Network.fromSpec` defaults to the
 * WebAssembly kernel (then the fast JavaScript kernel) instead of the reference one. Networks that
 * a test builds with an explicit kernel, or with `new Network`, keep theirs. The one assertion
 * that names the default kernel ('reference') is the only test left out.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ActivationTable } from '../../../src/engine/activations';
import { fastJsKernel } from '../../../src/engine/kernels/fast';
import type { Kernel } from '../../../src/engine/kernels/types';
import { Network } from '../../../src/engine/network';
import type { NetSpec } from '../../../src/engine/spec';
import { ensureWasm } from './agreement.test';

const engineTests = path.join(__dirname, '..', 'engine');
const SKIP = [/fromSpec: sizes, layer shapes/]; // asserts net.kernel.name === 'reference'

function rerun(label: string, kernel: () => Kernel): void {
  describe(`engine suite on ${label}`, () => {
    const original = Network.fromSpec;
    before(() => {
      const k = kernel();
      Network.fromSpec = (spec: NetSpec, given?: Kernel, ...rest: [ActivationTable?]) => original.call(Network, spec, given ?? k, ...rest);
    });
    after(() => {
      Network.fromSpec = original;
    });
    const realIt = global.it;
    const filtered = ((title: string, fn?: Mocha.Func) => {
      if (!SKIP.some((r) => r.test(title))) return realIt(title, fn);
      global.it = realIt; // it.skip registers through the global it
      try {
        return realIt.skip(title);
      } finally {
        global.it = filtered;
      }
    }) as Mocha.TestFunction;
    Object.assign(filtered, realIt);
    global.it = filtered;
    try {
      for (const file of fs.readdirSync(engineTests).filter((f) => f.endsWith('.test.js')).sort()) {
        const full = path.join(engineTests, file);
        delete require.cache[require.resolve(full)];
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require(full);
      }
    } finally {
      global.it = realIt;
    }
  });
}

rerun('the WebAssembly kernel', () => ensureWasm().float64);
rerun('the fast JavaScript kernel', () => fastJsKernel);
