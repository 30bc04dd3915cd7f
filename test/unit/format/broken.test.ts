/**
 * The corpus of broken `.net.json` files in test/fixtures/broken: each must produce exactly one
 * problem, with the message written here by hand, at the spot marked in the fixture by a
 * comment (line also given here by hand, read off the fixture).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatProblem, loadData, parseNet, type Problem } from '../../../src/engine/format';
import { fixture, markedSpot, readFixture } from './helpers';

interface Case {
  file: string;
  line: number;
  code: string;
  message: string;
  severity?: 'error' | 'warning';
  fix?: 'replace' | 'regenerate-weights';
}

const ACTS = '"sigmoid", "tanh", "relu", "leaky-relu", "elu", "softplus", "linear", "softmax"';

const CASES: Case[] = [
  // Syntax.
  { file: 'truncated', line: 7, code: 'truncated', message: 'unexpected end of file — the JSON is truncated: the array opened at line 7, column 52 is not closed' },
  { file: 'missing-comma', line: 5, code: 'syntax', message: "expected a comma or ']' but found '{'" },
  { file: 'unquoted-key', line: 4, code: 'syntax', message: 'property names need double quotes: write "units"' },
  { file: 'unterminated-string', line: 3, code: 'syntax', message: 'this string is never closed: a closing " is missing before the end of the line' },
  { file: 'nan-literal', line: 7, code: 'non-finite', message: '`NaN` is not a number JSON can hold: every number in a .net.json file must be finite' },
  { file: 'infinity-literal', line: 5, code: 'non-finite', message: '`-Infinity` is not a number JSON can hold: every number in a .net.json file must be finite' },
  { file: 'huge-number', line: 5, code: 'non-finite', message: '1e999 is too large for a float64 number (it overflows to Infinity); every number in a .net.json file must be finite' },
  { file: 'not-an-object', line: 2, code: 'not-object', message: 'a .net.json file holds one JSON object, not an array of 2 items' },
  // Layers.
  { file: 'wrong-weight-shape', line: 12, code: 'wrong-shape', fix: 'regenerate-weights', message: 'layer 2 has 3 units and layer 1 has 4, so "weights" must be 3 rows of 4 numbers; row 2 has 3 numbers' },
  { file: 'wrong-bias-count', line: 5, code: 'wrong-shape', fix: 'regenerate-weights', message: 'layer 1 has 3 units, so "biases" must be 3 numbers; it has 2 numbers' },
  { file: 'unknown-activation', line: 5, code: 'unknown-activation', fix: 'replace', message: `unknown activation "sigmod" (did you mean "sigmoid"?); the "activation" of layer 1 must be one of ${ACTS}` },
  { file: 'softmax-hidden', line: 5, code: 'softmax-hidden', message: 'softmax is only allowed on the output layer (layer 2); layer 1 is a hidden layer' },
  { file: 'missing-activation', line: 5, code: 'missing-key', message: `layer 1 has no "activation": choose one of ${ACTS}` },
  { file: 'too-few-layers', line: 3, code: 'too-few-layers', message: '"layers" has 1 layer; a network needs at least 2: the input layer and an output layer' },
  { file: 'input-layer-activation', line: 4, code: 'input-layer-key', fix: 'replace', message: 'layer 0 is the input layer: it has only "units", no "activation"' },
  { file: 'absurd-layer-size', line: 5, code: 'too-large', message: 'layer 1 has 5000000 units; the limit is 1000000 units per layer' },
  { file: 'too-many-parameters', line: 3, code: 'too-large', message: 'the network has 12006001 parameters (weights and biases); the limit is 10000000' },
  { file: 'crlf-wrong-units', line: 5, code: 'bad-value', message: 'the "units" of layer 1 must be a whole number 1 or more; 2.5 has a fractional part' },
  // Loss, seed, validation.
  { file: 'cross-entropy-sigmoid', line: 7, code: 'loss-output-mismatch', fix: 'replace', message: 'cross-entropy needs a softmax output layer, and the output layer (layer 1) is sigmoid; use "binary-cross-entropy" with a sigmoid output, or make the output softmax' },
  { file: 'bce-softmax', line: 7, code: 'loss-output-mismatch', fix: 'replace', message: 'binary-cross-entropy needs a sigmoid output layer, and the output layer (layer 1) is softmax; use "cross-entropy" with a softmax output, or make the output sigmoid' },
  { file: 'seed-fraction', line: 3, code: 'bad-value', message: '"seed" must be a whole number from 0 to 4294967295; 1.5 has a fractional part' },
  { file: 'bad-validation-fraction', line: 8, code: 'bad-fraction', message: '"validation" as a fraction of "data" must be a number strictly between 0 and 1, such as 0.2; it is 1.5' },
  { file: 'unknown-training-key', line: 7, code: 'unknown-key', severity: 'warning', fix: 'replace', message: 'unknown key "learningrate" in "training" (did you mean "learningRate"?); it is ignored' },
  // Inline data.
  { file: 'data-width', line: 8, code: 'wrong-width', message: 'layer 0 has 2 units, so every input must be 2 numbers; input 2 has 3 numbers' },
  { file: 'target-count', line: 9, code: 'count-mismatch', message: 'there are 4 inputs but 3 targets; give one target per input' },
  { file: 'empty-data', line: 7, code: 'empty-data', message: '"inputs" is empty; the data needs at least one sample' },
  { file: 'label-out-of-range', line: 9, code: 'label-out-of-range', message: 'label 2 is 3, out of range: the output layer (layer 1) has 3 units, so class indices go from 0 to 2' },
  { file: 'labels-one-output', line: 9, code: 'labels-need-classes', message: 'labels become one-hot targets over the output units, so the output layer (layer 1) needs 2 or more units; it has 1 unit. Give "targets" instead' },
  // Generated data.
  { file: 'generator-inputs', line: 7, code: 'generator-inputs', message: 'the moons generator makes 2-D points, so layer 0 must have 2 units; it has 3' },
  { file: 'generator-classes', line: 8, code: 'generator-classes', message: 'the spiral generator makes 3 classes, one-hot over the output units, so the output layer (layer 2) must have 3 units; it has 2' },
  { file: 'xor-classes', line: 7, code: 'bad-classes', message: 'the xor generator makes exactly 2 classes; "classes" must be 2' },
  { file: 'negative-noise', line: 7, code: 'bad-value', message: '"noise" must be a number 0 or more (the standard deviation of the noise added to each coordinate); it is -0.1' },
  { file: 'unknown-generator', line: 7, code: 'unknown-generator', fix: 'replace', message: 'unknown generator "spirals" (did you mean "spiral"?); "generator" must be one of "xor", "circle", "gauss", "spiral", "moons"' },
  // CSV data (found when loading).
  { file: 'missing-column', line: 9, code: 'missing-column', fix: 'replace', message: '"flowers.csv" has no column "petal_widht" (did you mean "petal_width"?); its columns are sepal_length, sepal_width, petal_length, petal_width, species' },
  { file: 'non-numeric-cell', line: 9, code: 'not-a-number', message: '"bad-cell.csv" line 18, column "petal_width": "abc" is not a number' },
  { file: 'missing-file', line: 8, code: 'missing-file', message: `cannot read "no-such-file.csv" (${path.join(fixture('broken'), 'no-such-file.csv')}): no such file` },
  { file: 'label-classes', line: 10, code: 'label-classes', message: 'the class column "species" of "flowers.csv" has 3 classes (setosa, versicolor, virginica), so the output layer (layer 1) must have 3 units; it has 2' },
];

/** Parse, then load the data when the file is valid: every problem a user would see. */
function allProblems(text: string, file: string): Problem[] {
  const parsed = parseNet(text, file);
  if (!parsed.spec) return parsed.problems;
  return [...parsed.problems, ...loadData(parsed.spec, parsed, path.dirname(file)).problems];
}

