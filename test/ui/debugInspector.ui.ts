/**
 * The inspector follows the debugger, in the real workbench (code-server + Chromium, see
 * test/ui/harness.ts): with the file's inspector open beside it, a breakpoint on layer 1 stops the
 * run; the inspector shows the banner "Debugger: stopped in epoch 2 of 40 (1 done), batch 1 of 2, layer 1 — backward"
 * and the stopped weights (the Weights tab's tooltip holds the very value Variables shows); its
 * training controls are off; right-click dW in Variables > Open as Heatmap shows dW in the
 * inspector with its exact entries; the next stop refreshes it; stopping the session marks it
 * and brings the file's state back. Screenshots: test-artifacts/ui/debug-5..8-*.png.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import type { Frame, Locator, Page } from 'playwright-core';
import { debugToolbar, debugWorkspace, expand, expandScope, variableRow, waitForTopFrame } from './debugViews';
import { openWorkbench, type Workbench } from './harness';

const FILE = 'follow.net.json';

function editor(page: Page): Locator {
  return page.locator('.editor-group-container .monaco-editor').first();
}

/** The exact value of entry [1][1] of a matrix in the Layer 1 scope, as Variables show it. */
async function firstEntry(page: Page, matrix: string): Promise<string> {
  await expand(variableRow(page, matrix).first());
  const row = page.locator(`.debug-variables .monaco-list-row[aria-label^="[1], value"]`).first();
  await expand(row);
  const entry = page.locator(`.debug-variables .monaco-list-row[aria-label^="[1], value"]`).nth(1);
  await entry.waitFor({ timeout: 15_000 });
  const label = (await entry.getAttribute('aria-label')) ?? '';
  const m = /^\[1\], value (.*)$/.exec(label);
  assert.ok(m, label);
  // collapse again, so the next matrix's rows are the only [1] rows
  await variableRow(page, matrix).first().locator('.monaco-tl-twistie').click();
  return m[1].trim();
}

/** Where cell (j, k) of a heatmap is on its canvas, from the geometry it publishes (no bias column when noBias). */
async function cellCenter(heatmap: Locator, j: number, k: number): Promise<{ x: number; y: number }> {
  const n = async (a: string): Promise<number> => Number(await heatmap.getAttribute(a));
  const cell = await n('data-cell');
  return { x: (await n('data-left')) + k * cell + cell / 2, y: (await n('data-top')) + j * cell + cell / 2 };
}

async function tooltipOf(frame: Frame, heatmap: Locator, j: number, k: number, text: string): Promise<void> {
  await heatmap.locator('canvas').hover({ position: await cellCenter(heatmap, j, k) });
  await frame.locator('[data-testid="tooltip"]', { hasText: text }).waitFor({ timeout: 15_000 });
}

