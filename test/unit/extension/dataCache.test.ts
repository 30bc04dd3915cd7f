// Unit tests (plain Node) for the diagnostics' data checks off the main thread: the cache key
// (what the data's problems depend on), the cache (hits, shared work in flight, failures not kept,
// eviction), and placing the worker's problems-by-path into an edited text, with the engine's own
// loadData on that edited text as the oracle.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadData, parseNet } from '../../../src/engine/format';
import { DataCache, dataKey } from '../../../src/extension/editor/dataCache';
import { checkData, placeDataProblems } from '../../../src/extension/worker/dataCheck';
import { WorkerCore } from '../../../src/extension/worker/core';
import type { WorkerToHost } from '../../../src/extension/worker/protocol';

const NET = (data: string, extra = ''): string => `{
  // a network on a CSV file
  "name": "csv net", "seed": 3,${extra}
  "layers": [ { "units": 2 }, { "units": 2, "activation": "tanh" }, { "units": 1, "activation": "sigmoid" } ],
  "loss": "binary-cross-entropy",
  "training": { "optimizer": "sgd", "learningRate": 0.1, "epochs": 10, "batchSize": 2 },
  "data": ${data}
}`;

function specOf(text: string, file: string) {
  const parsed = parseNet(text, file);
  assert.ok(parsed.spec, parsed.problems.map((p) => p.message).join('; '));
  return parsed.spec;
}

