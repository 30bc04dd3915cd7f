/**
 * `train --threads N` through the bundled CLI (dist/cli.js and its helper thread dist/threadHelper.js):
 * the same thread count gives the same run bit for bit, two threads agree with one up to rounding
 * (the batch's gradient is added in another order), and N must be a whole number from 1.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { wideNetwork } from '../kernels/wide';

const root = path.join(__dirname, '..', '..', '..', '..');
const cli = path.join(root, 'dist', 'cli.js');

function run(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('CLI: train --threads', function () {
  this.timeout(60000);
  let dir: string;
  let file: string;
  before(() => {
    assert.ok(fs.existsSync(cli), 'dist/cli.js is missing: run `npm run build` first');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backprop-threads-'));
    file = path.join(dir, 'wide.net.json');
    fs.writeFileSync(file, wideNetwork());
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const losses = (threads: string[]): number[] => {
    const r = run(['train', file, '--json', '--quiet', ...threads]);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as { loss: number[] }).loss;
  };

  it('two threads: the same run twice, bit for bit, and the one-thread run up to rounding', () => {
    const a = losses(['--threads', '2']);
    const b = losses(['--threads', '2']);
    assert.deepEqual(a, b);
    const one = losses([]);
    assert.deepEqual(losses(['--threads', '1']), one, '--threads 1 is the default');
    assert.equal(a.length, one.length);
    assert.notDeepEqual(a, one, 'the batches were split: the first epoch\'s loss differs in the last bit');
    a.forEach((l, i) => assert.ok(Math.abs(l - one[i]) <= 1e-9 * Math.abs(one[i]), `epoch ${i + 1}: ${l} vs ${one[i]}`));
  });

  it('--threads takes a whole number from 1, for train only', () => {
    for (const args of [['train', file, '--threads', '0'], ['train', file, '--threads', '1.5'], ['check', file, '--threads', '2']]) {
      const r = run(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /--threads/);
    }
  });
});
