/**
 * writeWeights: values read back bit for bit, comments and formatting outside the written values
 * stay byte-identical, the layout of new values, and the refusals (non-finite numbers, a text
 * that does not parse, shapes that do not match).
 */
import * as assert from 'node:assert/strict';
import * as jsonc from 'jsonc-parser';
import { checkWriteBack, parseNet, removeLayerWeights, writeWeights, type LayerValues, type TextEdit } from '../../../src/engine/format';
import { Rng } from '../../../src/engine/rng';

const FILE = `// A 2-3-1 network.
{
  "name": "xor", /* keep me */
  "layers": [
    { "units": 2 },   // input
    {
      "units": 3,
      "activation": "tanh" // hidden, no weights yet
    },
    { "units": 1, "activation": "sigmoid",
      "weights": [[0.1, -0.2, 0.3]], "biases": [0.0] }
  ],
  // training follows
  "training": { "epochs": 10 }
}
`;

/** Awkward doubles: -0, subnormals, extremes, values with 17 significant digits. */
const AWKWARD = [-0, 5e-324, -2.2250738585072014e-308, 1.7976931348623157e308, 0.1 + 0.2, 1 / 3, -1e21, 1e-7, 123456789.12345679];

function randomLayers(seed: number, sizes: number[]): LayerValues[] {
  const rng = new Rng(seed, 'test');
  const out: LayerValues[] = [];
  for (let l = 1; l < sizes.length; l++) {
    const weights = Array.from({ length: sizes[l] }, () => Array.from({ length: sizes[l - 1] }, () => rng.normal() * 10 ** rng.int(7 - 3)));
    out.push({ weights, biases: Array.from({ length: sizes[l] }, () => rng.uniform(-1, 1)) });
  }
  return out;
}

/** Reads the values back through the real parser and compares every bit. */
function assertReadsBack(text: string, layers: LayerValues[]): void {
  const parsed = parseNet(text, 'w.net.json');
  assert.deepEqual(parsed.problems, []);
  assert.ok(parsed.spec);
  parsed.spec.layers.forEach((l, i) => {
    const w = l.weights ?? [];
    const b = l.biases ?? [];
    assert.equal(w.length, layers[i].weights.length);
    w.forEach((row, j) => row.forEach((x, k) => assert.ok(Object.is(x, layers[i].weights[j][k]), `w[${i}][${j}][${k}]: ${x} vs ${layers[i].weights[j][k]}`)));
    b.forEach((x, j) => assert.ok(Object.is(x, layers[i].biases[j]), `b[${i}][${j}]`));
  });
}

/** Applies edits independently of jsonc-parser, checking they are sorted and do not overlap. */
function apply(text: string, edits: TextEdit[]): string {
  let out = '';
  let at = 0;
  for (const e of edits) {
    assert.ok(e.offset >= at, 'edits overlap or are unsorted');
    out += text.slice(at, e.offset) + e.content;
    at = e.offset + e.length;
  }
  return out + text.slice(at);
}

function comments(text: string): string[] {
  const scanner = jsonc.createScanner(text, false);
  const found: string[] = [];
  for (let k = scanner.scan(); k !== jsonc.SyntaxKind.EOF; k = scanner.scan()) {
    if (k === jsonc.SyntaxKind.LineCommentTrivia || k === jsonc.SyntaxKind.BlockCommentTrivia) found.push(scanner.getTokenValue());
  }
  return found;
}

