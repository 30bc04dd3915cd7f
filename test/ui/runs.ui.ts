/**
 * Runs in the real workbench (code-server + Chromium, test/ui/harness.ts), in the inspector's Runs
 * tab: two trainings of a file with different learning rates are recorded; "Backprop: Compare
 * Runs" opens the inspector on its Runs tab with both curves overlaid, the changed setting in the
 * legend; the timeline slider moves the decision boundary (its pixels change with the epoch,
 * replayed in the replay thread); "Restore these weights into the file" writes them as one edit
 * that one Ctrl+Z takes out; a run that ends shows in the open tab; the Training tab's chart,
 * boundary and loss history are saved through the save dialog; the walkthrough's steps tick.
 * Screenshots go to test-artifacts/ui/runs-*.png.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { openPalette, openWorkbench, type Workbench } from './harness';

const net = (lr: number): string => `// XOR for the runs test
{
  "name": "XOR runs",
  "seed": 3,
  "layers": [{ "units": 2 }, { "units": 4, "activation": "tanh" }, { "units": 1, "activation": "sigmoid" }],
  "loss": "half-squared-error",
  "training": { "optimizer": "sgd", "learningRate": ${lr}, "epochs": 400, "batchSize": 4 },
  "data": { "inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]] }
}
`;

function makeWorkspace(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runs-ws-'));
  fs.writeFileSync(path.join(dir, 'xor.net.json'), net(2));
  fs.mkdirSync(path.join(dir, '.vscode'));
  fs.writeFileSync(path.join(dir, '.vscode', 'settings.json'), JSON.stringify({ 'backprop.writeBack': 'never' }));
  return dir;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** F1, the command, Enter (for commands that open a quick pick of their own). */
async function startCommand(page: Page, label: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  await openPalette(page, label);
  await widget.locator('.monaco-list-row', { hasText: label }).first().click();
}

/** The runs the extension recorded (its index in the server's workspace storage). */
function recordedRuns(root: string): number {
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop() as string;
    let entries: fs.Dirent[] = [];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.name === 'index.json' && path.basename(dir) === 'runs') {
        try {
          return (JSON.parse(fs.readFileSync(p, 'utf8')) as { runs: unknown[] }).runs.length;
        } catch {
          return 0;
        }
      }
    }
  }
  return 0;
}

/** Accepts the save dialog (code-server's own: a quick input holding the suggested path) as suggested; returns that path's file name. */
async function acceptSaveDialog(page: Page): Promise<string> {
  const widget = page.locator('.quick-input-widget');
  await widget.waitFor({ state: 'visible', timeout: 15_000 });
  const input = widget.locator('input').first();
  await waitFor('the suggested path', async () => /\.\w+$/.test(await input.inputValue()));
  const value = await input.inputValue();
  await page.keyboard.press('Enter');
  await widget.waitFor({ state: 'hidden', timeout: 15_000 });
  return path.basename(value);
}

/** The visible text of the active editor (Monaco renders spaces as no-break spaces). */
const editorText = async (page: Page): Promise<string> =>
  (await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().innerText()).replace(/\u00a0/g, ' ');

