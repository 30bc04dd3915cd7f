/**
 * The inspector in the real workbench (code-server + Chromium, see test/ui/harness.ts): opened
 * from the Inspect lens, training streams into its chart, the heatmaps have the layers' shapes,
 * the step-through's deltas equal the CLI's gradient for a one-sample file (dE/db^l_j = δ^l_j for
 * one sample, and the view shows Δ = −δ), the gradient check shows its view, a network named
 * with markup shows the text literally, and the chart's history survives hiding the panel and
 * reloading the window. Screenshots of every state go to test-artifacts/ui/.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Frame, Locator, Page } from 'playwright-core';
import { formatNumber } from '../../webview/format';
import { openWorkbench, repoRoot, waitForCodeLens, type Workbench } from './harness';

const MARKUP = '<img src=x onerror=alert(1)>';
const XOR = JSON.parse(
  fs
    .readFileSync(path.join(repoRoot(), 'examples', 'xor.net.json'), 'utf8')
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('//'))
    .join('\n'),
) as Record<string, unknown>;

/** A temp workspace: the XOR example, a long-running copy, a one-sample copy and one named with markup. */
function makeWorkspace(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inspector-ws-'));
  fs.copyFileSync(path.join(repoRoot(), 'examples', 'xor.net.json'), path.join(dir, 'xor.net.json'));
  fs.copyFileSync(path.join(repoRoot(), 'examples', 'sine.net.json'), path.join(dir, 'sine.net.json'));
  const write = (name: string, value: unknown): void => fs.writeFileSync(path.join(dir, name), JSON.stringify(value, null, 2) + '\n');
  write('long.net.json', { ...XOR, name: 'XOR, long run', training: { optimizer: 'sgd', learningRate: 0.5, epochs: 100_000_000, batchSize: 4 } });
  write('one.net.json', { ...XOR, name: 'XOR, one sample', data: { inputs: [[1, 0]], targets: [[1]] } });
  write('markup.net.json', { ...XOR, name: MARKUP });
  // The l2 example: w = 2, x = 1, t = 1, lr 0.1, l2 0.5, sgd, batch 1 (one epoch of training gives 1.8).
  write('l2.net.json', {
    name: 'one weight with l2',
    layers: [{ units: 1 }, { units: 1, activation: 'linear', weights: [[2]], biases: [0] }],
    loss: 'half-squared-error',
    training: { optimizer: 'sgd', learningRate: 0.1, l2: 0.5, batchSize: 1, shuffle: false, epochs: 1 },
    data: { inputs: [[1]], targets: [[1]] },
  });
  // Written weights, each number unique in the text, so a reveal can be checked by its position.
  fs.writeFileSync(
    path.join(dir, 'weights.net.json'),
    `{
  "name": "XOR with written weights",
  "layers": [
    { "units": 2 },
    { "units": 3, "activation": "sigmoid",
      "weights": [[0.111, -0.112], [0.121, -0.122], [0.131, -0.132]], "biases": [0.101, 0.102, 0.103] },
    { "units": 1, "activation": "sigmoid", "weights": [[0.211, 0.212, 0.213]], "biases": [0.201] }
  ],
  "loss": "half-squared-error",
  "training": { "learningRate": 2, "epochs": 10 },
  "data": { "inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]] }
}
`,
  );
  return dir;
}

/** Opens `file` alone (all other editors closed) and its inspector from the Inspect lens. */
async function inspect(wb: Workbench, file: string): Promise<Frame> {
  await wb.runCommand('View: Close All Editor Groups');
  await wb.openFile(file);
  await clickLensOfActiveEditor(wb.page, 'Inspect');
  const frame = await wb.webviewFrame({ tabTitle: `Inspect: ${file}` });
  await frame.locator('[data-testid="network-summary"]', { hasText: 'units' }).waitFor({ timeout: 60_000 });
  return frame;
}

/** Clicks a CodeLens of the active editor (the harness's clickCodeLens takes the first of any editor). */
async function clickLensOfActiveEditor(page: Page, text: string): Promise<void> {
  const lens = page.locator('.editor-group-container.active .codelens-decoration a', { hasText: text }).first();
  await lens.waitFor({ timeout: 60_000 });
  await lens.click();
}

/** Where cell (j, k) of a heatmap is on its canvas (k = inputs is the bias), from the geometry it publishes. */
async function cellCenter(heatmap: Locator, j: number, k: number): Promise<{ x: number; y: number }> {
  const n = async (a: string): Promise<number> => Number(await heatmap.getAttribute(a));
  const cell = await n('data-cell');
  const inputs = await n('data-cols');
  const x = (await n('data-left')) + k * cell + (k >= inputs ? await n('data-bias-gap') : 0) + cell / 2;
  return { x, y: (await n('data-top')) + j * cell + cell / 2 };
}

