/**
 * The training debugger in the real workbench (code-server + Chromium, see test/ui/harness.ts):
 * the file opens as language "Backprop Network" (status bar) with JSON's colours, a mouse click in
 * the gutter (the glyph margin) of a layer's line sets a breakpoint (the gutter's menu offers
 * conditional breakpoints and logpoints), the Debug lens starts the run, it stops there (Call Stack "layer 1 (backward) > batch 1 of 2 > epoch 1 of 40", the line
 * highlighted), W expands row by row in Variables with the engine's numbers, Step Into moves to
 * the update and Step Back returns to the same stage with the same numbers. Screenshots of each
 * state go to test-artifacts/ui/debug-*.png.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { loadNet, networkFor } from '../../src/engine/load';
import { openWorkbench, type Workbench } from './harness';
import { debugToolbar, debugWorkspace, expand, expandScope, variableRow, waitForTopFrame } from './debugViews';

const FILE = 'debug.net.json';

function editor(page: Page): Locator {
  return page.locator('.editor-group-container.active .monaco-editor').first();
}

/** The call stack's frame names, top first. */
async function callStack(page: Page): Promise<string[]> {
  const rows = page.locator('.debug-call-stack .monaco-list-row .stack-frame .label');
  return (await rows.allInnerTexts()).map((t) => t.trim()).filter((t) => t !== '');
}

