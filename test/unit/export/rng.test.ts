/**
 * The exported code's port of the engine's generator (python.ts RNG_CODE) draws the engine's
 * numbers: the same 32-bit stream and the same shuffles, for seeds up to 2^32 - 1 and stream names
 * beyond ASCII (UTF-16 code units, as in JavaScript). Only `math` is needed, not torch.
 */
import { strict as assert } from 'node:assert';
import { RNG_CODE } from '../../../src/engine/export/python';
import { Rng } from '../../../src/engine';
import { runPython } from './helpers';

const CASES: [number, string][] = [[0, 'shuffle'], [7, 'shuffle'], [4294967295, 'validation'], [123456789, 'ünï€😀'], [42, '']];

describe('export: the Python port of the seeded generator', () => {
  it('draws the engine\'s 32-bit stream and shuffles like it', function () {
    this.timeout(60_000);
    const program = `import json, math, sys\n${RNG_CODE}\nout = []\nfor seed, stream in json.load(sys.stdin):\n    r = Rng(seed, stream)\n    draws = [r.next_uint32() for _ in range(500)]\n    order = list(range(1000))\n    r.shuffle(order)\n    out.append({"draws": draws, "order": order, "next": r.next()})\nprint(json.dumps(out))\n`;
    const r = runPython(['-c', program], { input: JSON.stringify(CASES) });
    assert.equal(r.code, 0, r.stderr);
    const got = JSON.parse(r.stdout) as { draws: number[]; order: number[]; next: number }[];
    CASES.forEach(([seed, stream], i) => {
      const rng = new Rng(seed, stream);
      const draws = Array.from({ length: 500 }, () => rng.nextUint32());
      const order = Array.from({ length: 1000 }, (_, k) => k);
      rng.shuffle(order);
      assert.deepEqual(got[i].draws, draws, `seed ${seed}, stream '${stream}': draws`);
      assert.deepEqual(got[i].order, order, `seed ${seed}, stream '${stream}': shuffle`);
      assert.equal(got[i].next, rng.next());
    });
  });
});
