/**
 * The CLI end to end, as a user runs it: `node dist/cli.js ...` spawned, exit codes, stdout and
 * stderr. Needs `npm run build` first (the test script does that).
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../../../..');
const cli = path.join(root, 'dist', 'cli.js');
const examples = path.join(root, 'examples');

function run(args: string[], cwd = root): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'backprop-cli-'));
}

const xorWithWeights = (w: number[][], b: number[], v: number[][], c: number[], extra = ''): string => `// a test network
{
  "seed": 5, ${extra}
  "layers": [
    { "units": 2 },
    { "units": 2, "activation": "sigmoid", "weights": ${JSON.stringify(w)}, "biases": ${JSON.stringify(b)} },
    { "units": 1, "activation": "sigmoid", "weights": ${JSON.stringify(v)}, "biases": ${JSON.stringify(c)} }
  ],
  "training": { "optimizer": "sgd", "learningRate": 0.5, "epochs": 10 },
  "data": { "inputs": [[0,0],[0,1],[1,0],[1,1]], "targets": [[0],[1],[1],[0]] }
}
`;

describe('CLI (spawned)', function () {
  this.timeout(120_000);

  before(function () {
    assert.ok(fs.existsSync(cli), 'dist/cli.js is missing: run `npm run build` first');
  });

  it('prints usage with --help and exits 0', () => {
    const r = run(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Usage: backprop <command>/);
    for (const c of ['train', 'check', 'grad', 'predict']) assert.match(r.stdout, new RegExp(`\\b${c} FILE`));
  });

  it('exits 2 with a usage message for no command, an unknown command or a misplaced option', () => {
    for (const args of [[], ['fly', 'x.net.json'], ['check', path.join(examples, 'xor.net.json'), '--epochs', '3'], ['train']]) {
      const r = run(args);
      assert.equal(r.code, 2, `args ${args.join(' ')}`);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^backprop: /);
    }
  });

  it('exits 3 for a missing file (a file that cannot be read, as the contract says), naming it', () => {
    const r = run(['grad', 'no/such.net.json']);
    assert.equal(r.code, 3);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^no\/such\.net\.json: error: cannot read the file: no such file/);
  });

  it('reports bad input as FILE:LINE:COL: error: and prints nothing on stdout', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'bad.net.json');
    // line 4, column 33 is where the unknown activation's string (its opening quote) starts.
    fs.writeFileSync(file, '{\n  "layers": [\n    { "units": 2 },\n    { "units": 1, "activation": "sigmoidal" }\n  ]\n}\n');
    for (const cmd of ['train', 'check', 'grad', 'predict']) {
      const r = run([cmd, file, '--json']);
      assert.equal(r.code, 2, cmd);
      assert.equal(r.stdout, '', cmd);
      assert.match(r.stderr, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:4:33: error: .*sigmoidal`), r.stderr);
    }
  });

  it('trains the XOR example to a low loss, reporting the loss after every epoch', () => {
    const r = run(['train', path.join(examples, 'xor.net.json'), '--json', '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { epochs: number; loss: number[]; written: string | null };
    assert.equal(out.loss.length, out.epochs);
    assert.ok(out.loss[out.loss.length - 1] < 0.01, `final loss ${out.loss[out.loss.length - 1]}`);
    assert.ok(out.loss[out.loss.length - 1] < out.loss[0] / 10);
    assert.equal(out.written, null);
  });

  it('--out writes a trained network that keeps the comments and predicts XOR', () => {
    const dir = tmpDir();
    const out = path.join(dir, 'trained.net.json');
    const r = run(['train', path.join(examples, 'xor.net.json'), '--out', out, '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    const text = fs.readFileSync(out, 'utf8');
    assert.match(text, /^\/\/ The network of the backprop notes/);
    assert.match(text, /"weights"/);
    const p = run(['predict', out, '--json']);
    assert.equal(p.code, 0, p.stderr);
    const outputs = (JSON.parse(p.stdout) as { outputs: number[][] }).outputs.map((o) => o[0]);
    assert.deepEqual(outputs.map((y) => (y > 0.5 ? 1 : 0)), [0, 1, 1, 0]);
  });

  it('grad agrees with centred differences of the loss it reports for perturbed weights', () => {
    const dir = tmpDir();
    const W = [[0.3, -0.2], [0.1, 0.4]];
    const b = [0.05, -0.1];
    const V = [[0.7, -0.6]];
    const c = [0.2];
    const base = path.join(dir, 'base.net.json');
    fs.writeFileSync(base, xorWithWeights(W, b, V, c));
    const g = JSON.parse(run(['grad', base, '--json']).stdout) as { loss: number; layers: ({ weights: number[][]; biases: number[] } | null)[] };
    assert.equal(g.layers[0], null);
    assert.equal(g.layers.length, 3);
    const h = 1e-5;
    const lossAt = (w: number[][]): number => {
      const f = path.join(dir, 'p.net.json');
      fs.writeFileSync(f, xorWithWeights(w, b, V, c));
      return (JSON.parse(run(['grad', f, '--json']).stdout) as { loss: number }).loss;
    };
    for (const [j, k] of [[0, 1], [1, 0]]) {
      const plus = W.map((row) => row.slice());
      const minus = W.map((row) => row.slice());
      plus[j][k] += h;
      minus[j][k] -= h;
      const numeric = (lossAt(plus) - lossAt(minus)) / (2 * h);
      const analytic = g.layers[1]!.weights[j][k];
      assert.ok(Math.abs(numeric - analytic) / Math.max(Math.abs(numeric), Math.abs(analytic)) < 1e-6, `w^1_${j}${k}: ${analytic} vs ${numeric}`);
    }
  });

  it('grad --sample gives that sample alone, with its trace', () => {
    const r = run(['grad', path.join(examples, 'xor.net.json'), '--json', '--sample', '2']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { sample: number; trace: { out: number[][]; delta: number[][] } };
    assert.equal(out.sample, 2);
    assert.deepEqual(out.trace.out[0], [1, 0]);
    assert.equal(out.trace.delta.length, 3);
    assert.equal(out.trace.delta[2].length, 1);
  });

  it('predict answers for every sample of "data" in file order, also when a validation fraction is set', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'identity.net.json');
    const inputs = [[1, 2], [3, 4], [5, 6], [7, 8], [9, 10], [11, 12]];
    // A linear layer with identity weights: each output is its input, so any reordering shows.
    fs.writeFileSync(file, JSON.stringify({
      layers: [{ units: 2 }, { units: 2, activation: 'linear', weights: [[1, 0], [0, 1]], biases: [0, 0] }],
      data: { inputs, targets: inputs },
      validation: 0.5,
    }));
    const r = run(['predict', file, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as { outputs: number[][] }).outputs, inputs);
  });

  it('a file without "data" is bad input for train, check, grad and predict, pointed at the top-level object', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'nodata.net.json');
    fs.writeFileSync(file, '// no data\n  {\n  "layers": [{ "units": 1 }, { "units": 1, "activation": "linear" }]\n}\n');
    for (const cmd of ['train', 'check', 'grad', 'predict']) {
      const r = run([cmd, file]);
      assert.equal(r.code, 2, cmd);
      assert.equal(r.stdout, '');
      // The object opens at line 2, column 3.
      assert.ok(r.stderr.startsWith(`${file}:2:3: error: the file has no "data"`), r.stderr);
    }
  });

  it('check passes on every example and fails (exit 1) on nothing else here', () => {
    for (const f of fs.readdirSync(examples).filter((n) => n.endsWith('.net.json'))) {
      const r = run(['check', path.join(examples, f), '--json', '--max-per-layer', '40']);
      assert.equal(r.code, 0, `${f}: ${r.stderr}${r.stdout}`);
      const rep = JSON.parse(r.stdout) as { passed: boolean; maxRelativeError: number; parameters: number };
      assert.equal(rep.passed, true, f);
      assert.ok(rep.parameters > 0);
    }
  });

  it('a diverging run exits 1, says where it diverged and leaves the file untouched with --write', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'wild.net.json');
    const text = xorWithWeights([[3, -2], [1, 4]], [0, 0], [[7, -6]], [0]).replace('"learningRate": 0.5', '"learningRate": 1e6').replace(/"sigmoid"/g, '"linear"');
    fs.writeFileSync(file, text);
    const r = run(['train', file, '--write', '--quiet']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /diverged in epoch \d+, batch \d+/);
    assert.equal(fs.readFileSync(file, 'utf8'), text);
    assert.deepEqual(fs.readdirSync(dir), ['wild.net.json']);
  });

  it('the same file and seed give bit-identical training; --write puts the weights in the file', () => {
    const dir = tmpDir();
    const a = JSON.parse(run(['train', path.join(examples, 'spiral.net.json'), '--json', '--quiet', '--epochs', '5']).stdout) as { loss: number[] };
    const b = JSON.parse(run(['train', path.join(examples, 'spiral.net.json'), '--json', '--quiet', '--epochs', '5']).stdout) as { loss: number[] };
    assert.deepEqual(a.loss, b.loss);
    const file = path.join(dir, 'x.net.json');
    fs.copyFileSync(path.join(examples, 'xor.net.json'), file);
    assert.equal(run(['train', file, '--write', '--epochs', '3', '--quiet']).code, 0);
    assert.match(fs.readFileSync(file, 'utf8'), /"weights"/);
  });
});