describe('format: writeWeights', () => {
  it('round-trips every value bit for bit, awkward doubles included', () => {
    const layers: LayerValues[] = [
      { weights: [AWKWARD.slice(0, 2), AWKWARD.slice(2, 4), AWKWARD.slice(4, 6)], biases: AWKWARD.slice(6, 9) },
      { weights: [[-0, 5e-324, Math.PI]], biases: [-0] },
    ];
    const { text } = writeWeights(FILE, layers);
    assertReadsBack(text, layers);
    const random = randomLayers(1, [2, 3, 1]);
    assertReadsBack(writeWeights(FILE, random).text, random);
  });

  it('keeps comments and every byte outside the written values', () => {
    const layers = randomLayers(2, [2, 3, 1]);
    const { text, edits } = writeWeights(FILE, layers);
    assert.equal(apply(FILE, edits), text);
    assert.deepEqual(comments(text), comments(FILE));
    // The only replaced ranges are the old weights and biases of layer 2; the rest are insertions.
    const parsed = parseNet(FILE, 'f.net.json');
    const replaced = edits.filter((e) => e.length > 0).map((e) => ({ offset: e.offset, length: e.length }));
    assert.deepEqual(replaced, [parsed.locate(['layers', 2, 'weights']), parsed.locate(['layers', 2, 'biases'])]);
    for (const e of edits.filter((x) => x.length === 0)) assert.ok(!/\/\/|\/\*/.test(e.content));
  });

  it('writes the layout expected by hand', () => {
    const layers: LayerValues[] = [
      { weights: [[1, -2], [0.5, 3], [-0, 1e-7]], biases: [0, 0.25, -1] },
      { weights: [[7, 8, 9]], biases: [-1.5] },
    ];
    const expected = `// A 2-3-1 network.
{
  "name": "xor", /* keep me */
  "layers": [
    { "units": 2 },   // input
    {
      "units": 3,
      "activation": "tanh", // hidden, no weights yet
      "weights": [
        [1, -2],
        [0.5, 3],
        [-0, 1e-7]
      ],
      "biases": [0, 0.25, -1]
    },
    { "units": 1, "activation": "sigmoid",
      "weights": [[7, 8, 9]], "biases": [-1.5] }
  ],
  // training follows
  "training": { "epochs": 10 }
}
`;
    assert.equal(writeWeights(FILE, layers).text, expected);
  });

  it('is a fixed point: writing the same values again changes nothing', () => {
    const layers = randomLayers(3, [2, 3, 1]);
    const once = writeWeights(FILE, layers).text;
    assert.equal(writeWeights(once, layers).text, once);
  });

  it('keeps CRLF line breaks and tab indentation', () => {
    const text = '{\r\n\t"layers": [\r\n\t\t{ "units": 1 },\r\n\t\t{\r\n\t\t\t"units": 2,\r\n\t\t\t"activation": "relu"\r\n\t\t}\r\n\t]\r\n}\r\n';
    const layers: LayerValues[] = [{ weights: [[1], [2]], biases: [3, 4] }];
    const out = writeWeights(text, layers).text;
    assert.equal(out, '{\r\n\t"layers": [\r\n\t\t{ "units": 1 },\r\n\t\t{\r\n\t\t\t"units": 2,\r\n\t\t\t"activation": "relu",\r\n\t\t\t"weights": [\r\n\t\t\t\t[1],\r\n\t\t\t\t[2]\r\n\t\t\t],\r\n\t\t\t"biases": [3, 4]\r\n\t\t}\r\n\t]\r\n}\r\n');
  });

  it('keeps a byte-order mark', () => {
    const text = '\uFEFF{"layers":[{"units":1},{"units":1,"activation":"linear"}]}';
    const { text: out, edits } = writeWeights(text, [{ weights: [[2]], biases: [3] }]);
    assert.equal(out, '\uFEFF{"layers":[{"units":1},{"units":1,"activation":"linear", "weights": [[2]], "biases": [3]}]}');
    assert.equal(apply(text, edits), out);
    assert.equal(removeLayerWeights(out, 1).text, text);
  });

  it('writes into a one-line file and after a trailing comma', () => {
    const text = '{"layers":[{"units":1},{"units":1,"activation":"linear","biases":[9],}]}';
    const out = writeWeights(text, [{ weights: [[2]], biases: [3] }]).text;
    assert.equal(out, '{"layers":[{"units":1},{"units":1,"activation":"linear","biases":[3], "weights": [[2]],}]}');
  });

  it('rounds to `precision` significant digits when asked', () => {
    const out = writeWeights(FILE, [{ weights: [[1 / 3, 2 / 3], [1, 2], [3, 4]], biases: [0, 0, 0] }, { weights: [[Math.PI, 0, 0]], biases: [0] }], { precision: 3 }).text;
    assert.ok(out.includes('[0.333, 0.667]') && out.includes('[[3.14, 0, 0]]'));
  });

  it('refuses non-finite values, a broken text and shapes that do not match', () => {
    const ok = randomLayers(4, [2, 3, 1]);
    const withNaN: LayerValues[] = [ok[0], { weights: [[NaN, 0, 0]], biases: [0] }];
    assert.throws(() => writeWeights(FILE, withNaN), /layer 2, row 0: a weight is not a finite number/);
    assert.throws(() => writeWeights(FILE, [ok[0], { weights: ok[1].weights, biases: [Infinity] }]), /layer 2: a bias is not a finite number/);
    assert.throws(() => writeWeights(FILE.replace('"units": 3,', '"units": 3'), ok), /the file does not parse: line 8:7/);
    assert.throws(() => writeWeights(FILE, [ok[0]]), /the file has 2 non-input layers but 1 were given/);
    assert.throws(() => writeWeights(FILE, [{ weights: ok[0].weights.slice(1), biases: ok[0].biases.slice(1) }, ok[1]]), /layer 1 has 3 units in the file/);
    assert.throws(() => writeWeights(FILE, [{ weights: ok[0].weights.map((r) => [...r, 1]), biases: ok[0].biases }, ok[1]]), /layer 1, row 0: 3 weights given, layer 0 has 2 units/);
    assert.equal(checkWriteBack(FILE, ok), undefined);
  });
});

describe('format: removeLayerWeights', () => {
  it('removes the weights and biases of one layer and nothing else', () => {
    const { text, edits } = removeLayerWeights(FILE, 2);
    assert.equal(text, FILE.replace(',\n      "weights": [[0.1, -0.2, 0.3]], "biases": [0.0]', ''));
    assert.equal(edits.length, 1);
    assert.equal(apply(FILE, edits), text);
    assert.deepEqual(removeLayerWeights(FILE, 1), { text: FILE, edits: [] });
  });
});