describe('runs in the real workbench', function () {
  this.timeout(240_000);
  let wb: Workbench;
  let page: Page;
  let workspace: string;
  let frame: Frame;

  before(async () => {
    workspace = makeWorkspace();
    wb = await openWorkbench({ workspace, viewport: { width: 1500, height: 1000 } });
    page = wb.page;
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await wb?.screenshot(`runs-FAILED-${this.currentTest.title.slice(0, 40)}`).catch(() => undefined);
  });

  after(async () => {
    await wb?.close();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  it("records two runs and overlays their curves in the inspector's Runs tab, the changed setting in the legend", async () => {
    await wb.openFile('xor.net.json');
    await wb.waitForCodeLens('Train'); // the extension is active: its commands are in the palette
    await wb.runCommand('Backprop: Train');
    await waitFor('the first run recorded', async () => recordedRuns(wb.server.tmp) === 1, 60_000);
    // the second run: the learning rate changed on disk
    fs.writeFileSync(path.join(wb.workspace, 'xor.net.json'), net(0.5));
    await wb.runCommand('File: Revert File'); // read it from disk now
    await waitFor('the editor to show the new learning rate', async () => (await editorText(page)).includes('"learningRate": 0.5'));
    await wb.runCommand('Backprop: Train');
    await waitFor('the second run recorded', async () => recordedRuns(wb.server.tmp) === 2, 60_000);
    await startCommand(page, 'Backprop: Compare Runs');
    const pick = page.locator('.quick-input-widget', { hasText: 'Compare runs of xor.net.json' });
    await pick.waitFor({ timeout: 15_000 });
    await page.keyboard.press('Enter'); // the two latest runs are preselected
    frame = await wb.webviewFrame({ tabTitle: 'Inspect: xor.net.json' });
    // one home: the inspector, on its Runs tab (no separate panel)
    await waitFor('the Runs tab selected', async () => (await frame.locator('[data-testid="tab-runs"]').getAttribute('aria-selected')) === 'true');
    assert.equal(await page.locator('.tabs-container .tab', { hasText: 'Runs: xor.net.json' }).count(), 0, 'no separate Runs panel');
    await waitFor('two rows', async () => (await frame.locator('[data-testid="run-row"]').count()) === 2);
    await waitFor('two curves', async () => JSON.parse((await frame.locator('[data-testid="runs-chart"]').getAttribute('data-series')) ?? '[]').length === 2);
    const series = JSON.parse((await frame.locator('[data-testid="runs-chart"]').getAttribute('data-series')) ?? '[]') as string[];
    assert.deepEqual(series, ['run 1: first run', 'run 2: learningRate 2 → 0.5']);
    const rows = frame.locator('[data-testid="run-row"]');
    assert.equal(await rows.nth(0).getAttribute('data-picked'), 'true');
    assert.equal(await rows.nth(1).getAttribute('data-picked'), 'true');
    assert.match(await rows.nth(0).innerText(), /learningRate 2 → 0\.5/);
    assert.match(await rows.nth(0).innerText(), /400/);
    await frame.locator('[data-testid="grad-chart"]').first().waitFor();
    assert.equal(await frame.locator('[data-testid="grad-chart"]').count(), 4, 'two layers, two charts each');
    await wb.screenshot('runs-01-two-runs-overlaid');
  });

  it('the timeline slider moves the decision boundary (replayed in the replay thread)', async () => {
    const boundary = frame.locator('[data-testid="runs-view"] [data-testid="boundary"]');
    await waitFor('the boundary at the last epoch', async () => (await boundary.getAttribute('data-epoch')) === '400');
    const image = (): Promise<string> => boundary.locator('canvas').evaluate((c) => (c as HTMLCanvasElement).toDataURL());
    const atEnd = await image();
    const slide = (epoch: number): Promise<void> =>
      frame.locator('[data-testid="timeline"]').evaluate((e, v) => {
        const input = e as HTMLInputElement;
        input.value = String(v);
        input.dispatchEvent(new Event('input', { bubbles: true }));
      }, epoch);
    await slide(3);
    await waitFor('the boundary at epoch 3', async () => (await boundary.getAttribute('data-epoch')) === '3');
    const atThree = await image();
    assert.notEqual(atThree, atEnd, 'the boundary at epoch 3 differs from the one at 400');
    assert.match(await frame.locator('[data-testid="timeline-label"]').innerText(), /epoch 3 \(a stored snapshot\)/);
    await slide(123);
    await waitFor('the boundary at epoch 123', async () => (await boundary.getAttribute('data-epoch')) === '123');
    assert.match(await frame.locator('[data-testid="timeline-label"]').innerText(), /epoch 123 \(replayed 43 epochs from the nearest snapshot\)/);
    const at123 = await image();
    assert.notEqual(at123, atThree);
    await wb.screenshot('runs-02-timeline-epoch-123');
    await boundary.scrollIntoViewIfNeeded();
    await wb.screenshot('runs-02b-boundary-and-graph-at-123');
    await frame.locator('[data-testid="runs-view"] [data-testid="weights-view"]').scrollIntoViewIfNeeded();
    await wb.screenshot('runs-02c-heatmaps-at-123');
    await frame.locator('[data-testid="runs-gradients"]').scrollIntoViewIfNeeded();
    await wb.screenshot('runs-02d-gradients-over-time');
    await frame.locator('[data-testid="runs-title"]').scrollIntoViewIfNeeded();
  });

  it('restores the weights of an epoch into the file as one edit, undone by one Ctrl+Z', async () => {
    const editorTab = page.locator('.tabs-container .tab', { hasText: 'xor.net.json' }).filter({ hasNotText: 'Inspect' }).first();
    await editorTab.click();
    assert.ok(!(await editorText(page)).includes('"weights"'), 'the file has no weights yet');
    frame = await wb.webviewFrame({ tabTitle: 'Inspect: xor.net.json' });
    await frame.locator('[data-testid="restore-weights"]').click();
    await frame.locator('[data-testid="runs-message"]', { hasText: 'The weights of epoch 123 are in xor.net.json' }).waitFor({ timeout: 30_000 });
    await editorTab.click();
    await waitFor('the weights in the editor', async () => (await editorText(page)).includes('"weights"'));
    const restored = await editorText(page);
    assert.equal((restored.match(/"weights"/g) ?? []).length, 2, 'both layers got their weights');
    assert.equal((restored.match(/"biases"/g) ?? []).length, 2, 'and their biases');
    await wb.screenshot('runs-03-restored');
    await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+Z');
    await page.keyboard.press('Control+Home'); // the whole (short) file in view
    // (the editor's lines can be blank for a moment while they are drawn again: wait for the text)
    await waitFor('the weights to be gone after one undo', async () => {
      const text = await editorText(page);
      return text.includes('"learningRate"') && !text.includes('"weights"');
    });
    const undone = await editorText(page);
    assert.ok(!undone.includes('"biases"'), 'one undo took the biases out too');
    assert.ok(undone.includes('"learningRate": 0.5'), 'the rest of the file is as it was');
    await wb.screenshot('runs-04-undone');
  });

  it('a run that ends appears in the open Runs tab, without reopening anything', async () => {
    frame = await wb.webviewFrame({ tabTitle: 'Inspect: xor.net.json' });
    await frame.locator('[data-testid="control-train"]').click();
    await waitFor('the third run listed', async () => (await frame.locator('[data-testid="run-row"]').count()) === 3, 60_000);
    assert.match(await frame.locator('[data-testid="run-row"]').first().innerText(), /no change/);
    await wb.screenshot('runs-05-a-new-run-listed');
  });

  it("saves the Training tab's chart and boundary (PNG, SVG) and the loss history (CSV) where the save dialog says", async () => {
    frame = await wb.webviewFrame({ tabTitle: 'Inspect: xor.net.json' });
    await frame.locator('[data-testid="tab-training"]').click();
    await waitFor('the chart drawn', async () => Number(await frame.locator('[data-testid="loss-chart"]').getAttribute('data-points')) > 0);
    await wb.screenshot('runs-06-training-tab-exports');
    const saved = async (testid: string): Promise<Buffer> => {
      await frame.locator(`[data-testid="${testid}"]`).click();
      const name = await acceptSaveDialog(page);
      const file = path.join(wb.workspace, name);
      await waitFor(`${name} written`, async () => fs.existsSync(file));
      await frame.locator('[data-testid="status"]', { hasText: `written to ${name}` }).waitFor({ timeout: 15_000 });
      return fs.readFileSync(file);
    };
    const png = await saved('export-chart-png');
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG file');
    const svg = (await saved('export-chart-svg')).toString('utf8');
    assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /<polyline /);
    assert.match(svg, /training loss/);
    const chart = frame.locator('[data-testid="loss-chart"]');
    const held = Number(await chart.getAttribute('data-points'));
    const lastEpoch = await chart.getAttribute('data-last-epoch');
    const csv = (await saved('export-history-csv')).toString('utf8').trim().split('\n');
    assert.equal(csv[0], 'epoch,loss');
    assert.equal(csv.length, held + 1, 'a header and every point the chart holds');
    assert.match(csv[csv.length - 1], new RegExp(`^${lastEpoch},0\\.\\d+`));
    const boundaryPng = await saved('export-boundary-png');
    assert.equal(boundaryPng.subarray(1, 4).toString('latin1'), 'PNG');
    const boundarySvg = (await saved('export-boundary-svg')).toString('utf8');
    assert.ok((boundarySvg.match(/<rect /g) ?? []).length >= 64 * 64, 'one rectangle per cell of the 64 x 64 grid');
    assert.equal((boundarySvg.match(/<circle /g) ?? []).length, 4, 'the four training points');
  });

  it('the getting-started walkthrough opens with its six steps, those done so far ticked', async () => {
    await startCommand(page, 'Welcome: Open Walkthrough...');
    const widget = page.locator('.quick-input-widget');
    await widget.locator('.monaco-list-row', { hasText: 'Get Started with Backprop Studio' }).first().click();
    const steps = page.locator('.getting-started-step');
    await steps.first().waitFor({ timeout: 30_000 });
    const titles = (await steps.allInnerTexts()).map((t) => t.split('\n')[0].trim());
    for (const title of ['Open an example network', 'Train it', 'Inspect it', 'Step through one backward pass', 'Check the gradients', 'Compare two runs']) {
      assert.ok(titles.some((t) => t.startsWith(title)), `step "${title}" in ${JSON.stringify(titles)}`);
    }
    // done before the walkthrough was ever opened (so before VS Code's walkthrough service existed):
    // trained, inspected, two runs compared; not done: an example opened, the step-by-step tab
    // looked at, a gradient check
    const ticked = async (title: string): Promise<boolean> =>
      (await steps.filter({ hasText: title }).first().locator('.codicon-getting-started-step-checked').count()) > 0;
    await waitFor('the steps done ticked', async () => (await ticked('Train it')) && (await ticked('Inspect it')) && (await ticked('Compare two runs')), 15_000);
    assert.equal(await ticked('Open an example network'), false);
    assert.equal(await ticked('Step through one backward pass'), false, 'opening the inspector is not stepping through');
    assert.equal(await ticked('Check the gradients'), false);
    await wb.screenshot('runs-07-walkthrough');
    // steps done later (the step-by-step tab looked at, a gradient check from the inspector) tick too
    await wb.runCommand('View: Close All Editor Groups');
    await wb.openFile('xor.net.json');
    await wb.waitForCodeLens('Train');
    await wb.runCommand('Backprop: Open Inspector');
    // (the walkthrough's media is a webview too, and its frame can linger a moment after it closed:
    // take the frame that is the inspector's)
    let inspector = await wb.webviewFrame({ tabTitle: 'Inspect: xor.net.json' });
    await waitFor("the inspector's frame", async () => {
      inspector = await wb.webviewFrame({ tabTitle: 'Inspect: xor.net.json' });
      return (await inspector.locator('[data-testid="tab-step"]').count()) > 0;
    });
    await inspector.locator('[data-testid="tab-step"]').click();
    await inspector.locator('[data-testid="tab-gradcheck"]').click();
    await inspector.locator('[data-testid="run-gradcheck"]').click();
    await startCommand(page, 'Welcome: Open Walkthrough...');
    await widget.locator('.monaco-list-row', { hasText: 'Get Started with Backprop Studio' }).first().click();
    await waitFor('the gradient check ticked', async () => ticked('Check the gradients'), 30_000);
    assert.equal(await ticked('Step through one backward pass'), true);
    await wb.screenshot('runs-08-walkthrough-gradient-check-ticked');
  });
});