describe('UI: the inspector follows the debugger', function () {
  this.timeout(300_000);
  let wb: Workbench | undefined;
  let workspace: string;

  before(async () => {
    workspace = debugWorkspace(FILE);
    wb = await openWorkbench({ workspace, viewport: { width: 1600, height: 1000 } });
  });
  after(async () => {
    await wb?.close();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  it('stops: banner and stopped values in the inspector; Variables > Open as Heatmap; refreshed at the next stop; marked at the end', async () => {
    assert.ok(wb);
    const page = wb.page;
    await wb.openFile(FILE);
    await wb.clickCodeLens('Inspect');
    let frame = await wb.webviewFrame({ tabTitle: `Inspect: ${FILE}` });
    await frame.locator('[data-testid="network-summary"]', { hasText: 'units' }).waitFor({ timeout: 60_000 });

    // back in the editor: F9 on layers[1]'s line, then the Debug lens
    const line = editor(page).locator('.view-line', { hasText: '"units": 3' }).first();
    await line.click();
    await page.keyboard.press('F9');
    await editor(page).locator('.codicon-debug-breakpoint').first().waitFor({ timeout: 15_000 });
    await wb.clickCodeLens('Debug');
    await waitForTopFrame(page, 'layer 1 (backward)');
    // Continue twice: epoch 2's first batch, after two updates (the weights differ from the file's)
    await debugToolbar(page, /^Continue/);
    await page.locator('.debug-call-stack .monaco-list-row', { hasText: 'batch 2 of 2' }).first().waitFor({ timeout: 60_000 });
    await debugToolbar(page, /^Continue/);
    await page.locator('.debug-call-stack .monaco-list-row', { hasText: 'epoch 2 of 40' }).first().waitFor({ timeout: 60_000 });

    frame = await wb.webviewFrame({ tabTitle: `Inspect: ${FILE}` });
    const banner = frame.locator('[data-testid="debug-banner"]');
    await banner.filter({ hasText: 'Debugger: stopped in epoch 2 of 40 (1 done), batch 1 of 2, layer 1 — backward' }).waitFor({ timeout: 30_000 });
    assert.match(await banner.innerText(), /these are the debugger's values, not the file's/);
    await frame.locator('[data-testid="status"]', { hasText: 'Debugger · epoch 1' }).waitFor({ timeout: 30_000 }); // the epochs the debug run completed
    assert.equal(await frame.locator('[data-testid="control-train"]').isDisabled(), true, 'training from the inspector is off meanwhile');

    // the stopped weights: the Weights tab's tooltip holds the value Variables show for W[1][1]
    await expandScope(page, 'Layer 1');
    const w11 = await firstEntry(page, 'W');
    await frame.locator('[data-testid="tab-weights"]').click();
    const l1 = frame.locator('[data-testid="heatmap-l1"]');
    await l1.waitFor();
    await tooltipOf(frame, l1, 0, 0, w11);
    await wb.screenshot('debug-5-inspector-follows');

    // Variables > right-click dW > Open as Heatmap
    const dW11 = await firstEntry(page, 'dW');
    await variableRow(page, 'dW').first().click({ button: 'right' });
    const item = page.locator('.context-view .action-item', { hasText: 'Open as Heatmap' }).first();
    await item.waitFor({ timeout: 15_000 });
    await page.waitForTimeout(400); // (the menu fades in: for the picture only)
    await wb.screenshot('debug-6-open-as-heatmap-menu');
    await item.click();
    frame = await wb.webviewFrame({ tabTitle: `Inspect: ${FILE}` });
    const card = frame.locator('[data-testid="debug-heatmap"]', { hasText: 'dW (layer 1)' });
    await card.waitFor({ timeout: 30_000 });
    assert.equal((await card.locator('[data-testid="debug-heatmap-title"]').innerText()).trim(), 'dW (layer 1) · 3 × 2');
    assert.equal((await card.locator('[data-testid="debug-heatmap-status"]').innerText()).trim(), 'at epoch 2 of 40, batch 1 of 2, layer 1 — backward');
    const map = card.locator('.heatmap');
    assert.deepEqual([await map.getAttribute('data-rows'), await map.getAttribute('data-cols')], ['3', '2']);
    await tooltipOf(frame, map, 0, 0, dW11);
    await wb.screenshot('debug-7-heatmap-in-inspector');

    // the next stop refreshes it
    await debugToolbar(page, /^Continue/);
    await card.locator('[data-testid="debug-heatmap-status"]', { hasText: 'at epoch 2 of 40, batch 2 of 2, layer 1 — backward' }).waitFor({ timeout: 60_000 });
    await banner.filter({ hasText: 'epoch 2 of 40 (1 done), batch 2 of 2' }).waitFor({ timeout: 30_000 });

    // stopping the session: the heatmap is marked, the banner goes, training is on again
    await debugToolbar(page, /^Stop/);
    await card.locator('[data-testid="debug-heatmap-status"]', { hasText: 'the debug session ended' }).waitFor({ timeout: 60_000 });
    await frame.locator('[data-testid="debug-banner"]').waitFor({ state: 'hidden', timeout: 30_000 });
    await frame.locator('[data-testid="control-train"]:not([disabled])').waitFor({ timeout: 30_000 });
    await wb.screenshot('debug-8-session-ended');
  });

  it('a page restored after the session ended (the panel hidden and shown) keeps the file\'s loss history, not the debug run\'s', async () => {
    assert.ok(wb);
    const page = wb.page;
    // hide the panel (its page is discarded: the next one starts from the webview state), then show it
    await wb.runCommand('View: Show Explorer');
    await page.locator('.tabs-container .tab', { hasText: `Inspect: ${FILE}` }).first().click();
    await page.locator('.explorer-folders-view .monaco-list-row', { has: page.locator('.label-name', { hasText: FILE }) }).first().click();
    await page.locator(`.tabs-container .tab[data-resource-name="${FILE}"][aria-label*="Editor Group 2"]`).first().waitFor({ timeout: 30_000 });
    await page.locator('.tabs-container .tab', { hasText: `Inspect: ${FILE}` }).first().click();
    const frame = await wb.webviewFrame({ tabTitle: `Inspect: ${FILE}` });
    await frame.locator('[data-testid="network-summary"]', { hasText: 'units' }).waitFor({ timeout: 60_000 });
    // the file was never trained: no point saved (the debug run completed one epoch, shown while it was followed)
    assert.equal(await frame.locator('[data-testid="loss-chart"]').getAttribute('data-restored-points'), '0');
    assert.equal(await frame.locator('[data-testid="loss-chart"]').getAttribute('data-points'), '0');
  });
});
