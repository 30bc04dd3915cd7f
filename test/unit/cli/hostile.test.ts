/**
 * Every reproducer of issue 10 (hostile input and faults), spawned as a user runs the CLI, each
 * with a timeout and a memory cap so that a regression fails here instead of hanging the suite
 * or the machine. Needs `npm run build` first (the test script does that).
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LIMITS } from '../../../src/engine/format';

const root = path.resolve(__dirname, '../../../..');
const cli = path.join(root, 'dist', 'cli.js');
const examples = path.join(root, 'examples');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  signal: NodeJS.Signals | null;
}

/** The CLI with a 20 s timeout and a 1 GB heap: a hang or a memory blow-up is a failure, not a stall. */
function run(args: string[], options: { cwd?: string; shell?: string } = {}): Run {
  const argv = ['--max-old-space-size=1024', cli, ...args];
  const r = options.shell
    ? spawnSync('bash', ['-c', `${options.shell}; exec "$0" "$@"`, process.execPath, ...argv], { cwd: options.cwd ?? root, encoding: 'utf8', timeout: 20_000, maxBuffer: 64 << 20 })
    : spawnSync(process.execPath, argv, { cwd: options.cwd ?? root, encoding: 'utf8', timeout: 20_000, maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'backprop-hostile-'));
}

