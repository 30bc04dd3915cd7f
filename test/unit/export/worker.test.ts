// The extension's export runs in the real worker thread (dist/worker.js, bundled as the build does)
// so that the data, the self-check and the write never block the extension host's main thread.
// What it writes must be what the CLI writes for the same file, and a refused or failed export
// leaves nothing behind.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorker, type RealWorker } from '../extension/realWorker';
import { examplesDir, root, tmpDir } from './helpers';

describe('export in the worker thread (the extension\'s path)', function () {
  this.timeout(60_000);
  let worker: RealWorker;
  let dir: string;
  before(async () => {
    worker = await bundleWorker();
  });
  after(() => worker.cleanup());
  beforeEach(() => {
    dir = tmpDir();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const cli = path.join(root, 'dist', 'cli.js');

  it('writes the same PyTorch script, byte for byte, as `backprop export` does', async function () {
    if (!fs.existsSync(cli)) this.skip();
    const file = path.join(examplesDir, 'xor.net.json');
    const out = path.join(dir, 'from-worker.py');
    const client = worker.spawn();
    try {
      const outcome = await client.request('export', { text: fs.readFileSync(file, 'utf8'), fileName: file, options: { to: 'pytorch', out } });
      assert.deepEqual(outcome, { kind: 'written', paths: [out] });
    } finally {
      await client.dispose();
    }
    const byCli = path.join(dir, 'from-cli.py');
    const r = spawnSync(process.execPath, [cli, 'export', file, '--to', 'pytorch', '--out', byCli], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(fs.readFileSync(out, 'utf8'), fs.readFileSync(byCli, 'utf8'));
  });

  it('says when float64 ONNX cannot be the same model, names the alternative, and writes nothing', async () => {
    const file = path.join(dir, 'leaky.net.json');
    const text = JSON.stringify({ seed: 1, layers: [{ units: 2 }, { units: 3, activation: 'leaky-relu' }, { units: 1, activation: 'linear' }], loss: 'mse', training: { optimizer: 'sgd', learningRate: 0.1, epochs: 1 } });
    const out = path.join(dir, 'leaky.onnx');
    const client = worker.spawn();
    try {
      const outcome = await client.request('export', { text, fileName: file, options: { to: 'onnx', dtype: 'float64', out } });
      assert.equal(outcome.kind, 'unsupported');
      assert.ok(outcome.kind === 'unsupported' && outcome.flag === '--dtype float32', JSON.stringify(outcome));
      assert.deepEqual(fs.readdirSync(dir), []);
    } finally {
      await client.dispose();
    }
  });

  it('a file with problems is refused with the place of the first error, and nothing is written', async () => {
    const file = path.join(dir, 'broken.net.json');
    const text = '{\n  "layers": [{ "units": 2 }, { "units": 1, "activation": "sigmoidd" }],\n  "loss": "mse"\n}\n';
    const client = worker.spawn();
    try {
      const outcome = await client.request('export', { text, fileName: file, options: { to: 'pytorch', out: path.join(dir, 'broken.py') } });
      assert.equal(outcome.kind, 'failed');
      assert.match(outcome.kind === 'failed' ? outcome.message : '', /^cannot export: broken\.net\.json:2:\d+: /);
      assert.deepEqual(fs.readdirSync(dir), []);
    } finally {
      await client.dispose();
    }
  });

  it('a target in a missing folder fails with the reason, and nothing is written', async () => {
    const file = path.join(examplesDir, 'xor.net.json');
    const client = worker.spawn();
    try {
      const outcome = await client.request('export', { text: fs.readFileSync(file, 'utf8'), fileName: file, options: { to: 'pytorch', out: path.join(dir, 'missing', 'x.py') } });
      assert.equal(outcome.kind, 'failed');
      assert.match(outcome.kind === 'failed' ? outcome.message : '', /nothing was written$/);
      assert.deepEqual(fs.readdirSync(dir), []);
    } finally {
      await client.dispose();
    }
  });
});
