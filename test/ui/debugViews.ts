/**
 * Driving VS Code's own debug views in the UI tests: the call stack, the Variables tree and the
 * debug toolbar (shared by debug.ui.ts and debugInspector.ui.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { repoRoot } from './harness';

/** A workspace with the debugger's test network (test/fixtures/debug/xor.net.json, 40 epochs) as `file`. */
export function debugWorkspace(file: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'debug-ws-'));
  const text = fs.readFileSync(path.join(repoRoot(), 'test', 'fixtures', 'debug', 'xor.net.json'), 'utf8').replace('"epochs": 4', '"epochs": 40');
  fs.writeFileSync(path.join(dir, file), text);
  return dir;
}

/** Clicks the debug toolbar's button whose label matches `title` (Continue, Step Into, Step Back, Stop...). */
export async function debugToolbar(page: Page, title: RegExp): Promise<void> {
  const all = await page.locator('.debug-toolbar .action-label[aria-label]').all();
  for (const b of all) {
    if (title.test((await b.getAttribute('aria-label')) ?? '')) {
      await b.click();
      return;
    }
  }
  throw new Error(`no debug toolbar button ${title} (have: ${(await Promise.all(all.map((b) => b.getAttribute('aria-label')))).join(', ')})`);
}

export async function waitForTopFrame(page: Page, name: string): Promise<void> {
  await page.locator('.debug-call-stack .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 60_000 });
}

/** A row of the Variables view by its name, e.g. "W" or "[1]" (its aria-label is "<name>, value <value>"). */
export function variableRow(page: Page, name: string): Locator {
  return page.locator(`.debug-variables .monaco-list-row[aria-label^="${name}, value"]`);
}

/**
 * Expands a tree row and waits until it says so. VS Code expands the first scope by itself after a
 * stop, a moment after the row appears, and re-renders the tree when the variables arrive: a click
 * at that moment would collapse the row again. So the row is clicked only while it stays
 * collapsed, and its state is read again after each click.
 */
async function expandRow(row: Locator, click: () => Promise<void>): Promise<void> {
  await row.waitFor({ timeout: 30_000 });
  const deadline = Date.now() + 30_000;
  while ((await row.getAttribute('aria-expanded')) !== 'true') {
    if (Date.now() > deadline) throw new Error(`the row "${(await row.getAttribute('aria-label')) ?? ''}" did not expand`);
    await new Promise((r) => setTimeout(r, 500));
    if ((await row.getAttribute('aria-expanded')) === 'true') break;
    await click();
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Expands a variable (a matrix by rows, a row by entries). */
export async function expand(row: Locator): Promise<void> {
  await expandRow(row, () => row.locator('.monaco-tl-twistie').click());
}

/** Expands a scope of the Variables view ("Layer 1", "Batch", ...). */
export async function expandScope(page: Page, name: string): Promise<void> {
  const scope = page.locator('.debug-variables .monaco-list-row', { hasText: name }).first();
  await expandRow(scope, () => scope.click());
}
