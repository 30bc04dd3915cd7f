/**
 * `backprop train --record` and `--history`, spawned as a user runs them: where runs are kept,
 * what changed between two runs, the CSV's rows against the --json output's losses, and that a
 * recorded run replays to its live final weights bit for bit.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadNet } from '../../../src/engine/load';
import { Replayer, RunStore, nodeRunFolder, trainerForRecord } from '../../../src/engine/runs';

const root = path.resolve(__dirname, '../../../..');
const cli = path.join(root, 'dist', 'cli.js');

function run(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const net = (lr: number): string => `// xor
{
  "seed": 4,
  "layers": [{ "units": 2 }, { "units": 3, "activation": "tanh" }, { "units": 1, "activation": "sigmoid" }],
  "loss": "half-squared-error",
  "training": { "optimizer": "momentum", "learningRate": ${lr}, "epochs": 30, "batchSize": 2 },
  "data": { "inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]] }
}
`;

describe('CLI: --record and --history', function () {
  this.timeout(60_000);
  let dir: string;
  before(function () {
    assert.ok(fs.existsSync(cli), 'dist/cli.js is missing: run `npm run build` first');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backprop-cli-runs-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('records runs in .backprop/runs/ beside the file, never in the file, with what changed', async () => {
    const file = path.join(dir, 'xor.net.json');
    fs.writeFileSync(file, net(0.5));
    const first = run(['train', 'xor.net.json', '--record', '--json', '-q'], dir);
    assert.equal(first.code, 0, first.stderr);
    fs.writeFileSync(file, net(0.2));
    const second = run(['train', 'xor.net.json', '--record', '--epochs', '12', '--json'], dir);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /recorded run [0-9a-z-]+ in \.backprop\/runs/);
    assert.equal(fs.readFileSync(file, 'utf8'), net(0.2), 'the network file is unchanged');
    const runs = await new RunStore(nodeRunFolder(path.join(dir, '.backprop', 'runs'))).list(file);
    assert.equal(runs.length, 2);
    assert.deepEqual(runs[0].changes, []);
    assert.deepEqual(runs[1].changes, [{ path: 'training.learningRate', before: '0.5', after: '0.2' }]);
    assert.equal(runs[1].previous, runs[0].id);
    assert.equal(runs[0].epochs, 30);
    assert.equal(runs[1].epochs, 12);
    const out = JSON.parse(second.stdout) as { final: { loss: number } };
    assert.equal(runs[1].final?.loss, out.final.loss, 'the recorded final loss is the one printed');
  });

  it('a recorded run replays to the weights the CLI wrote, bit for bit', async () => {
    const file = path.join(dir, 'replay.net.json');
    fs.writeFileSync(file, net(0.4));
    const r = run(['train', 'replay.net.json', '--record', '--epochs', '27', '--out', 'trained.net.json', '-q'], dir);
    assert.equal(r.code, 0, r.stderr);
    const store = new RunStore(nodeRunFolder(path.join(dir, '.backprop', 'runs')));
    const summary = (await store.list(file))[0];
    const record = await store.get(summary.id);
    const replayer = new Replayer({ ...record, snapshots: record.snapshots.filter((s) => s.epoch <= 20) }, trainerForRecord(record));
    const state = replayer.stateAt(27);
    const trainedPath = path.join(dir, 'trained.net.json');
    // the written file has the weights as JSON numbers: the shortest round-trip text of each float64
    const spec = loadNet(fs.readFileSync(trainedPath, 'utf8'), trainedPath).spec;
    assert.ok(spec);
    const written = spec.layers.flatMap((l) => [...(l.weights ?? []).flat(), ...(l.biases ?? [])]);
    assert.equal(written.length, state.parameters.length);
    assert.deepEqual(Array.from(state.parameters), written);
  });

  it('--history writes every epoch\'s loss as CSV, the same numbers as --json', () => {
    const file = path.join(dir, 'h.net.json');
    fs.writeFileSync(file, net(0.5));
    const r = run(['train', 'h.net.json', '--history', 'loss.csv', '--json', '-q'], dir);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { loss: number[]; lossEpochs: number[] } & { loss: number[] };
    const lines = fs.readFileSync(path.join(dir, 'loss.csv'), 'utf8').trimEnd().split('\n');
    assert.equal(lines[0], 'epoch,loss');
    assert.equal(lines.length, 31);
    const losses = lines.slice(1).map((l) => Number(l.split(',')[1]));
    assert.deepEqual(losses, out.loss);
    assert.ok(!fs.readdirSync(dir).some((n) => n.endsWith('.tmp')), 'no temporary file left');
  });

  it('--history into a missing folder cannot be written (exit 3, the contract), and the options belong to train', () => {
    fs.writeFileSync(path.join(dir, 'e.net.json'), net(0.5));
    const r = run(['train', 'e.net.json', '--history', 'no/such/dir/loss.csv'], dir);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /cannot write no\/such\/dir\/loss\.csv: the folder .*no\/such\/dir does not exist/);
    assert.equal(run(['check', 'e.net.json', '--record'], dir).code, 2);
  });

  it('--history: a folder or a missing folder is exit 3 with nothing left behind; the network file itself is refused (exit 2) and kept', () => {
    const sub = fs.mkdtempSync(path.join(dir, 'h-'));
    const file = path.join(sub, 'n.net.json');
    fs.writeFileSync(file, net(0.5));
    fs.mkdirSync(path.join(sub, 'folder'));
    for (const target of ['folder', path.join('missing', 'h.csv')]) {
      const r = run(['train', 'n.net.json', '--history', target, '-q'], sub);
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /^backprop: error: cannot write /);
    }
    for (const args of [['--history', 'n.net.json'], ['--out', 'o.net.json', '--history', 'o.net.json']]) {
      const r = run(['train', 'n.net.json', ...args, '-q'], sub);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /--history names the network file/);
    }
    assert.equal(fs.readFileSync(file, 'utf8'), net(0.5));
    assert.deepEqual(fs.readdirSync(sub).sort(), ['folder', 'n.net.json']);
  });

  it('--record never writes through a link in .backprop/runs/ and never reads a FIFO there (a warning, exit 3, the link\'s target kept)', () => {
    const sub = fs.mkdtempSync(path.join(dir, 'r-'));
    fs.writeFileSync(path.join(sub, 'n.net.json'), net(0.5));
    const runs = path.join(sub, '.backprop', 'runs');
    fs.mkdirSync(runs, { recursive: true });
    const victim = path.join(sub, 'victim.txt');
    fs.writeFileSync(victim, 'keep me');
    fs.symlinkSync(victim, path.join(runs, 'index.json'));
    const linked = run(['train', 'n.net.json', '--record', '-q'], sub);
    assert.equal(linked.code, 3, linked.stderr);
    assert.match(linked.stderr, /not a regular file/);
    assert.equal(fs.readFileSync(victim, 'utf8'), 'keep me');
    fs.rmSync(path.join(runs, 'index.json'));
    spawnSync('mkfifo', [path.join(runs, 'index.json')]);
    const fifo = run(['train', 'n.net.json', '--record', '-q'], sub);
    assert.equal(fifo.code, 3, fifo.stderr);
    assert.match(fifo.stderr, /named pipe/);
  });
});
