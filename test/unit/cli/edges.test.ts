/**
 * Issue 8 from the command line, as a user runs it (`node dist/cli.js`, needs `npm run build`):
 * the loss of a saturated sigmoid + BCE and of softmax + cross-entropy with logits 2000 apart, and
 * the gradient check's 'cannot-check' and ok verdicts on the single-unit networks.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../../../..');
const cli = path.join(root, 'dist', 'cli.js');

function runOn(text: string, args: string[]): { code: number | null; stdout: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backprop-edges-'));
  const file = path.join(dir, 'edge.net.json');
  fs.writeFileSync(file, text);
  const r = spawnSync(process.execPath, [cli, args[0], file, ...args.slice(1)], { encoding: 'utf8', timeout: 60_000 });
  fs.rmSync(dir, { recursive: true, force: true });
  return { code: r.status, stdout: r.stdout };
}

const unit = (z: number, loss: string, t: number): string =>
  `{"layers":[{"units":1},{"units":1,"activation":"sigmoid","weights":[[${z}]],"biases":[0]}],"loss":"${loss}","data":{"inputs":[[1]],"targets":[[${t}]]}}`;

describe('CLI: losses and gradient checks at the edges (issue 8)', function () {
  this.timeout(60_000);

  before(function () {
    assert.ok(fs.existsSync(cli), 'dist/cli.js is missing: run `npm run build` first');
  });

  it('grad --json: BCE after a sigmoid at z = 40, target 0, has loss 40 (log(1 + e^40)), not 744.44', () => {
    const r = runOn(unit(40, 'binary-cross-entropy', 0), ['grad', '--json']);
    assert.equal(r.code, 0);
    const json = JSON.parse(r.stdout) as { loss: number };
    // 40 + log(1 + e^-40) = 40 + 4.2e-18: the double 40
    assert.equal(json.loss, 40);
  });

  it('grad --json: softmax + cross-entropy with logits [1000, -1000] and target class 2 has loss 2000', () => {
    const text = '{"layers":[{"units":1},{"units":2,"activation":"softmax","weights":[[1000],[-1000]],"biases":[0,0]}],"loss":"cross-entropy","data":{"inputs":[[1]],"targets":[[0,1]]}}';
    const r = runOn(text, ['grad', '--json']);
    assert.equal(r.code, 0);
    const json = JSON.parse(r.stdout) as { loss: number; layers: (null | { weights: number[][]; biases: number[] })[] };
    assert.equal(json.loss, 2000);
    assert.deepEqual(json.layers[1], { weights: [[1], [-1]], biases: [1, -1] }); // softmax - t, unchanged
  });

  it('check: the single sigmoid unit at z = 40, target 0.5 (BCE) is ok with numeric ≈ analytic = 0.5', () => {
    const r = runOn(unit(40, 'binary-cross-entropy', 0.5), ['check', '--json']);
    assert.equal(r.code, 0);
    const json = JSON.parse(r.stdout) as { passed: boolean; worst: { analytic: number; numeric: number; status: string }[] };
    assert.equal(json.passed, true);
    assert.equal(json.worst.length, 2);
    for (const e of json.worst) {
      assert.equal(e.status, 'ok');
      assert.ok(Math.abs(e.numeric - 0.5) < 1e-8 && Math.abs(e.analytic - 0.5) < 1e-15, `${e.analytic} ${e.numeric}`);
    }
  });

  it("check: a loss flat at float64 resolution says 'cannot check' with the reason, in text and JSON, and is not counted as ok", () => {
    const text = unit(20, 'half-squared-error', 0);
    const j = runOn(text, ['check', '--json']);
    assert.equal(j.code, 0);
    const json = JSON.parse(j.stdout) as { cannotCheck: number; worst: unknown[]; cannotCheckEntries: { status: string; reason: string; tolerance: number }[] };
    assert.equal(json.cannotCheck, 2);
    assert.equal(json.worst.length, 0);
    for (const e of json.cannotCheckEntries) {
      assert.equal(e.status, 'cannot-check');
      assert.match(e.reason, /flat at float64 resolution/);
      assert.ok(e.tolerance > 1e-4);
    }
    const t = runOn(text, ['check']);
    assert.match(t.stdout, /0 ok, 0 warn, 0 failed, 0 at a kink \(not counted\), 2 cannot be checked \(not counted\)/);
    assert.match(t.stdout, /cannot check w\^1_\{1,1\}: the loss is flat at float64 resolution/);
  });
});
