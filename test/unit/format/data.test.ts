/**
 * loadData: the three data forms (inline, CSV, generated), one-hot labels, class order of a CSV
 * label column, CSV problems, and the validation set (seeded fraction or a second data object).
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { generateData, loadData, parseNet, splitDataset, type LoadedData } from '../../../src/engine/format';
import { Rng } from '../../../src/engine/rng';
import type { Dataset } from '../../../src/engine/spec';
import { fixture, readFixture } from './helpers';

/** Parses `text` (which must be valid) and loads its data, reading files from `files`. */
function load(text: string, files: Record<string, string> = {}, baseDir = '/nets', allowOutside = false): LoadedData {
  const parsed = parseNet(text, path.join(baseDir, 't.net.json'));
  assert.deepEqual(parsed.problems, []);
  assert.ok(parsed.spec);
  return loadData(parsed.spec, parsed, baseDir, (abs) => {
    if (!(abs in files)) throw Object.assign(new Error(`ENOENT: ${abs}`), { code: 'ENOENT' });
    return files[abs];
  }, { allowOutside });
}

const rows = (d: Dataset | undefined, key: 'inputs' | 'targets'): number[][] => (d ? d[key].map((r) => Array.from(r)) : []);

describe('format: loadData, inline and CSV', () => {
  it('loads inline inputs and targets as Float64Arrays', () => {
    const { train, validation, problems } = load(`{ "layers": [{ "units": 2 }, { "units": 1, "activation": "sigmoid" }],
      "data": { "inputs": [[0, 0], [0, 1], [1, 0.5]], "targets": [[0], [1], [0.25]] } }`);
    assert.deepEqual(problems, []);
    assert.equal(validation, undefined);
    assert.ok(train && train.inputs.every((r) => r instanceof Float64Array) && train.targets.every((r) => r instanceof Float64Array));
    assert.deepEqual(rows(train, 'inputs'), [[0, 0], [0, 1], [1, 0.5]]);
    assert.deepEqual(rows(train, 'targets'), [[0], [1], [0.25]]);
    assert.equal(train.labels, undefined);
  });

  it('turns inline labels into one-hot targets over the output units', () => {
    const { train } = load(`{ "layers": [{ "units": 1 }, { "units": 3, "activation": "softmax" }],
      "data": { "inputs": [[5], [6], [7], [8]], "labels": [2, 0, 1, 2] } }`);
    assert.deepEqual(rows(train, 'targets'), [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    assert.deepEqual(train?.labels, [2, 0, 1, 2]);
  });

  it('returns no data and no problem when the file has no data', () => {
    assert.deepEqual(load('{ "layers": [{ "units": 1 }, { "units": 1, "activation": "linear" }] }'), { problems: [] });
  });

  it('loads a CSV with a label column from disk, relative to the .net.json file', () => {
    const file = fixture('valid', 'flowers.net.json');
    const parsed = parseNet(readFixture('valid', 'flowers.net.json'), file);
    assert.ok(parsed.spec);
    const { train, problems } = loadData(parsed.spec, parsed, path.dirname(file));
    assert.deepEqual(problems, []);
    // flowers.csv: two setosa, two versicolor, two virginica (see the file).
    assert.deepEqual(rows(train, 'inputs'), [
      [5.1, 3.5, 1.4, 0.2],
      [4.9, 3.0, 1.4, 0.2],
      [7.0, 3.2, 4.7, 1.4],
      [6.4, 3.2, 4.5, 1.5],
      [6.3, 3.3, 6.0, 2.5],
      [5.8, 2.7, 5.1, 1.9],
    ]);
    assert.deepEqual(train?.labels, [0, 0, 1, 1, 2, 2]);
    assert.deepEqual(train?.classNames, ['setosa', 'versicolor', 'virginica']);
    assert.deepEqual(train?.inputNames, ['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    assert.deepEqual(rows(train, 'targets')[2], [0, 1, 0]);
  });

  it('reads a CSV with a BOM, CRLF, a blank line, quotes and padded numbers', () => {
    const file = fixture('valid', 'messy.net.json');
    const parsed = parseNet(readFixture('valid', 'messy.net.json'), file);
    assert.ok(parsed.spec);
    const { train, problems } = loadData(parsed.spec, parsed, path.dirname(file));
    assert.deepEqual(problems, []);
    assert.deepEqual(rows(train, 'inputs'), [[1.5], [3], [0.5]]);
    assert.deepEqual(rows(train, 'targets'), [[-2], [0.4], [6]]);
  });

  it('orders numeric classes numerically and other classes by code unit', () => {
    const net = (col: string): string => `{ "layers": [{ "units": 1 }, { "units": 3, "activation": "softmax" }],
      "data": { "file": "c.csv", "inputs": ["x"], "label": "${col}" } }`;
    const csv = 'x,n,s\n1,10,b\n2,2,B\n3,1,a\n4,10,b\n';
    const numeric = load(net('n'), { '/nets/c.csv': csv }).train;
    assert.deepEqual(numeric?.classNames, ['1', '2', '10']);
    assert.deepEqual(numeric?.labels, [2, 1, 0, 2]);
    const text = load(net('s'), { '/nets/c.csv': csv }).train;
    assert.deepEqual(text?.classNames, ['B', 'a', 'b']);
    assert.deepEqual(text?.labels, [2, 0, 1, 2]);
  });

  it('resolves the CSV path against baseDir and accepts absolute paths (outside the folder only when allowed)', () => {
    const net = (file: string): string => `{ "layers": [{ "units": 1 }, { "units": 1, "activation": "linear" }],
      "data": { "file": "${file}", "inputs": ["x"], "targets": ["y"] } }`;
    const files = { '/data/sub/t.csv': 'x,y\n1,2\n', '/abs/t.csv': 'x,y\n3,4\n' };
    assert.deepEqual(rows(load(net('sub/t.csv'), files, '/data').train, 'targets'), [[2]]);
    assert.deepEqual(rows(load(net('/data/sub/t.csv'), files, '/data').train, 'targets'), [[2]]);
    assert.deepEqual(rows(load(net('/abs/t.csv'), files, '/data', true).train, 'targets'), [[4]]);
    for (const outside of ['/abs/t.csv', '../abs/t.csv']) {
      const refused = load(net(outside), files, '/data');
      assert.equal(refused.train, undefined);
      assert.deepEqual(refused.problems.map((p) => p.code), ['outside-data']);
      assert.match(refused.problems[0].message, /is outside the folder of the \.net\.json file; .*--allow-outside-data.*backprop\.data\.allowOutsideFolder/);
    }
  });

  it('points CSV problems at the string in the .net.json and names the CSV line', () => {
    const text = `{ "layers": [{ "units": 2 }, { "units": 1, "activation": "linear" }],
  "data": { "file": "t.csv", "inputs": ["a", "b"], "targets": ["y"] } }`;
    const check = (csv: string, code: string, message: string, at: string): void => {
      const { problems, train } = load(text, { '/nets/t.csv': csv });
      assert.equal(train, undefined);
      assert.deepEqual(problems.map((p) => [p.code, p.message, p.offset, p.line]), [[code, message, text.indexOf(at), 2]]);
    };
    check('a,b,y\n1,,3\n', 'not-a-number', '"t.csv" line 2, column "b": the cell is empty', '"b"');
    check('a,b,y\n1,2,3\n1,x,3\n1,y,3\n1,z,3\n', 'not-a-number', '"t.csv" line 3, column "b": "x" is not a number (and 2 more rows like it)', '"b"');
    check('a,b,y\n1,2,NaN\n', 'not-a-number', '"t.csv" line 2, column "y": "NaN" is not a number', '"y"');
    check('a,b,y\n1,2,1e999\n', 'not-a-number', '"t.csv" line 2, column "y": "1e999" is not a number', '"y"');
    check('a,b,y\n', 'empty-data', '"t.csv" has a header row but no data rows; the data needs at least one sample', '"t.csv"');
    check('', 'csv-syntax', '"t.csv" is not a valid CSV table: it is empty; it needs a header row of column names', '"t.csv"');
    check('a,b,y\n1,2,3\n1,2\n', 'csv-syntax', '"t.csv" is not a valid CSV table: line 3: the record has 2 fields but the header has 3', '"t.csv"');
    check('a,a,b,y\n1,2,3,4\n', 'ambiguous-column', '"t.csv" has more than one column named "a"', '"a"');
  });
});

describe('format: generated data', () => {
  const NAMES = ['xor', 'circle', 'gauss', 'spiral', 'moons'] as const;
  const classesOf = (g: string): number => (g === 'xor' || g === 'moons' ? 2 : 3);

  it('makes 2-D points with one-hot targets and labels i mod classes', () => {
    for (const g of NAMES) {
      const k = classesOf(g);
      const d = generateData(g, 31, 0.1, k, new Rng(1, 'data'));
      assert.equal(d.inputs.length, 31);
      assert.ok(d.inputs.every((x) => x instanceof Float64Array && x.length === 2 && x.every(Number.isFinite)));
      d.targets.forEach((t, i) => {
        assert.equal(t.length, k);
        assert.deepEqual(Array.from(t), Array.from({ length: k }, (_, c) => (c === i % k ? 1 : 0)));
      });
      assert.deepEqual(d.labels, Array.from({ length: 31 }, (_, i) => i % k));
    }
  });

  it('balances the classes to within one sample', () => {
    for (const g of NAMES) {
      const k = classesOf(g);
      const counts = new Array<number>(k).fill(0);
      for (const c of generateData(g, 200, 0.2, k, new Rng(3, 'data')).labels ?? []) counts[c]++;
      assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `${g}: ${counts}`);
    }
  });

  it('is bit-identical for the same seed and differs for another seed', () => {
    for (const g of NAMES) {
      const k = classesOf(g);
      const a = generateData(g, 50, 0.1, k, new Rng(42, 'data'));
      const b = generateData(g, 50, 0.1, k, new Rng(42, 'data'));
      const c = generateData(g, 50, 0.1, k, new Rng(43, 'data'));
      assert.deepEqual(rows(a, 'inputs'), rows(b, 'inputs'));
      assert.notDeepEqual(rows(a, 'inputs'), rows(c, 'inputs'));
    }
  });

  it('follows the documented geometry when there is no noise', () => {
    const eps = 1e-12;
    const xor = generateData('xor', 400, 0, 2, new Rng(1, 'data'));
    xor.inputs.forEach(([x, y], i) => {
      assert.ok(Math.abs(x) <= 1 && Math.abs(y) <= 1);
      assert.ok(xor.labels?.[i] === 0 ? x * y >= 0 : x * y <= 0);
    });
    const circle = generateData('circle', 400, 0, 3, new Rng(1, 'data'));
    circle.inputs.forEach(([x, y], i) => {
      const c = (circle.labels as number[])[i];
      const r = Math.hypot(x, y);
      assert.ok(r >= (c + 0.1) / 3 - eps && r <= (c + 0.9) / 3 + eps, `circle r=${r} class ${c}`);
    });
    const spiral = generateData('spiral', 400, 0, 3, new Rng(1, 'data'));
    spiral.inputs.forEach(([x, y], i) => {
      const c = (spiral.labels as number[])[i];
      const r = Math.hypot(x, y);
      const t = (r - 0.1) / 0.9; // radius 0.1 + 0.9 t
      const a = (2 * Math.PI * c) / 3 + 3 * Math.PI * t; // angle
      assert.ok(t >= -eps && t < 1 + eps);
      assert.ok(Math.abs(x - r * Math.cos(a)) < 1e-9 && Math.abs(y - r * Math.sin(a)) < 1e-9);
    });
    const moons = generateData('moons', 400, 0, 2, new Rng(1, 'data'));
    moons.inputs.forEach(([x, y], i) => {
      // class 0: (cos a - 0.5, sin a - 0.25); class 1: (0.5 - cos a, 0.25 - sin a); a in [0, pi]
      const [cx, cy] = moons.labels?.[i] === 0 ? [x + 0.5, y + 0.25] : [0.5 - x, 0.25 - y];
      assert.ok(Math.abs(Math.hypot(cx, cy) - 1) < 1e-12 && cy >= -eps);
    });
    const gauss = generateData('gauss', 3000, 0, 3, new Rng(1, 'data'));
    for (let c = 0; c < 3; c++) {
      const pts = gauss.inputs.filter((_, i) => gauss.labels?.[i] === c);
      const mx = pts.reduce((s, p) => s + p[0], 0) / pts.length;
      const my = pts.reduce((s, p) => s + p[1], 0) / pts.length;
      const sd = Math.sqrt(pts.reduce((s, p) => s + (p[0] - mx) ** 2, 0) / pts.length);
      // centre (cos 2 pi c / 3, sin 2 pi c / 3), standard deviation 0.25; 1000 points per class
      assert.ok(Math.abs(mx - Math.cos((2 * Math.PI * c) / 3)) < 0.05 && Math.abs(my - Math.sin((2 * Math.PI * c) / 3)) < 0.05);
      assert.ok(Math.abs(sd - 0.25) < 0.03, `gauss sd ${sd}`);
    }
  });

  it('adds Gaussian noise of standard deviation `noise` to each coordinate', () => {
    const clean = generateData('circle', 4000, 0, 2, new Rng(9, 'data'));
    const noisy = generateData('circle', 4000, 0.3, 2, new Rng(9, 'data'));
    const d = noisy.inputs.flatMap((p, i) => [(p[0] - clean.inputs[i][0]) / 0.3, (p[1] - clean.inputs[i][1]) / 0.3]);
    const mean = d.reduce((s, x) => s + x, 0) / d.length;
    const sd = Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / d.length);
    assert.ok(Math.abs(mean) < 0.05 && Math.abs(sd - 1) < 0.05, `mean ${mean}, sd ${sd}`);
  });

  it('seeds generated data with new Rng(seed, "data")', () => {
    const { train } = load('{ "seed": 11, "layers": [{ "units": 2 }, { "units": 2, "activation": "softmax" }], "data": { "generator": "moons", "samples": 20, "noise": 0.05 } }');
    assert.deepEqual(rows(train, 'inputs'), rows(generateData('moons', 20, 0.05, 2, new Rng(11, 'data')), 'inputs'));
  });
});

describe('format: validation data', () => {
  const inline = (n: number, validation: string): string => `{ "seed": 4, "layers": [{ "units": 1 }, { "units": 1, "activation": "linear" }],
    "data": { "inputs": [${Array.from({ length: n }, (_, i) => `[${i}]`).join(', ')}], "targets": [${Array.from({ length: n }, (_, i) => `[${i * 10}]`).join(', ')}] },
    "validation": ${validation} }`;

  it('holds out round(fraction * n) samples, keeping both parts in file order', () => {
    const { train, validation } = load(inline(10, '0.25'));
    const t = rows(train, 'inputs').map((r) => r[0]);
    const v = rows(validation, 'inputs').map((r) => r[0]);
    assert.equal(v.length, 3); // round(2.5) = 3
    assert.equal(t.length, 7);
    assert.deepEqual([...t, ...v].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(t, [...t].sort((a, b) => a - b));
    assert.deepEqual(v, [...v].sort((a, b) => a - b));
    // targets travel with their inputs
    assert.deepEqual(rows(validation, 'targets').map((r) => r[0]), v.map((x) => x * 10));
  });

  it('keeps at least one sample on each side', () => {
    assert.equal(load(inline(10, '0.01')).validation?.inputs.length, 1);
    assert.equal(load(inline(10, '0.99')).validation?.inputs.length, 9);
    assert.equal(load(inline(2, '0.5')).train?.inputs.length, 1);
  });

  it('refuses a fraction of a single sample', () => {
    const { problems, train } = load(inline(1, '0.5'));
    assert.equal(train, undefined);
    assert.deepEqual(problems.map((p) => [p.code, p.message]), [['too-few-samples', '"validation" holds out part of the data, but the data has 1 sample; at least 2 are needed']]);
  });

  it('splits with new Rng(seed, "validation"): shuffled indices, the first ones held out', () => {
    const data: Dataset = { inputs: [], targets: [] };
    for (let i = 0; i < 20; i++) {
      data.inputs.push(Float64Array.of(i));
      data.targets.push(Float64Array.of(-i));
    }
    const order = Array.from({ length: 20 }, (_, i) => i);
    new Rng(4, 'validation').shuffle(order);
    const expected = order.slice(0, 5).sort((a, b) => a - b);
    const split = splitDataset(data, 0.25, new Rng(4, 'validation'));
    assert.deepEqual(split.validation.inputs.map((x) => x[0]), expected);
    const other = splitDataset(data, 0.25, new Rng(5, 'validation'));
    assert.notDeepEqual(other.validation.inputs.map((x) => x[0]), expected);
    // the same seed through loadData
    const { validation } = load(inline(20, '0.25'));
    assert.deepEqual(rows(validation, 'inputs').map((r) => r[0]), expected);
  });

  it('loads a second data object, generated from its own stream', () => {
    const text = `{ "seed": 2, "layers": [{ "units": 2 }, { "units": 2, "activation": "softmax" }],
      "data": { "generator": "gauss", "samples": 30 },
      "validation": { "generator": "gauss", "samples": 30 } }`;
    const { train, validation } = load(text);
    assert.equal(validation?.inputs.length, 30);
    assert.notDeepEqual(rows(train, 'inputs'), rows(validation, 'inputs'));
    assert.deepEqual(rows(validation, 'inputs'), rows(generateData('gauss', 30, 0.1, 2, new Rng(2, 'validation-data')), 'inputs'));
  });

  it('keeps labels and class names on both sides of a split', () => {
    const { train, validation } = load(`{ "layers": [{ "units": 1 }, { "units": 2, "activation": "softmax" }],
      "data": { "file": "c.csv", "inputs": ["x"], "label": "k" }, "validation": 0.5 }`, { '/nets/c.csv': 'x,k\n1,p\n2,q\n3,p\n4,q\n' });
    for (const d of [train, validation]) {
      assert.deepEqual(d?.classNames, ['p', 'q']);
      d?.inputs.forEach((x, i) => assert.equal(d.labels?.[i], x[0] % 2 === 1 ? 0 : 1));
    }
  });
});