describe('format: broken files', () => {
  for (const c of CASES) {
    it(`${c.file}: ${c.message.slice(0, 60)}`, () => {
      const file = fixture('broken', `${c.file}.net.json`);
      const text = readFixture('broken', `${c.file}.net.json`);
      const spot = markedSpot(text);
      assert.equal(spot.line, c.line, 'the marker is not on the line this test expects');
      const problems = allProblems(text, file);
      assert.equal(problems.length, 1, problems.map((p) => formatProblem(file, p)).join('\n'));
      const [p] = problems;
      assert.equal(p.message, c.message);
      assert.equal(p.code, c.code);
      assert.equal(p.severity, c.severity ?? 'error');
      assert.deepEqual({ offset: p.offset, line: p.line, column: p.column }, spot);
      assert.equal(p.fix?.kind, c.fix);
      assert.equal(formatProblem(file, p), `${file}:${c.line}:${spot.column}: ${c.severity ?? 'error'}: ${c.message}`);
    });
  }

  it('every fixture in test/fixtures/broken has a case', () => {
    const names = fs.readdirSync(fixture('broken'));
    const nets = names.filter((n) => n.endsWith('.net.json')).map((n) => n.replace(/\.net\.json$/, ''));
    assert.deepEqual(nets.sort(), CASES.map((c) => c.file).sort());
  });

  it('a warning leaves the spec in place; an error removes it', () => {
    assert.ok(parseNet(readFixture('broken', 'unknown-training-key.net.json'), 'w.net.json').spec);
    assert.equal(parseNet(readFixture('broken', 'softmax-hidden.net.json'), 'e.net.json').spec, undefined);
  });

  it('the "replace" fixes repair the file', () => {
    for (const [name, expected] of [
      ['unknown-activation', '"sigmoid"'],
      ['cross-entropy-sigmoid', '"binary-cross-entropy"'],
      ['bce-softmax', '"cross-entropy"'],
      ['input-layer-activation', ''],
    ] as const) {
      const text = readFixture('broken', `${name}.net.json`);
      const [p] = parseNet(text, 'f.net.json').problems;
      assert.ok(p.fix && p.fix.kind === 'replace');
      if (expected) assert.equal(p.fix.text, expected);
      const repaired = text.slice(0, p.fix.offset) + p.fix.text + text.slice(p.fix.offset + p.fix.length);
      const again = parseNet(repaired, 'f.net.json');
      assert.deepEqual(again.problems, [], `${name} after the fix:\n${repaired}`);
      assert.ok(again.spec);
    }
  });

  it('the regenerate fix names the layer whose weights are wrong', () => {
    const [p] = parseNet(readFixture('broken', 'wrong-weight-shape.net.json'), 'f.net.json').problems;
    assert.deepEqual(p.fix, { kind: 'regenerate-weights', title: 'Regenerate the weights and biases of layer 2', layer: 2 });
  });
});