/** One line on stderr, no stack trace. */
function oneLine(r: Run): string {
  assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr.slice(0, 300)}`);
  assert.doesNotMatch(r.stderr, /\n\s+at /, `a stack trace: ${r.stderr.slice(0, 500)}`);
  assert.doesNotMatch(r.stderr, /RangeError|Maximum call stack/);
  return r.stderr;
}

const xorText = (): string => fs.readFileSync(path.join(examples, 'xor.net.json'), 'utf8');

describe('CLI against hostile input (issue 10 reproducers)', function () {
  this.timeout(60_000);

  before(function () {
    assert.ok(fs.existsSync(cli), 'dist/cli.js is missing: run `npm run build` first');
  });

  describe('crashes', () => {
    it('8000 nested [ or { is a located "nested deeper than" error, exit 2', () => {
      const dir = tmpDir();
      for (const [name, text] of [['a', '['.repeat(8000)], ['o', '{"a":'.repeat(8000)]]) {
        const file = path.join(dir, `${name}.net.json`);
        fs.writeFileSync(file, `${text}\n`);
        const r = run(['grad', file]);
        assert.equal(r.code, 2, oneLine(r));
        const col = name === 'a' ? LIMITS.maxDepth + 1 : 5 * LIMITS.maxDepth + 1;
        assert.equal(r.stderr.trim(), `${file}:1:${col}: error: nested deeper than ${LIMITS.maxDepth} levels: arrays and objects in a .net.json file nest at most ${LIMITS.maxDepth} deep`);
      }
    });

    it('every write error is one line with exit 3, leaves no temp file and never trains first', () => {
      const dir = tmpDir();
      const file = path.join(dir, 'x.net.json');
      fs.writeFileSync(file, xorText());
      const cases: [string, RegExp][] = [
        [path.join(dir, 'missing', 'out.net.json'), /the folder .*missing does not exist/],
        [dir, /it is a folder/],
        ['', /the output path is empty/],
        ['.', /it is a folder/],
        ['/proc/self/out.net.json', /cannot write \/proc\/self\/out\.net\.json: /],
      ];
      for (const [out, why] of cases) {
        const r = run(['train', file, '--epochs', '2', '--quiet', '--out', out], { cwd: dir });
        assert.equal(r.code, 3, `${out}: ${oneLine(r)}`);
        assert.equal(r.stdout, '');
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
        assert.match(r.stderr, why);
      }
      assert.deepEqual(fs.readdirSync(dir), ['x.net.json']);
      assert.equal(fs.readFileSync(file, 'utf8'), xorText());
    });

    it('a write that runs out of room (file size limit, as a full disk) exits 3, original untouched, no temp file', () => {
      const dir = tmpDir();
      const file = path.join(dir, 's.net.json');
      const original = fs.readFileSync(path.join(examples, 'spiral.net.json'), 'utf8');
      fs.writeFileSync(file, original);
      // ulimit -f 1: writes past 1 KiB fail with EFBIG, the way a full disk fails with ENOSPC.
      const r = run(['train', file, '--epochs', '1', '--quiet', '--write'], { shell: 'ulimit -f 1' });
      assert.equal(r.code, 3, oneLine(r));
      assert.match(r.stderr, /^backprop: error: cannot write .*s\.net\.json: .*; the file was not changed\n$/);
      assert.equal(fs.readFileSync(file, 'utf8'), original);
      assert.deepEqual(fs.readdirSync(dir), ['s.net.json']);
    });

    it('duplicate keys are an error naming the first one, so a write-back can never go into an ignored copy', () => {
      const dir = tmpDir();
      const file = path.join(dir, 'dup.net.json');
      const layers = '[{ "units": 2 }, { "units": 1, "activation": "sigmoid" }]';
      const text = `{\n  "layers": ${layers},\n  "layers": ${layers},\n  "data": { "inputs": [[0,0]], "targets": [[0]] }\n}\n`;
      fs.writeFileSync(file, text);
      const r = run(['train', file, '--write', '--quiet']);
      assert.equal(r.code, 2, oneLine(r));
      assert.equal(r.stderr, `${file}:3:3: error: duplicate key \`layers\` (first at 2:3); a key may appear only once in an object\n`);
      assert.equal(fs.readFileSync(file, 'utf8'), text);
      // duplicate weights in a layer: the same located error, never "internal error"
      const w = text.replace(/"layers": \[[^\n]*\],\n  "layers"/, '"layers"').replace('"sigmoid" }', '"sigmoid", "weights": [[1, 2]], "biases": [0], "weights": [[3, 4]] }');
      fs.writeFileSync(file, w);
      const r2 = run(['train', file, '--write', '--quiet']);
      assert.equal(r2.code, 2, oneLine(r2));
      assert.match(r2.stderr, /:2:\d+: error: duplicate key `weights` \(first at 2:\d+\)/);
    });

    it('grad (text) on a layer of 200k weights and predict with 200k softmax outputs do not overflow the stack', () => {
      const dir = tmpDir();
      const wide = path.join(dir, 'wide.net.json');
      fs.writeFileSync(wide, '{"layers":[{"units":2},{"units":100000,"activation":"tanh"},{"units":2,"activation":"softmax"}],"data":{"generator":"xor","samples":4}}');
      const g = run(['grad', wide]);
      assert.equal(g.code, 0, oneLine(g));
      assert.match(g.stdout, /^2\s+2x100000\s+softmax/m);
      const soft = path.join(dir, 'soft.net.json');
      fs.writeFileSync(soft, '{"layers":[{"units":2},{"units":200000,"activation":"softmax"}],"data":{"inputs":[[1,2]],"labels":[3]}}');
      const p = run(['predict', soft, '--json']);
      assert.equal(p.code, 0, oneLine(p));
      const out = JSON.parse(p.stdout) as { outputs: number[][]; classes: number[] };
      assert.equal(out.outputs[0].length, 200000);
      // the class is the argmax, found without spreading 200k numbers into Math.max
      let best = 0;
      out.outputs[0].forEach((y, k) => {
        if (y > out.outputs[0][best]) best = k;
      });
      assert.deepEqual(out.classes, [best]);
    });
  });

  describe('hangs and memory', () => {
    it('20k unknown keys are validated in about linear time (warnings, the right result)', () => {
      const dir = tmpDir();
      const file = path.join(dir, 'keys.net.json');
      const keys = Array.from({ length: 20000 }, (_, i) => `  "k${i}": ${i}`).join(',\n');
      fs.writeFileSync(file, `{\n${keys},\n  "layers": [{ "units": 1 }, { "units": 1, "activation": "linear", "weights": [[2]], "biases": [0] }],\n  "data": { "inputs": [[1]], "targets": [[1]] }\n}\n`);
      const started = Date.now();
      const r = run(['grad', file, '--json', '--quiet']);
      assert.equal(r.code, 0, oneLine(r));
      assert.equal((JSON.parse(r.stdout) as { loss: number }).loss, 0.5);
      assert.ok(Date.now() - started < 15_000);
    });

    it('data.file naming /dev/zero, /dev/urandom, a symlink to them, a FIFO or a folder is refused at once', () => {
      const dir = tmpDir();
      fs.symlinkSync('/dev/zero', path.join(dir, 'zero.csv'));
      spawnSync('mkfifo', [path.join(dir, 'fifo.csv')]);
      fs.mkdirSync(path.join(dir, 'folder.csv'));
      const netFor = (file: string): string => JSON.stringify({ layers: [{ units: 1 }, { units: 1, activation: 'sigmoid' }], data: { file, inputs: ['a'], targets: ['b'] } });
      const cases: [string, string[], RegExp][] = [
        ['/dev/zero', ['--allow-outside-data'], /it is not a regular file \(a character device\)/],
        ['/dev/urandom', ['--allow-outside-data'], /it is not a regular file \(a character device\)/],
        ['zero.csv', [], /is outside the folder of the \.net\.json file/],
        ['zero.csv', ['--allow-outside-data'], /it is not a regular file \(a character device\)/],
        ['fifo.csv', [], /it is not a regular file \(a named pipe\)/],
        ['folder.csv', [], /it is a folder, not a file/],
      ];
      for (const [file, extra, why] of cases) {
        const net = path.join(dir, 'd.net.json');
        fs.writeFileSync(net, netFor(file));
        const r = run(['grad', net, ...extra]);
        assert.equal(r.code, 2, `${file}: ${oneLine(r)}`);
        assert.match(r.stderr, why, file);
        assert.match(r.stderr, /^.*d\.net\.json:1:\d+: error: /);
      }
    });

    it('--epochs 1e12 and 0x10 are usage errors; a long run keeps a bounded, downsampled history', () => {
      for (const bad of ['1e12', '0x10', '16.0', `${LIMITS.maxEpochs + 1}`, '-3']) {
        const r = run(['train', path.join(examples, 'xor.net.json'), '--epochs', bad]);
        assert.equal(r.code, 2, bad);
        assert.match(r.stderr, new RegExp(`^backprop: --epochs needs a whole number from 1 to ${LIMITS.maxEpochs} written in digits, got '${bad.replace('.', '\\.')}'`));
      }
      const r = run(['train', path.join(examples, 'xor.net.json'), '--epochs', '300000', '--json', '--quiet']);
      assert.equal(r.code, 0, oneLine(r));
      const out = JSON.parse(r.stdout) as { epochs: number; downsampled: boolean; loss: number[]; lossEpochs: number[]; final: { epoch: number; loss: number } };
      assert.equal(out.epochs, 300000);
      assert.equal(out.downsampled, true);
      assert.ok(out.loss.length <= 20001, `${out.loss.length} points`);
      assert.equal(out.loss.length, out.lossEpochs.length);
      assert.equal(out.lossEpochs[out.lossEpochs.length - 1], 300000);
      assert.equal(out.loss[out.loss.length - 1], out.final.loss);
      assert.ok(out.lossEpochs.every((e, i) => i === 0 || e > out.lossEpochs[i - 1]));
    });

    it('1e6 generated samples with 300 or 5000 hidden units, and a 25M-number array, are refused before allocation', () => {
      const dir = tmpDir();
      for (const units of [300, 5000]) {
        const file = path.join(dir, `g${units}.net.json`);
        fs.writeFileSync(file, `{"layers":[{"units":2},{"units":${units},"activation":"tanh"},{"units":2,"activation":"softmax"}],"data":{"generator":"circle","samples":1000000}}`);
        const r = run(['train', file, '--quiet']);
        assert.equal(r.code, 2, oneLine(r));
        assert.match(r.stderr, new RegExp(`error: 1000000 samples x ${units + 4} units \\(all layers\\) = ${(units + 4) * 1e6} activations for one pass over the data; the limit is ${LIMITS.maxActivations}`));
      }
      const big = path.join(dir, 'big.net.json');
      const fd = fs.openSync(big, 'w');
      fs.writeSync(fd, '{"x":[');
      const chunk = `${'1,'.repeat(1_000_000)}`;
      for (let i = 0; i < 25; i++) fs.writeSync(fd, chunk);
      fs.writeSync(fd, '1],"layers":[{"units":1},{"units":1,"activation":"linear"}]}');
      fs.closeSync(fd);
      const r = run(['grad', big]);
      assert.equal(r.code, 2, oneLine(r));
      assert.match(r.stderr, new RegExp(`error: the file holds more than ${LIMITS.maxValues} JSON values .*the limit is ${LIMITS.maxValues} per \\.net\\.json file`));
    });

    it('check of a 5k-parameter layer prints progress with an ETA on stderr', (done) => {
      const dir = tmpDir();
      const file = path.join(dir, 'c.net.json');
      fs.writeFileSync(file, '{"layers":[{"units":2},{"units":1000,"activation":"tanh"},{"units":2,"activation":"softmax"}],"data":{"generator":"circle","samples":200}}');
      const child = spawn(process.execPath, [cli, 'check', file, '--json'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.stderr.on('data', (b: Buffer) => {
        err += b.toString();
        if (/\d+\/5002 parameters checked, ETA \d/.test(err)) child.kill('SIGKILL');
      });
      child.on('exit', () => {
        clearTimeout(timer);
        try {
          assert.match(err, /^\d+\/5002 parameters checked/m);
          assert.match(err, /ETA (\d+h)?(\d+m)?\d+[sm]/);
          done();
        } catch (e) {
          done(e);
        }
      });
    });
  });

  describe('lost edits', () => {
    it('an edit made while train --write runs is kept; the trained network goes beside the file', (done) => {
      const dir = tmpDir();
      const file = path.join(dir, 'r.net.json');
      fs.writeFileSync(file, xorText());
      // The edit is made once the run reports progress (after about a second of training), so the
      // CLI has certainly read the file before it changes, however slowly the process starts.
      const child = spawn(process.execPath, [cli, 'train', file, '--write', '--epochs', '1000000'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      const edited = `// my comment\n${xorText().replace('"seed": 7', '"seed": 8')}`;
      child.stderr.on('data', (b: Buffer) => {
        if (err === '') fs.writeFileSync(file, edited);
        err += b.toString();
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        try {
          assert.equal(code, 0, err);
          assert.equal(fs.readFileSync(file, 'utf8'), edited);
          const beside = path.join(dir, 'r.trained.net.json');
          assert.match(err, new RegExp(`the file changed while training ran; it was left as it is and the trained network was written to .*r\\.trained\\.net\\.json`));
          assert.match(fs.readFileSync(beside, 'utf8'), /"weights"/);
          done();
        } catch (e) {
          done(e);
        }
      });
    });

    it('--write through a symlink writes the target, keeps the link, mode 600 and the owner; lone CR stays CR', () => {
      const dir = tmpDir();
      fs.mkdirSync(path.join(dir, 'real'));
      const target = path.join(dir, 'real', 't.net.json');
      fs.writeFileSync(target, xorText());
      fs.chmodSync(target, 0o600);
      const link = path.join(dir, 'link.net.json');
      fs.symlinkSync(path.join('real', 't.net.json'), link);
      const r = run(['train', link, '--write', '--epochs', '3', '--quiet']);
      assert.equal(r.code, 0, oneLine(r));
      assert.ok(fs.lstatSync(link).isSymbolicLink());
      assert.match(fs.readFileSync(target, 'utf8'), /"weights"/);
      assert.equal(fs.statSync(target).mode & 0o777, 0o600);
      assert.deepEqual(fs.readdirSync(path.join(dir, 'real')), ['t.net.json']);

      const cr = path.join(dir, 'cr.net.json');
      fs.writeFileSync(cr, '{\r  "layers": [\r    { "units": 2 },\r    { "units": 1, "activation": "sigmoid" }\r  ],\r  "data": { "inputs": [[0,0],[1,1]], "targets": [[0],[1]] }\r}\r');
      const c = run(['train', cr, '--write', '--epochs', '2', '--quiet']);
      assert.equal(c.code, 0, oneLine(c));
      const text = fs.readFileSync(cr, 'utf8');
      assert.match(text, /"weights"/);
      assert.ok(!text.includes('\n'), JSON.stringify(text));
    });
  });

  describe('leaks', () => {
    it('data.file outside the folder is refused; allowed, an error shows only a short excerpt of the file', () => {
      const dir = tmpDir();
      const file = path.join(dir, 'env.net.json');
      fs.writeFileSync(file, JSON.stringify({ layers: [{ units: 1 }, { units: 1, activation: 'sigmoid' }], data: { file: '/proc/self/environ', inputs: ['a'], targets: ['b'] } }));
      const secret = `SECRET_TOKEN_${'x'.repeat(200)}`;
      const env = { ...process.env, AAA_SECRET: secret };
      const refused = spawnSync(process.execPath, [cli, 'grad', file], { encoding: 'utf8', timeout: 20_000, env });
      assert.equal(refused.status, 2);
      assert.match(refused.stderr, /"\/proc\/self\/environ" is outside the folder of the \.net\.json file/);
      const allowed = spawnSync(process.execPath, [cli, 'grad', file, '--allow-outside-data'], { encoding: 'utf8', timeout: 20_000, env });
      assert.equal(allowed.status, 2);
      assert.ok(!allowed.stderr.includes(secret.slice(0, 40)), allowed.stderr);
      for (const line of allowed.stderr.trim().split('\n')) assert.ok(line.length < file.length + 400, `a long line: ${line.length} characters`);
    });
  });

  describe('smaller', () => {
    it('grad and predict printing NaN or Infinity warn and exit 1', () => {
      const dir = tmpDir();
      const file = path.join(dir, 'nan.net.json');
      // exp overflow: softplus of 1e300 is Infinity, and its gradient is NaN downstream
      fs.writeFileSync(file, JSON.stringify({ layers: [{ units: 1 }, { units: 1, activation: 'linear', weights: [[1e300]], biases: [0] }, { units: 1, activation: 'linear', weights: [[1e300]], biases: [0] }], data: { inputs: [[1e10]], targets: [[0]] } }));
      for (const cmd of ['grad', 'predict']) {
        const r = run([cmd, file, '--json']);
        assert.equal(r.code, 1, `${cmd}: ${oneLine(r)}`);
        assert.match(r.stderr, /warning: \d+ of the .* (is|are) NaN or infinite/);
        assert.ok(r.stdout.length > 0);
      }
    });

    it('--input "," is a usage error, and negative inputs are accepted', () => {
      const xor = path.join(examples, 'xor.net.json');
      const comma = run(['predict', xor, '--input', ',']);
      assert.equal(comma.code, 2);
      assert.match(comma.stderr, /^backprop: --input needs comma-separated finite numbers/);
      const neg = run(['predict', xor, '--input', '-1.5,2', '--json']);
      assert.equal(neg.code, 0, neg.stderr);
      assert.equal((JSON.parse(neg.stdout) as { outputs: number[][] }).outputs.length, 1);
      const eq = run(['predict', xor, '--input=-1.5,2', '--json']);
      assert.equal(eq.stdout, neg.stdout);
    });

    it('a file that cannot be read is exit 3, one line; a device is refused without reading it', () => {
      for (const [file, why] of [['no/such.net.json', /cannot read the file: no such file/], ['/dev/zero', /it is not a regular file \(a character device\)/], ['.', /it is a folder/]] as const) {
        const r = run(['grad', file]);
        assert.equal(r.code, 3, `${file}: ${oneLine(r)}`);
        assert.match(r.stderr, why);
        assert.equal(r.stderr.trim().split('\n').length, 1);
      }
    });
  });
});
