/**
 * schemas/net-json.schema.json: valid JSON, draft-07, and in step with the engine: every
 * activation, loss, optimizer, init and generator of spec.ts, the defaults, the keys the
 * validator knows, and a description on every property.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_GENERATOR, DEFAULT_TRAINING, LIMITS, TOP_KEYS, TRAINING_KEYS } from '../../../src/engine/format';
import { ACTIVATIONS, GENERATORS, INITS, LOSSES, OPTIMIZERS } from '../../../src/engine/spec';
import { ROOT } from './helpers';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const text = fs.readFileSync(path.join(ROOT, 'schemas', 'net-json.schema.json'), 'utf8');
const schema = JSON.parse(text) as Obj;

function get(o: Json, ...keys: string[]): Obj {
  let cur: Json = o;
  for (const k of keys) cur = (cur as Obj)[k];
  return cur as Obj;
}

describe('format: JSON Schema', () => {
  it('is draft-07 and tolerates comments and trailing commas', () => {
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.equal(schema.allowComments, true);
    assert.equal(schema.allowTrailingCommas, true);
    assert.deepEqual(schema.required, ['layers']);
  });

  it('lists every activation, loss, optimizer, init and generator of spec.ts, each described', () => {
    const layer = get(schema, 'definitions', 'layer', 'properties');
    const pairs: [Obj, readonly string[]][] = [
      [get(layer, 'activation'), ACTIVATIONS],
      [get(layer, 'init'), INITS],
      [get(schema, 'properties', 'init'), INITS],
      [get(schema, 'properties', 'loss'), LOSSES],
      [get(schema, 'properties', 'training', 'properties', 'optimizer'), OPTIMIZERS],
      [get(schema, 'definitions', 'data', 'properties', 'generator'), GENERATORS],
    ];
    for (const [prop, values] of pairs) {
      assert.deepEqual(prop.enum, [...values]);
      assert.equal((prop.enumDescriptions as string[]).length, values.length);
      assert.equal((prop.markdownEnumDescriptions as string[]).length, values.length);
    }
  });

  it('knows exactly the keys the validator knows', () => {
    assert.deepEqual(Object.keys(get(schema, 'properties')).sort(), [...TOP_KEYS].sort());
    assert.deepEqual(Object.keys(get(schema, 'properties', 'training', 'properties')).sort(), [...TRAINING_KEYS].sort());
    assert.deepEqual(Object.keys(get(schema, 'definitions', 'layer', 'properties')).sort(), ['activation', 'biases', 'init', 'units', 'weights']);
    assert.deepEqual(Object.keys(get(schema, 'definitions', 'inputLayer', 'properties')), ['units']);
  });

  it('states the same defaults and limits as the engine', () => {
    const training = get(schema, 'properties', 'training', 'properties');
    for (const [k, v] of Object.entries(DEFAULT_TRAINING)) assert.equal(get(training, k).default, v, k);
    assert.equal(get(training, 'batchSize').default, undefined);
    const data = get(schema, 'definitions', 'data', 'properties');
    assert.equal(get(data, 'samples').default, DEFAULT_GENERATOR.samples);
    assert.equal(get(data, 'noise').default, DEFAULT_GENERATOR.noise);
    assert.equal(get(schema, 'properties', 'seed').maximum, LIMITS.maxSeed);
    assert.equal(get(schema, 'definitions', 'layer', 'properties', 'units').maximum, LIMITS.maxUnits);
  });

  it('describes every property', () => {
    const missing: string[] = [];
    const walk = (node: Json, where: string): void => {
      if (node === null || typeof node !== 'object') return;
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${where}[${i}]`));
      const props = node.properties;
      if (props && typeof props === 'object' && !Array.isArray(props)) {
        for (const [k, p] of Object.entries(props)) {
          const po = p as Obj;
          if (typeof po.description !== 'string' || typeof po.markdownDescription !== 'string') missing.push(`${where}.${k}`);
        }
      }
      for (const [k, v] of Object.entries(node)) walk(v, `${where}.${k}`);
    };
    walk(schema, '#');
    assert.deepEqual(missing, []);
  });
});
