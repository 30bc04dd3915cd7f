/**
 * `backprop export` and `backprop import` spawned as a user runs them: files written where asked,
 * an export that would change the model refused with the flag that accepts the alternative, and no
 * file written or changed by a failed export. Needs `npm run build` first.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Network, parseNet } from '../../../src/engine';
import { examplesDir, root, tmpDir } from './helpers';

const cli = path.join(root, 'dist', 'cli.js');

function run(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const ELU_NET = '{ "layers": [{ "units": 2 }, { "units": 3, "activation": "elu" }, { "units": 1, "activation": "sigmoid" }], "data": { "inputs": [[0, 1], [1, 0]], "targets": [[1], [0]] } }';

describe('CLI: export and import (spawned)', function () {
  this.timeout(120_000);
  let dir: string;

  before(() => {
    assert.ok(fs.existsSync(cli), 'dist/cli.js is missing: run `npm run build` first');
    dir = tmpDir();
    for (const f of ['iris.net.json', 'iris.csv', 'xor.net.json']) fs.copyFileSync(path.join(examplesDir, f), path.join(dir, f));
    fs.writeFileSync(path.join(dir, 'elu.net.json'), ELU_NET);
  });

  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes FILE.py, FILE.onnx and FILE.ipynb beside the network by default, and --out elsewhere', () => {
    for (const to of ['pytorch', 'onnx', 'ipynb']) {
      const r = run(['export', 'iris.net.json', '--to', to], dir);
      assert.equal(r.code, 0, r.stderr);
    }
    assert.match(fs.readFileSync(path.join(dir, 'iris.py'), 'utf8'), /^DATA_FILE = "iris.csv"$/m);
    assert.ok(fs.statSync(path.join(dir, 'iris.onnx')).size > 100);
    assert.equal((JSON.parse(fs.readFileSync(path.join(dir, 'iris.ipynb'), 'utf8')) as { nbformat: number }).nbformat, 4);
    fs.mkdirSync(path.join(dir, 'sub'));
    const r = run(['export', 'iris.net.json', '--to', 'pytorch', '--out', 'sub/model.py'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(fs.readFileSync(path.join(dir, 'sub', 'model.py'), 'utf8'), /^DATA_FILE = "..\/iris.csv"$/m);
  });

  it('refuses float64 ONNX with elu, naming --dtype float32, and writes nothing; float32 then works', () => {
    const r = run(['export', 'elu.net.json', '--to', 'onnx', '--dtype', 'float64'], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^elu\.net\.json: error: cannot export layer 1 \(elu\) to ONNX in float64: .*; nothing was written\. To export as float32 instead, run again with --dtype float32$/m);
    assert.ok(!fs.existsSync(path.join(dir, 'elu.onnx')));
    assert.equal(run(['export', 'elu.net.json', '--to', 'onnx', '--dtype', 'float32'], dir).code, 0);
  });

  it('a failed write changes nothing and leaves no temporary file (exit 3)', () => {
    fs.writeFileSync(path.join(dir, 'keep.py'), 'original');
    fs.mkdirSync(path.join(dir, 'keep.py.data.csv')); // the data file's place is taken by a folder
    const before = fs.readdirSync(dir).sort();
    const r = run(['export', 'xor.net.json', '--to', 'pytorch', '--data-csv', '--out', 'keep.py'], dir);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /nothing was written/);
    assert.equal(fs.readFileSync(path.join(dir, 'keep.py'), 'utf8'), 'original');
    assert.deepEqual(fs.readdirSync(dir).sort(), before);
    const missing = run(['export', 'xor.net.json', '--to', 'onnx', '--out', 'no/such/folder/x.onnx'], dir);
    assert.equal(missing.code, 3);
  });

  it('data outside the network file\'s folder needs --allow-outside-data, as train does (the refusal names the flag export accepts)', () => {
    const sub = fs.mkdtempSync(path.join(dir, 'outside-'));
    fs.mkdirSync(path.join(sub, 'net'));
    fs.copyFileSync(path.join(root, 'examples', 'iris.csv'), path.join(sub, 'iris.csv'));
    fs.writeFileSync(path.join(sub, 'net', 'c.net.json'), fs.readFileSync(path.join(root, 'examples', 'iris.net.json'), 'utf8').replace('"file": "iris.csv"', '"file": "../iris.csv"'));
    const refused = run(['export', 'net/c.net.json', '--to', 'onnx'], sub);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /outside the folder .*--allow-outside-data/);
    assert.ok(!fs.existsSync(path.join(sub, 'net', 'c.onnx')));
    const allowed = run(['export', 'net/c.net.json', '--to', 'onnx', '--allow-outside-data'], sub);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.ok(fs.statSync(path.join(sub, 'net', 'c.onnx')).size > 0);
  });

  it('usage errors exit 2 and name the problem', () => {
    for (const [args, msg] of [
      [['export', 'xor.net.json'], /needs --to/],
      [['export', 'xor.net.json', '--to', 'keras'], /--to must be one of pytorch, onnx, ipynb/],
      [['export', 'xor.net.json', '--to', 'pytorch', '--dtype', 'float32'], /--dtype is an option of --to onnx/],
      [['import', 'x.onnx'], /import needs --out/],
    ] as const) {
      const r = run([...args], dir);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, msg);
    }
  });

  it('import: an exported model comes back as a valid .net.json; garbage is refused naming the file', () => {
    assert.equal(run(['export', 'xor.net.json', '--to', 'onnx', '--dtype', 'float64', '--out', 'xor64.onnx'], dir).code, 0);
    const r = run(['import', 'xor64.onnx', '--out', 'back.net.json'], dir);
    assert.equal(r.code, 0, r.stderr);
    const p = parseNet(fs.readFileSync(path.join(dir, 'back.net.json'), 'utf8'), 'back.net.json');
    assert.ok(p.spec, p.problems.map((x) => x.message).join('; '));
    const orig = parseNet(fs.readFileSync(path.join(dir, 'xor.net.json'), 'utf8'), 'xor.net.json').spec;
    assert.ok(orig);
    // the file has no weights: the export holds the seed's, and they come back exactly
    assert.deepEqual(p.spec.layers.map((l) => ({ weights: l.weights, biases: l.biases })), Network.fromSpec(orig).weights());
    fs.writeFileSync(path.join(dir, 'junk.onnx'), 'this is not a model');
    const bad = run(['import', 'junk.onnx', '--out', 'junk.net.json'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^junk\.onnx: error: .*nothing was written$/m);
    assert.ok(!fs.existsSync(path.join(dir, 'junk.net.json')));
  });
});