describe('UI: debugging a training run', function () {
  this.timeout(240_000);
  let wb: Workbench | undefined;
  let workspace: string;

  before(async () => {
    workspace = debugWorkspace(FILE);
    wb = await openWorkbench({ workspace, viewport: { width: 1500, height: 950 } });
  });
  after(async () => {
    await wb?.close();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  it('gutter breakpoint on a layer line, Debug lens, stop, expand W in Variables, step, step back', async () => {
    assert.ok(wb);
    const page = wb.page;
    await wb.openFile(FILE);
    await wb.waitForCodeLens('Debug');

    // the status bar names the file's language: ours (VS Code refuses breakpoints in "JSON with Comments")
    await page.locator('.statusbar-item[id="status.editor.mode"]', { hasText: 'Backprop Network' }).waitFor({ timeout: 15_000 });

    // syntax colouring (our grammar includes VS Code's JSON-with-comments grammar): the comment,
    // a key and a number each have a colour of their own
    const colours = async (hasText: string): Promise<Map<string, string>> => {
      const spans = editor(page).locator('.view-line', { hasText }).first().locator('span > span');
      const pairs = await spans.evaluateAll((els) => els.map((e) => [(e.textContent ?? '').trim(), getComputedStyle(e).color] as [string, string]));
      return new Map(pairs.filter(([t]) => t !== ''));
    };
    const comment = [...(await colours('// A small network')).values()][0];
    const seedLine = await colours('"seed"');
    const key = seedLine.get('"seed"') ?? seedLine.get('seed');
    const number = seedLine.get('3') ?? seedLine.get('3,');
    assert.ok(comment && key && number && new Set([comment, key, number]).size === 3, `comment ${comment}, key ${key}, number ${number} (${JSON.stringify([...seedLine])})`);

    // a real mouse click in the gutter (the glyph margin) beside layers[1]'s line
    const line = editor(page).locator('.view-line', { hasText: '"units": 3' }).first();
    await line.waitFor();
    const lineBox = await line.boundingBox();
    const margin = await editor(page).locator('.margin .glyph-margin').first().boundingBox();
    assert.ok(lineBox && margin && margin.width > 0, 'the editor has a glyph margin');
    const at = { x: margin.x + margin.width / 2, y: lineBox.y + lineBox.height / 2 };
    await page.mouse.move(at.x, at.y);
    // hovering the gutter shows the faint breakpoint hint, as in any language that takes breakpoints
    await editor(page).locator('.codicon-debug-hint').first().waitFor({ timeout: 15_000 });
    await page.mouse.click(at.x, at.y);
    const glyph = editor(page).locator('.codicon-debug-breakpoint').first();
    await glyph.waitFor({ timeout: 15_000 });
    const glyphBox = await glyph.boundingBox();
    assert.ok(glyphBox && Math.abs(glyphBox.y + glyphBox.height / 2 - at.y) < lineBox.height / 2, 'the breakpoint is in the gutter of the layer\'s line');
    // the gutter's context menu offers conditional breakpoints and logpoints, as in any source file
    const seed = await editor(page).locator('.view-line', { hasText: '"seed"' }).first().boundingBox();
    assert.ok(seed);
    await page.mouse.click(at.x, seed.y + seed.height / 2, { button: 'right' });
    const menu = page.locator('.context-view .monaco-menu');
    await menu.locator('.action-label', { hasText: 'Add Conditional Breakpoint' }).first().waitFor({ timeout: 15_000 });
    await menu.locator('.action-label', { hasText: 'Add Logpoint' }).first().waitFor({ timeout: 15_000 });
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'hidden', timeout: 15_000 });
    await page.mouse.move(at.x + 400, at.y + 200);
    assert.equal(await editor(page).locator('.codicon-debug-breakpoint').count(), 1, 'one breakpoint, on the layer\'s line');
    await wb.screenshot('debug-0-breakpoint-set');

    await wb.clickCodeLens('Debug');
    await waitForTopFrame(page, 'layer 1 (backward)');
    await page.locator('.debug-call-stack .monaco-list-row', { hasText: 'epoch 1 of 40' }).first().waitFor({ timeout: 30_000 });
    const frames = await callStack(page);
    assert.deepEqual(frames.slice(0, 3), ['layer 1 (backward)', 'batch 1 of 2', 'epoch 1 of 40'], frames.join(' | '));
    // the editor highlights the layer's line as the top stack frame
    await editor(page).locator('.debug-top-stack-frame-line, .debug-top-stack-frame').first().waitFor({ timeout: 15_000 });
    await wb.screenshot('debug-1-stopped-at-layer-1');

    // Variables: the Layer 1 scope, W expanded by rows, the first row by entries
    await expandScope(page, 'Layer 1');
    const W = variableRow(page, 'W').first();
    await W.waitFor({ timeout: 30_000 });
    assert.match(await W.innerText(), /3x2 ‖·‖/);
    await expand(W);
    await expand(variableRow(page, '[1]').first());
    // the engine's initial weights (nothing updated yet in batch 1 of epoch 1)
    const text = fs.readFileSync(path.join(workspace, FILE), 'utf8');
    const loaded = loadNet(text, path.join(workspace, FILE));
    assert.ok(loaded.spec);
    const net = networkFor(loaded.spec, 'exact');
    const w11 = String(net.layers[0].weight(0, 0));
    await page.locator('.debug-variables .monaco-list-row', { hasText: w11 }).first().waitFor({ timeout: 15_000 });
    await wb.screenshot('debug-2-variables-W-expanded');

    // Step Into: the update; Step Back: the same stage again with the same numbers
    const before = (await variableRow(page, 'W').first().getAttribute('aria-label')) ?? '';
    await debugToolbar(page, /^Step Into/);
    await waitForTopFrame(page, 'update');
    // Variables refresh: W of layer 1 after the update (its summary changes)
    await page.waitForFunction((old) => {
      const row = document.querySelector('.debug-variables .monaco-list-row[aria-label^="W, value"]');
      return row !== null && row.getAttribute('aria-label') !== old;
    }, before, { timeout: 30_000 });
    await wb.screenshot('debug-3-stepped-to-update');
    await debugToolbar(page, /^Step Back/);
    await waitForTopFrame(page, 'layer 1 (backward)');
    const again = await callStack(page);
    assert.deepEqual(again.slice(0, 3), ['layer 1 (backward)', 'batch 1 of 2', 'epoch 1 of 40']);
    await expandScope(page, 'Layer 1');
    await expand(variableRow(page, 'W').first());
    await expand(variableRow(page, '[1]').first());
    await page.locator('.debug-variables .monaco-list-row', { hasText: w11 }).first().waitFor({ timeout: 15_000 });
    await wb.screenshot('debug-4-stepped-back');

    await debugToolbar(page, /^Stop/);
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 30_000 });
  });
});