describe('extension: data checks (cache key, cache, placing problems)', () => {
  let dir: string;
  let file: string;
  let csv: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backprop-datacache-'));
    file = path.join(dir, 'net.net.json');
    csv = path.join(dir, 'd.csv');
    fs.writeFileSync(csv, 'a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n');
  });

  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('the key stays when the file changes elsewhere, and changes with the data spec, the CSV size, its mtime or its presence', async () => {
    const data = '{ "file": "d.csv", "inputs": ["a", "b"], "targets": ["y"] }';
    const base = await dataKey(specOf(NET(data), file), dir);
    // Elsewhere: name, learning rate, a comment, weights written back.
    const elsewhere = NET(data).replace('"csv net"', '"renamed"').replace('0.1', '0.05').replace('// a network', '// edited: a network');
    assert.strictEqual(await dataKey(specOf(elsewhere, file), dir), base);
    // The data spec, the seed, the output layer: another key.
    assert.notStrictEqual(await dataKey(specOf(NET(data.replace('"b"', '"y"')), file), dir), base);
    assert.notStrictEqual(await dataKey(specOf(NET(data).replace('"seed": 3', '"seed": 4'), file), dir), base);
    // The same spec, from a file in another folder: another CSV file.
    assert.notStrictEqual(await dataKey(specOf(NET(data), file), os.tmpdir()), base);
    // The CSV's size changes.
    fs.writeFileSync(csv, 'a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n1,1,0\n');
    const grown = await dataKey(specOf(NET(data), file), dir);
    assert.notStrictEqual(grown, base);
    // Only its mtime changes.
    const st = fs.statSync(csv);
    fs.utimesSync(csv, st.atime, new Date(st.mtimeMs + 5000));
    const touched = await dataKey(specOf(NET(data), file), dir);
    assert.notStrictEqual(touched, grown);
    assert.strictEqual(await dataKey(specOf(NET(data), file), dir), touched, 'stable while nothing changes');
    fs.rmSync(csv);
    assert.notStrictEqual(await dataKey(specOf(NET(data), file), dir), touched);
  });

  it('the cache computes once per key, shares a computation in flight, keeps no failure and evicts the least recently used', async () => {
    const cache = new DataCache<string>(2);
    let computed = 0;
    const compute = (v: string) => async () => {
      computed++;
      await new Promise((r) => setTimeout(r, 5));
      return v;
    };
    const [x, y] = await Promise.all([cache.get('k1', compute('one')), cache.get('k1', compute('other'))]);
    assert.deepStrictEqual([x, y, computed], ['one', 'one', 1]);
    assert.strictEqual(await cache.get('k1', compute('again')), 'one');
    assert.strictEqual(computed, 1);
    assert.deepStrictEqual([cache.hits, cache.misses], [1, 1]);

    await assert.rejects(cache.get('bad', async () => Promise.reject(new Error('worker crashed'))), /worker crashed/);
    assert.strictEqual(await cache.get('bad', compute('recovered')), 'recovered', 'a failure is not kept');

    // Capacity 2 holds k1 and bad; k1 is used again, so adding k3 evicts bad.
    assert.strictEqual(cache.peek('k1'), 'one');
    await cache.get('k3', compute('three'));
    assert.strictEqual(cache.size, 2);
    assert.strictEqual(cache.peek('bad'), undefined, 'the least recently used entry was evicted');
    assert.strictEqual(cache.peek('k1'), 'one');
  });

  it('problems found on one text land exactly where loadData puts them in a text edited elsewhere, quick fix included', () => {
    // "bb" does not exist (the fix suggests "b"); the CSV is read by the check only.
    const data = '{ "file": "d.csv", "inputs": ["a", "bb"], "targets": ["y"] }';
    const before = NET(data);
    let reads = 0;
    const located = checkData(before, file, (p) => {
      reads++;
      return fs.readFileSync(p, 'utf8');
    });
    assert.strictEqual(reads, 1);
    assert.strictEqual(located.length, 1);
    assert.deepStrictEqual(located[0].path, ['data', 'inputs', 1]);

    // Two lines and a property inserted above the data: every offset below moves.
    const after = NET(data, '\n  // a new comment\n  "validation": 0.5,').replace('"seed": 3', '"seed":    3');
    const parsedAfter = parseNet(after, file);
    assert.ok(parsedAfter.spec);
    const placed = placeDataProblems(parsedAfter, located);
    const oracle = loadData(parsedAfter.spec, parsedAfter, dir).problems;
    assert.deepStrictEqual(placed, oracle);
    const p = placed[0];
    assert.strictEqual(after.slice(p.offset, p.offset + p.length), '"bb"');
    assert.ok(p.fix && p.fix.kind === 'replace');
    assert.strictEqual(after.slice(p.fix.offset, p.fix.offset + p.fix.length), '"bb"');
    assert.strictEqual(p.fix.text, '"b"');
  });

  it('a missing CSV file and a generator with a held-out fraction: the same problems as loadData', () => {
    const missing = NET('{ "file": "nope.csv", "inputs": ["a", "b"], "targets": ["y"] }');
    const parsed = parseNet(missing, file);
    assert.ok(parsed.spec);
    assert.deepStrictEqual(placeDataProblems(parsed, checkData(missing, file)), loadData(parsed.spec, parsed, dir).problems);
    assert.match(placeDataProblems(parsed, checkData(missing, file))[0].message, /nope\.csv/);
    const clean = NET('{ "file": "d.csv", "inputs": ["a", "b"], "targets": ["y"] }');
    assert.deepStrictEqual(checkData(clean, file), []);
    // A generator with a held-out fraction: generated and split in the check, nothing to report.
    const generated = NET('{ "generator": "xor", "samples": 40 }', '\n  "validation": 0.25,')
      .replace('{ "units": 1, "activation": "sigmoid" }', '{ "units": 2, "activation": "softmax" }')
      .replace('"binary-cross-entropy"', '"cross-entropy"');
    const pg = parseNet(generated, file);
    assert.ok(pg.spec, pg.problems.map((q) => q.message).join('; '));
    const direct = loadData(pg.spec, pg, dir);
    assert.strictEqual(direct.validation?.inputs.length, 10, 'the oracle really split the data');
    assert.deepStrictEqual(checkData(generated, file), direct.problems);
  });

  it('the worker answers checkData without loading the network it holds', () => {
    const posted: WorkerToHost[] = [];
    const core = new WorkerCore((m) => posted.push(m), (fn) => fn());
    const text = NET('{ "file": "d.csv", "inputs": ["a", "zz"], "targets": ["y"] }');
    core.handle({ kind: 'request', id: 1, type: 'checkData', params: { text, fileName: file } });
    const reply = posted.find((m) => m.kind === 'reply' && m.id === 1);
    assert.ok(reply && reply.kind === 'reply' && reply.ok);
    assert.deepStrictEqual(reply.result, { problems: checkData(text, file), threadId: 0 });
    core.handle({ kind: 'request', id: 2, type: 'weights', params: {} });
    const r2 = posted.find((m) => m.kind === 'reply' && m.id === 2);
    assert.ok(r2 && r2.kind === 'reply' && !r2.ok, 'no network was loaded by the check');
  });
});
