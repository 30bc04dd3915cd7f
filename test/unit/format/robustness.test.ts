/**
 * parseNet must never throw, whatever the text: every prefix of a valid file, and many seeded
 * random corruptions of it, give problems with consistent positions (or a spec), never an
 * exception. Write-back of any file that parses must read back exactly.
 */
import * as assert from 'node:assert/strict';
import { parseNet, positionAt, writeWeights, type LayerValues } from '../../../src/engine/format';
import { Rng } from '../../../src/engine/rng';

const VALID = `// comment
{
  "name": "fuzz", "seed": 3,
  "layers": [
    { "units": 2 },
    { "units": 2, "activation": "tanh", "weights": [[0.5, -1], [2e-3, 4]], "biases": [0, 1] },
    { "units": 2, "activation": "softmax" }
  ],
  "training": { "optimizer": "adam", "epochs": 3 },
  "data": { "generator": "moons", "samples": 10 },
  "validation": 0.2
}
`;

const ALPHABET = '{}[]:,"0123456789.-+eE \n\r\tabcNIf/*\u00e9';

function checkConsistent(text: string): void {
  const parsed = parseNet(text, 'f.net.json');
  for (const p of parsed.problems) {
    assert.ok(p.offset >= 0 && p.offset + p.length <= text.length, `range ${p.offset}+${p.length} in ${text.length}`);
    assert.deepEqual({ line: p.line, column: p.column }, positionAt(text, p.offset));
    assert.ok(p.message.length > 0 && p.code.length > 0);
  }
  if (!parsed.spec) assert.ok(parsed.problems.some((p) => p.severity === 'error'), 'no spec and no error');
}

describe('format: robustness', () => {
  it('parses the base file', () => {
    assert.deepEqual(parseNet(VALID, 'f.net.json').problems, []);
  });

  it('reports every truncation of a valid file as an error, at a consistent position', () => {
    const end = VALID.lastIndexOf('}');
    for (let n = 0; n <= end; n++) {
      const text = VALID.slice(0, n);
      checkConsistent(text);
      assert.equal(parseNet(text, 'f.net.json').spec, undefined, `prefix of ${n} characters gave a spec`);
    }
  });

  it('never throws on random corruptions', () => {
    const rng = new Rng(2024, 'fuzz');
    for (let trial = 0; trial < 1500; trial++) {
      const chars = VALID.split('');
      const edits = 1 + rng.int(4);
      for (let e = 0; e < edits; e++) {
        const at = rng.int(chars.length + 1);
        const op = rng.int(3);
        const ch = ALPHABET[rng.int(ALPHABET.length)];
        if (op === 0) chars.splice(at, 1);
        else if (op === 1) chars.splice(at, 0, ch);
        else chars[Math.min(at, chars.length - 1)] = ch;
      }
      checkConsistent(chars.join(''));
    }
  });

  it('writes back into every corruption that still parses', () => {
    const rng = new Rng(7, 'fuzz');
    let written = 0;
    for (let trial = 0; trial < 400; trial++) {
      const chars = VALID.split('');
      const at = rng.int(chars.length);
      chars.splice(at, 0, ' \n\t/**/'[rng.int(7)]);
      const text = chars.join('');
      const parsed = parseNet(text, 'f.net.json');
      if (!parsed.spec) continue;
      const layers: LayerValues[] = parsed.spec.layers.map((l, i) => ({
        weights: Array.from({ length: l.units }, () => Array.from({ length: i === 0 ? parsed.spec!.inputs : parsed.spec!.layers[i - 1].units }, () => rng.normal())),
        biases: Array.from({ length: l.units }, () => rng.normal()),
      }));
      const out = writeWeights(text, layers).text;
      const again = parseNet(out, 'f.net.json');
      assert.ok(again.spec);
      again.spec.layers.forEach((l, i) => assert.deepEqual([l.weights, l.biases], [layers[i].weights, layers[i].biases]));
      written++;
    }
    assert.ok(written > 100);
  });
});
