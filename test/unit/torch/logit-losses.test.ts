/**
 * The loss values from the net inputs against PyTorch in float64 (Debian's python3-torch, run by
 * /usr/bin/python3): binary_cross_entropy_with_logits and cross_entropy (class indices and soft
 * targets) at logits up to |z| = 1e4. Skipped where PyTorch is not installed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { bceFromLogit, softmaxCrossEntropyFromLogits } from '../../../src/engine/losses';

const PYTHON = '/usr/bin/python3';
const ZS = [20, 30, 40, 1000, 1e4, -1e4, -40, -20, 0.5, -3, 0, 1e-3];
const TS = [0, 1, 0.5, 0.3];
const ROWS: number[][] = [[1000, -1000], [1e4, 0, -1e4], [40, 0], [20, 30, 40], [0.3, -1.2, 2.5], [-1e4, -1e4 + 1], [700, 710, -5]];
const SOFT: number[][] = [[0, 1], [0.2, 0.3, 0.5], [1, 0], [0.25, 0.25, 0.5], [0.1, 0.2, 0.7], [0.5, 0.5], [0.6, 0, 0.4]];

const SCRIPT = `
import json, sys, torch, torch.nn.functional as F
q = json.load(sys.stdin)
z = torch.tensor(q["zs"], dtype=torch.float64)
bce = [F.binary_cross_entropy_with_logits(z, torch.full_like(z, t), reduction="none").tolist() for t in q["ts"]]
hard = [[F.cross_entropy(torch.tensor([r], dtype=torch.float64), torch.tensor([k])).item() for k in range(len(r))] for r in q["rows"]]
soft = [F.cross_entropy(torch.tensor([r], dtype=torch.float64), torch.tensor([t], dtype=torch.float64)).item() for r, t in zip(q["rows"], q["soft"])]
print(json.dumps({"bce": bce, "hard": hard, "soft": soft}))
`;

function torch(): { bce: number[][]; hard: number[][]; soft: number[] } | undefined {
  if (!fs.existsSync(PYTHON)) return undefined;
  const r = spawnSync(PYTHON, ['-c', SCRIPT], { input: JSON.stringify({ zs: ZS, ts: TS, rows: ROWS, soft: SOFT }), encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) {
    if (/No module named 'torch'/.test(r.stderr)) return undefined;
    throw new Error(`python3 failed: ${r.stderr}`);
  }
  return JSON.parse(r.stdout) as { bce: number[][]; hard: number[][]; soft: number[] };
}

/**
 * Within 1e-12 relative, plus ε·max|z| absolute: PyTorch forms max + log(Σ e^(z - max)) and so
 * returns 0 for a loss below ε·|z| (z = -40, t = 0 gives 0, not log1p(e^-40) = 4.2e-18); the engine's
 * log1p keeps it (checked against a series oracle in test/unit/engine/logit-losses.test.ts).
 */
const close = (a: number, b: number, zMax: number, what: string): void =>
  assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b)) + Number.EPSILON * zMax, `${what}: ${a} vs PyTorch ${b}`);

describe('loss values from the net inputs against PyTorch (float64)', function () {
  this.timeout(120_000);
  let ref: ReturnType<typeof torch>;
  before(function () {
    ref = torch();
    if (ref === undefined) this.skip();
  });

  it('binary cross-entropy after a sigmoid = binary_cross_entropy_with_logits, within 1e-12, |z| up to 1e4', () => {
    TS.forEach((t, i) => ZS.forEach((z, j) => close(bceFromLogit(z, t), ref!.bce[i][j], Math.abs(z), `z ${z} t ${t}`)));
  });

  it('cross-entropy after a softmax = cross_entropy, for every class of each row and for soft targets, within 1e-12', () => {
    ROWS.forEach((row, i) => {
      const z = Float64Array.from(row);
      const zMax = Math.max(...row.map(Math.abs));
      row.forEach((_, k) => {
        const t = new Float64Array(row.length);
        t[k] = 1;
        close(softmaxCrossEntropyFromLogits(z, t, 0, row.length), ref!.hard[i][k], zMax, `z ${row} class ${k}`);
      });
      close(softmaxCrossEntropyFromLogits(z, Float64Array.from(SOFT[i]), 0, row.length), ref!.soft[i], zMax, `z ${row} soft ${SOFT[i]}`);
    });
  });
});
