/**
 * parseNet on valid files: the resolved spec (with every default of the contract applied),
 * warnings that keep the spec, locate(), and several errors found in one pass.
 */
import * as assert from 'node:assert/strict';
import { parseNet, type ParsedNet } from '../../../src/engine/format';
import type { NetSpec } from '../../../src/engine/spec';

function specOf(text: string): NetSpec {
  const parsed = parseNet(text, 't.net.json');
  assert.deepEqual(parsed.problems, [], 'expected no problems');
  assert.ok(parsed.spec);
  return parsed.spec;
}

const CONTRACT_EXAMPLE = `{
  "name": "xor",
  "seed": 7,
  "layers": [
    { "units": 2 },
    { "units": 3, "activation": "sigmoid" },
    { "units": 1, "activation": "sigmoid",
      "weights": [[0.1, -0.2, 0.3]], "biases": [0.0] }
  ],
  "loss": "half-squared-error",
  "training": { "optimizer": "sgd", "learningRate": 0.5, "epochs": 5000, "batchSize": 4 },
  "data": { "inputs": [[0,0],[0,1],[1,0],[1,1]], "targets": [[0],[1],[1],[0]] }
}`;

/** The training defaults of the contract, written out by hand. */
const DEFAULTS = { optimizer: 'sgd', learningRate: 0.1, epochs: 100, momentum: 0.9, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, l2: 0, shuffle: true, precision: 'float64' };