async function attr(frame: Frame, testid: string, name: string): Promise<string | null> {
  return frame.locator(`[data-testid="${testid}"]`).first().getAttribute(name);
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** The CLI's gradient of the file (the mean over its samples; with one sample, that sample's). */
function cliGrad(file: string): { loss: number; layers: ({ weights: number[][]; biases: number[] } | null)[] } {
  const cli = path.join(repoRoot(), 'dist', 'cli.js');
  const out = execFileSync(process.execPath, [cli, 'grad', file, '--json'], { encoding: 'utf8' });
  return JSON.parse(out) as { loss: number; layers: ({ weights: number[][]; biases: number[] } | null)[] };
}

describe('inspector in the real workbench', function () {
  this.timeout(180_000);
  let wb: Workbench;
  let page: Page;
  let workspace: string;
  const dialogs: string[] = [];

  before(async () => {
    workspace = makeWorkspace();
    wb = await openWorkbench({ workspace, viewport: { width: 1500, height: 950 } });
    page = wb.page;
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await wb?.screenshot(`inspector-FAILED-${this.currentTest.title.slice(0, 40)}`).catch(() => undefined);
  });

  after(async () => {
    await wb?.close();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  it('streams training into the chart while it runs (Train lens)', async () => {
    const frame = await inspect(wb, 'long.net.json');
    await wb.screenshot('inspector-01-opened');
    assert.equal(await attr(frame, 'loss-chart', 'data-points'), '0');
    await wb.clickCodeLens('Train');
    await waitFor('training to start', async () => (await frame.locator('body').getAttribute('data-training-state')) === 'training');
    await waitFor('the first points', async () => Number(await attr(frame, 'loss-chart', 'data-last-epoch')) > 0);
    const first = Number(await attr(frame, 'loss-chart', 'data-last-epoch'));
    await waitFor('more points', async () => Number(await attr(frame, 'loss-chart', 'data-last-epoch')) > first + 10, 20_000);
    const redraws = Number(await attr(frame, 'loss-chart', 'data-redraws'));
    assert.ok(redraws >= 2, `the chart redrew ${redraws} times`);
    // The editor's own lenses follow the run: Stop at once, and the live epoch keeps moving.
    await waitForCodeLens(wb.page, 'Stop', 10_000);
    const lensEpoch = async (): Promise<number> => Number(/epoch (\d+)\//.exec((await (await waitForCodeLens(wb.page, 'epoch', 10_000)).textContent()) ?? '')?.[1] ?? NaN);
    const lensFirst = await lensEpoch();
    await waitFor('the lens epoch to move on', async () => (await lensEpoch()) > lensFirst, 10_000);
    assert.ok(Number(await attr(frame, 'loss-chart', 'data-points')) <= 4000, 'the history stays bounded');
    // One epoch, one source: the header and the status line read the same number at any moment.
    for (let i = 0; i < 5; i++) {
      const [header, status] = await frame.evaluate(() => ['network-summary', 'status'].map((id) => document.querySelector(`[data-testid="${id}"]`)?.textContent ?? ''));
      const epochOf = (t: string): string | undefined => /epoch (\d+)/.exec(t)?.[1];
      assert.ok(epochOf(header) !== undefined && epochOf(header) === epochOf(status), `header "${header}" and status "${status}" show one epoch`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await wb.screenshot('inspector-02-training');
    await frame.locator('[data-testid="control-stop"]').click();
    await waitFor('training to stop', async () => (await frame.locator('body').getAttribute('data-training-state')) !== 'training');
  });

  it('keeps the history when the panel is hidden and shown, and after a window reload', async () => {
    // Focus the inspector's group, open a file there (hiding the panel, whose page is discarded), show it again.
    await page.locator('.tabs-container .tab', { hasText: 'Inspect: long.net.json' }).first().click();
    await wb.openFile('xor.net.json');
    await wb.screenshot('inspector-03-hidden');
    let frame = await wb.webviewFrame({ tabTitle: 'Inspect: long.net.json' });
    await waitFor('the long run\'s history back', async () => Number((await attr(frame, 'loss-chart', 'data-points').catch(() => '0')) ?? '0') > 10);
    // Reload as a user does (the command lets the workbench save its state first; a bare page reload may not).
    const navigated = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame(), timeout: 60_000 });
    await wb.runCommand('Developer: Reload Window').catch(() => undefined);
    await navigated;
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    frame = await wb.webviewFrame({ tabTitle: 'Inspect: long.net.json', timeoutMs: 90_000 });
    await frame.locator('[data-testid="network-summary"]', { hasText: 'units' }).waitFor({ timeout: 60_000 });
    const restored = await attr(frame, 'loss-chart', 'data-restored-points');
    await waitFor(`the restored history (restored from the webview state: ${restored})`, async () => Number((await attr(frame, 'loss-chart', 'data-points').catch(() => '0')) ?? '0') > 10, 30_000);
    await wb.screenshot('inspector-03b-restored-after-reload');
  });

  it('shows heatmaps with the layers\' shapes (rows: units, columns: previous units + bias)', async () => {
    const frame = await inspect(wb, 'xor.net.json');
    await frame.locator('[data-testid="tab-weights"]').click();
    const l1 = frame.locator('[data-testid="heatmap-l1"]');
    const l2 = frame.locator('[data-testid="heatmap-l2"]');
    await l1.waitFor();
    assert.deepEqual([await l1.getAttribute('data-rows'), await l1.getAttribute('data-cols')], ['3', '2']);
    assert.deepEqual([await l2.getAttribute('data-rows'), await l2.getAttribute('data-cols')], ['1', '3']);
    const canvas = l1.locator('canvas');
    const box = await canvas.boundingBox();
    assert.ok(box && box.width > 60 && box.height > 60, `heatmap canvas ${JSON.stringify(box)}`);
    await canvas.hover({ position: await cellCenter(l1, 0, 0) });
    await frame.locator('[data-testid="tooltip"]', { hasText: 'from unit 1 of layer 0 to unit 1 of layer 1' }).waitFor();
    await wb.screenshot('inspector-04-weights');
  });

  it('reveals a clicked weight in the file, selecting exactly its number', async () => {
    const frame = await inspect(wb, 'weights.net.json');
    await frame.locator('[data-testid="tab-weights"]').click();
    const l1 = frame.locator('[data-testid="heatmap-l1"]');
    await l1.waitFor();
    const text = fs.readFileSync(path.join(wb.workspace, 'weights.net.json'), 'utf8');
    const expectSelected = async (number: string): Promise<void> => {
      const offset = text.indexOf(number);
      const before = text.slice(0, offset).split('\n');
      // the status bar shows the selection's active end: just after the number
      const where = `Ln ${before.length}, Col ${before[before.length - 1].length + 1 + number.length} (${number.length} selected)`;
      await page.locator('.statusbar-item', { hasText: where }).first().waitFor({ timeout: 20_000 });
    };
    await l1.locator('canvas').click({ position: await cellCenter(l1, 2, 1) }); // w^1_{3,2}
    await expectSelected('-0.132');
    await wb.screenshot('inspector-05-reveal');
    // keyboard: focus the matrix, Ctrl+Home (cell 1,1), Right, Right (the bias column), Enter: b^1_1
    await l1.locator('canvas').focus();
    await l1.locator('canvas').press('Control+Home');
    await l1.locator('canvas').press('ArrowRight');
    await l1.locator('canvas').press('ArrowRight');
    await l1.locator('canvas').press('Enter');
    await expectSelected('0.101');
  });

  it('steps through one backward pass with the CLI\'s numbers (Δ = −δ = −dE/db for one sample)', async () => {
    const frame = await inspect(wb, 'one.net.json');
    await frame.locator('[data-testid="tab-step"]').click();
    await frame.locator('[data-testid="step-line"]').first().waitFor();
    await wb.screenshot('inspector-06-step-start');
    await frame.locator('.outline-item', { hasText: 'Δ output' }).click();
    const out = frame.locator('[data-testid="step-line"][data-q="Delta"][data-l="2"][data-j="0"]');
    await out.waitFor();
    await wb.screenshot('inspector-07-step-output-delta');
    const grad = cliGrad(path.join(wb.workspace, 'one.net.json'));
    const shownOut = Number(await out.getAttribute('data-value'));
    assert.equal(shownOut, -grad.layers[2]!.biases[0], 'output Δ = −(CLI dE/db^2_1)');
    assert.ok((await out.textContent())!.includes(formatNumber(Math.abs(shownOut))), 'the formula shows the number');
    await frame.locator('[data-testid="step-next"]').click();
    for (let j = 0; j < 3; j++) {
      const line = frame.locator(`[data-testid="step-line"][data-q="Delta"][data-l="1"][data-j="${j}"]`);
      assert.equal(Number(await line.getAttribute('data-value')), -grad.layers[1]!.biases[j], `hidden Δ^1_${j + 1}`);
    }
    await wb.screenshot('inspector-08-step-hidden-delta');
    await frame.locator('[data-testid="step-next"]').click();
    await wb.screenshot('inspector-09-step-update');
    // The network graph shows the same pass: a hidden unit's delta, in both sign conventions.
    await frame.locator('[data-testid="tab-network"]').click();
    await frame.locator('[data-testid="network-graph"] g.node[data-layer="1"][data-unit="1"] circle').click();
    const delta = Number(await frame.locator('[data-testid="unit-delta"]').getAttribute('data-value'));
    assert.equal(delta, grad.layers[1]!.biases[1], 'δ^1_2 = CLI dE/db^1_2');
    assert.equal(Number(await frame.locator('[data-testid="unit-Delta"]').getAttribute('data-value')), -delta);
    await wb.screenshot('inspector-09b-network-unit');
  });

  it('shows the l2 term with its number in the update, and how training\'s steps differ (from the real worker)', async () => {
    let frame = await inspect(wb, 'l2.net.json');
    await frame.locator('[data-testid="tab-step"]').click();
    await frame.locator('.outline-item', { hasText: 'Update L1' }).click();
    const after = frame.locator('[data-testid="step-line"][data-q="newW"][data-l="1"][data-j="0"][data-k="0"]');
    await after.waitFor();
    assert.equal(Number(await after.getAttribute('data-value')), 1.8);
    const text = (await after.textContent()) ?? '';
    assert.ok(text.includes('λ'), `the rule names λ: ${text}`);
    assert.ok(text.includes('0.5'), `the l2 number is shown: ${text}`);
    assert.ok(text.includes('1.8'), `the weight after is 1.8: ${text}`);
    await frame.locator('[data-testid="step-body"]', { hasText: 'With l2 = 0.5' }).waitFor();
    await wb.screenshot('inspector-09c-step-l2-term');
    // XOR trains with sgd on batches of 4: the step-through says its one-sample step differs.
    frame = await inspect(wb, 'xor.net.json');
    await frame.locator('[data-testid="tab-step"]').click();
    await frame.locator('.outline-item', { hasText: 'Update L2' }).click();
    await frame.locator('[data-testid="step-body"]', { hasText: 'Training itself uses sgd on batches of 4 samples (the mean of these changes), so its steps differ from this one.' }).waitFor();
    await wb.screenshot('inspector-09d-step-training-differs');
  });

  it('runs a gradient check and shows its heatmaps and worst entries', async () => {
    const frame = await inspect(wb, 'xor.net.json');
    await frame.locator('[data-testid="tab-gradcheck"]').click();
    await frame.locator('[data-testid="run-gradcheck"]').click();
    await frame.locator('[data-testid="gradcheck-verdict"]').waitFor({ timeout: 60_000 });
    assert.equal(await frame.locator('[data-testid="gradcheck-verdict"]').textContent(), 'PASSED');
    const hm = frame.locator('[data-testid="gc-heatmap-l1"]');
    assert.deepEqual([await hm.getAttribute('data-rows'), await hm.getAttribute('data-cols')], ['3', '2']);
    assert.ok((await frame.locator('[data-testid="gc-worst-row"]').count()) > 0);
    await wb.screenshot('inspector-10-gradcheck');
  });

  it('says which parameters the differences cannot check, and why, never "ok" (sine: biases with a gradient of ~1e-17)', async () => {
    const frame = await inspect(wb, 'sine.net.json');
    await frame.locator('[data-testid="tab-gradcheck"]').click();
    await frame.locator('[data-testid="run-gradcheck"]').click();
    await frame.locator('[data-testid="gradcheck-verdict"]').waitFor({ timeout: 60_000 });
    const summary = (await frame.locator('.gc-verdict').textContent()) ?? '';
    const cli = JSON.parse(execFileSync(process.execPath, [path.join(repoRoot(), 'dist', 'cli.js'), 'check', path.join(workspace, 'sine.net.json'), '--json'], { encoding: 'utf8' })) as { cannotCheck?: number };
    assert.ok((cli.cannotCheck ?? 0) > 0, 'the CLI finds parameters it cannot check on sine');
    assert.ok(summary.includes(`${cli.cannotCheck} cannot be checked by differences`), summary);
    await frame.locator('.legend', { hasText: 'cannot check' }).waitFor();
    await wb.screenshot('inspector-10b-gradcheck-cannot-check');
  });

  it('shows a network name made of markup as text', async () => {
    const frame = await inspect(wb, 'markup.net.json');
    assert.equal(await frame.locator('[data-testid="network-name"]').textContent(), MARKUP);
    assert.equal(await frame.locator('#app img').count(), 0);
    assert.deepEqual(dialogs, [], 'no script ran');
    await wb.screenshot('inspector-11-markup-name');
  });
});