describe('format: parseNet', () => {
  it('resolves the example of the contract', () => {
    assert.deepEqual(specOf(CONTRACT_EXAMPLE), {
      name: 'xor',
      seed: 7,
      inputs: 2,
      layers: [
        { units: 3, activation: 'sigmoid', init: 'xavier' },
        { units: 1, activation: 'sigmoid', init: 'xavier', weights: [[0.1, -0.2, 0.3]], biases: [0] },
      ],
      loss: 'half-squared-error',
      training: { ...DEFAULTS, learningRate: 0.5, epochs: 5000, batchSize: 4 },
      data: { kind: 'inline', inputs: [[0, 0], [0, 1], [1, 0], [1, 1]], targets: [[0], [1], [1], [0]] },
    });
  });

  it('applies the defaults: seed 0, training settings, no batch size (full batch)', () => {
    const spec = specOf('{ "layers": [{ "units": 1 }, { "units": 1, "activation": "linear" }] }');
    assert.equal(spec.seed, 0);
    assert.deepEqual(spec.training, DEFAULTS);
    assert.equal('batchSize' in spec.training, false);
    assert.equal(spec.loss, 'half-squared-error');
    assert.equal(spec.data, undefined);
    assert.equal(spec.validation, undefined);
    assert.equal('name' in spec, false);
  });

  it('defaults init to he for relu, leaky-relu and elu, xavier otherwise', () => {
    const acts = ['relu', 'leaky-relu', 'elu', 'sigmoid', 'tanh', 'softplus', 'linear'];
    const layers = acts.map((a) => `{ "units": 2, "activation": "${a}" }`).join(', ');
    const spec = specOf(`{ "layers": [{ "units": 2 }, ${layers}, { "units": 2, "activation": "softmax" }] }`);
    assert.deepEqual(
      spec.layers.map((l) => l.init),
      ['he', 'he', 'he', 'xavier', 'xavier', 'xavier', 'xavier', 'xavier'],
    );
  });

  it('lets the file and each layer choose init (the layer wins)', () => {
    const spec = specOf(`{ "init": "he", "layers": [{ "units": 2 },
      { "units": 2, "activation": "sigmoid" },
      { "units": 2, "activation": "relu", "init": "xavier" }] }`);
    assert.deepEqual(spec.layers.map((l) => l.init), ['he', 'xavier']);
  });

  it('defaults the loss to cross-entropy for a softmax output', () => {
    assert.equal(specOf('{ "layers": [{ "units": 2 }, { "units": 3, "activation": "softmax" }] }').loss, 'cross-entropy');
    assert.equal(specOf('{ "layers": [{ "units": 2 }, { "units": 3, "activation": "sigmoid" }] }').loss, 'half-squared-error');
  });

  it('accepts every optimizer setting and keeps the rest at their defaults', () => {
    const spec = specOf(`{ "layers": [{ "units": 1 }, { "units": 1, "activation": "linear" }],
      "training": { "optimizer": "adam", "beta2": 0.99, "epsilon": 1e-6, "l2": 0.01, "shuffle": false, "momentum": 0, "precision": "float32" } }`);
    assert.deepEqual(spec.training, { ...DEFAULTS, optimizer: 'adam', beta2: 0.99, epsilon: 1e-6, l2: 0.01, shuffle: false, momentum: 0, precision: 'float32' });
  });

  it('tolerates comments, trailing commas and CRLF line breaks', () => {
    const text = '// c\r\n{ /* a */ "layers": [{ "units": 1, }, { "units": 1, "activation": "linear", },], }\r\n';
    assert.equal(specOf(text).inputs, 1);
  });

  it('reads a file that starts with a byte-order mark', () => {
    const text = '\uFEFF{ "layers": [{ "units": 1 }, { "units": 1, "activation": "linear" }], "sed": 1 }';
    const parsed = parseNet(text, 'bom.net.json');
    assert.ok(parsed.spec);
    assert.deepEqual(parsed.problems.map((p) => [p.code, p.offset, p.column]), [['unknown-key', text.indexOf('"sed"'), text.indexOf('"sed"')]]);
  });

  it('accepts seeds from 0 to 4294967295 only', () => {
    const net = (seed: string): ParsedNet => parseNet(`{ "seed": ${seed}, "layers": [{ "units": 1 }, { "units": 1, "activation": "linear" }] }`, 's.net.json');
    assert.equal(net('0').spec?.seed, 0);
    assert.equal(net('4294967295').spec?.seed, 4294967295);
    assert.equal(net('-1').problems[0].code, 'bad-value');
    assert.equal(net('4294967296').problems[0].code, 'bad-value');
  });

  it('accepts "version": 1 and "$schema", refuses other versions', () => {
    const base = '"layers": [{ "units": 1 }, { "units": 1, "activation": "linear" }]';
    assert.ok(specOf(`{ "$schema": "./net-json.schema.json", "version": 1, ${base} }`));
    const bad = parseNet(`{ "version": 2, ${base} }`, 'v.net.json');
    assert.deepEqual(bad.problems.map((p) => p.code), ['unsupported-version']);
  });

  it('reads a validation fraction and a validation data object', () => {
    const base = '"layers": [{ "units": 2 }, { "units": 2, "activation": "softmax" }], "data": { "generator": "moons" }';
    assert.deepEqual(specOf(`{ ${base}, "validation": 0.25 }`).validation, { kind: 'fraction', fraction: 0.25 });
    assert.deepEqual(specOf(`{ ${base}, "validation": { "generator": "moons", "samples": 50, "noise": 0 } }`).validation, {
      kind: 'data',
      data: { kind: 'generator', generator: 'moons', samples: 50, noise: 0, classes: 2 },
    });
  });

  it('fills in generator defaults: 200 samples, noise 0.1, classes = output units', () => {
    const spec = specOf('{ "layers": [{ "units": 2 }, { "units": 4, "activation": "softmax" }], "data": { "generator": "gauss" } }');
    assert.deepEqual(spec.data, { kind: 'generator', generator: 'gauss', samples: 200, noise: 0.1, classes: 4 });
  });

  it('reads the CSV form without touching the disk', () => {
    const spec = specOf(`{ "layers": [{ "units": 2 }, { "units": 3, "activation": "softmax" }],
      "data": { "file": "does/not/exist.csv", "inputs": ["a", "b"], "label": "c" } }`);
    assert.deepEqual(spec.data, { kind: 'csv', file: 'does/not/exist.csv', inputs: ['a', 'b'], label: 'c' });
  });

  it('warns about an unknown key, suggests a near one and keeps the spec', () => {
    const text = '{ "layers": [{ "units": 1 }, { "units": 1, "activation": "linear" }], "seeed": 3 }';
    const parsed = parseNet(text, 'u.net.json');
    assert.ok(parsed.spec);
    assert.equal(parsed.spec.seed, 0);
    const [p] = parsed.problems;
    assert.equal(p.severity, 'warning');
    assert.equal(p.message, 'unknown key "seeed" in the file (did you mean "seed"?); it is ignored');
    assert.equal(p.offset, text.indexOf('"seeed"'));
    assert.equal(p.length, '"seeed"'.length);
    assert.deepEqual(p.fix, { kind: 'replace', title: 'Change to "seed"', offset: p.offset, length: 7, text: '"seed"' });
  });

  it('offers to remove an unknown key with no near match', () => {
    const text = '{ "layers": [{ "units": 1 }, { "units": 1, "activation": "linear", "colour": "red" }] }';
    const [p] = parseNet(text, 'u.net.json').problems;
    assert.equal(p.code, 'unknown-key');
    assert.ok(p.fix && p.fix.kind === 'replace');
    const fixed = text.slice(0, p.fix.offset) + p.fix.text + text.slice(p.fix.offset + p.fix.length);
    assert.equal(fixed, '{ "layers": [{ "units": 1 }, { "units": 1, "activation": "linear" }] }');
  });

  it('refuses a duplicate key with an error at the later one, naming the first, and a fix that removes it', () => {
    const text = '{ "seed": 1, "layers": [{ "units": 1 }, { "units": 1, "activation": "linear" }], "seed": 2 }';
    const parsed = parseNet(text, 'd.net.json');
    assert.equal(parsed.spec, undefined);
    const later = text.lastIndexOf('"seed"');
    assert.deepEqual(parsed.problems.map((p) => [p.code, p.severity, p.offset]), [['duplicate-key', 'error', later]]);
    assert.equal(parsed.problems[0].message, 'duplicate key `seed` (first at 1:3); a key may appear only once in an object');
    const fix = parsed.problems[0].fix;
    assert.ok(fix && fix.kind === 'replace');
    const fixed = text.slice(0, fix.offset) + fix.text + text.slice(fix.offset + fix.length);
    assert.equal(fixed, '{ "seed": 1, "layers": [{ "units": 1 }, { "units": 1, "activation": "linear" }] }');
    assert.equal(parseNet(fixed, 'd.net.json').spec?.seed, 1);
  });

  it('warns that softmax over one unit cannot learn', () => {
    const parsed = parseNet('{ "layers": [{ "units": 2 }, { "units": 1, "activation": "softmax" }] }', 's.net.json');
    assert.deepEqual(parsed.problems.map((p) => [p.code, p.severity]), [['softmax-one-unit', 'warning']]);
  });

  it('reports every error of a file in one pass, sorted by position', () => {
    const text = `{
  "seed": "seven",
  "layers": [
    { "units": 0 },
    { "units": 2, "activation": "relu" },
    { "units": 1, "activation": "sigmoid" }
  ],
  "training": { "learningRate": -1, "epochs": 0, "shuffle": "yes" }
}`;
    const parsed = parseNet(text, 'm.net.json');
    assert.equal(parsed.spec, undefined);
    assert.deepEqual(
      parsed.problems.map((p) => [p.line, p.code]),
      [[2, 'bad-value'], [4, 'bad-value'], [8, 'bad-value'], [8, 'bad-value'], [8, 'bad-value']],
    );
    assert.equal(parsed.problems[0].message, '"seed" must be a whole number from 0 to 4294967295, not the string "seven"');
    assert.equal(parsed.problems[2].message, '"learningRate" must be a number greater than 0; it is -1');
    assert.equal(parsed.problems[3].message, '"epochs" must be a whole number from 1 to 100000000; it is 0');
    assert.equal(parsed.problems[4].message, '"shuffle" must be true or false, not the string "yes"');
  });

  it('points a missing required key at the object that lacks it', () => {
    const text = '{ "layers": [{ "units": 2 }, { "activation": "relu" }] }';
    const [p] = parseNet(text, 'r.net.json').problems;
    assert.equal(p.code, 'missing-key');
    assert.equal(p.offset, text.indexOf('{ "activation"'));
    assert.equal(p.length, '{ "activation": "relu" }'.length);
  });

  it('locates any value by its path', () => {
    const parsed = parseNet(CONTRACT_EXAMPLE, 'x.net.json');
    const row = parsed.locate(['layers', 2, 'weights', 0]);
    assert.deepEqual(row, { offset: CONTRACT_EXAMPLE.indexOf('[0.1, -0.2, 0.3]'), length: '[0.1, -0.2, 0.3]'.length });
    assert.equal(parsed.locate(['layers', 5]), undefined);
    const p = parsed.problemAt(['layers', 1, 'nothing', 'here'], 'error', 'x', 'm');
    assert.equal(p.offset, CONTRACT_EXAMPLE.indexOf('{ "units": 3'));
  });

  it('says an empty file or a file of comments holds no object', () => {
    assert.equal(parseNet('', 'e.net.json').problems[0].message, 'the file is empty; a .net.json file holds one JSON object');
    assert.equal(parseNet('  // nothing\n', 'e.net.json').problems[0].message, 'the file holds only comments; a .net.json file holds one JSON object');
  });

  it('explains single quotes and text after the object', () => {
    assert.equal(parseNet("{ 'layers': [] }", 'q.net.json').problems[0].message, "strings and property names need double quotes, not single quotes: 'layers'");
    const two = parseNet('{ "a": 1 }\n{ "b": 2 }', 't.net.json').problems;
    assert.deepEqual([two[0].line, two[0].column, two[0].message], [2, 1, "unexpected '{' after the end of the JSON object; a .net.json file holds exactly one object"]);
  });
});
