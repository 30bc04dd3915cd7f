/**
 * The inspector's Runs tab with 200 runs, in Debian's Chromium (the UI tests' browser): the real
 * dist/webview.js and dist/webview.css in a page that stands in for VS Code's webview API, the
 * Runs tab shown, given the `runs` message of 200 rows, then the curves of one of them. Prints how
 * long the table and the overlay take to appear (to the next painted frame). Not a test.
 *
 *   npm run build && npm run compile-tests && node out/test/perf/runs200-webview.js
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hostModule, repoRoot, type ServerModule } from '../ui/harness';
import type { RunRow, ToRuns } from '../../src/shared/runsProtocol';

async function main(): Promise<void> {
  const root = repoRoot();
  const { launchBrowser } = await hostModule<ServerModule>('server.mjs');
  const browser = await launchBrowser({ viewport: { width: 900, height: 1000 } });
  try {
    const page = browser.page;
    const rows: RunRow[] = Array.from({ length: 200 }, (_, i) => ({
      id: `run-${i}`,
      pinned: i % 17 === 0,
      startedAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
      changes: i === 0 ? 'first run' : `learningRate ${(0.5 / i).toPrecision(3)} → ${(0.5 / (i + 1)).toPrecision(3)}`,
      end: 'done',
      final: { epoch: 400, loss: 1 / (i + 2), accuracy: 0.9 },
      startEpoch: 0,
      epochs: 400,
      seconds: 0.4,
      seed: 1,
    }));
    const curve = Array.from({ length: 400 }, (_, e) => ({ epoch: e + 1, loss: 1 / (e + 2) }));
    const gradients = Array.from({ length: 400 }, (_, e) => ({ epoch: e + 1, norm: [1 / (e + 1), 2 / (e + 1), 3 / (e + 1)], ratio: [1e-3, 2e-3, 3e-3] }));
    await page.setContent('<!DOCTYPE html><html><head><meta charset="utf-8"></head><body class="vscode-light"><div id="app"></div></body></html>');
    await page.addStyleTag({ content: fs.readFileSync(path.join(root, 'dist', 'webview.css'), 'utf8') });
    await page.evaluate(() => {
      (window as unknown as { acquireVsCodeApi: () => unknown }).acquireVsCodeApi = () => ({ postMessage: () => undefined, getState: () => undefined, setState: () => undefined });
    });
    await page.addScriptTag({ content: fs.readFileSync(path.join(root, 'dist', 'webview.js'), 'utf8') });
    await page.click('[data-testid="tab-runs"]');
    const timed = (runs: ToRuns, selector: string, count: number): Promise<number> =>
      page.evaluate(
        ([m, sel, n]) =>
          new Promise<number>((resolve) => {
            const start = performance.now();
            window.postMessage({ type: 'runs', message: m }, '*');
            const check = (): void => {
              if (document.querySelectorAll(sel as string).length >= (n as number)) requestAnimationFrame(() => resolve(performance.now() - start));
              else requestAnimationFrame(check);
            };
            check();
          }),
        [runs, selector, count] as const,
      );
    const table = await timed({ type: 'runs', file: 'spiral.net.json', runs: rows, picked: [] }, '[data-testid="run-row"]', 200);
    const overlay1 = await timed({ type: 'curves', curves: { id: 'run-199', curve, gradients, snapshots: [0, 1, 2, 400] } }, '[data-testid="grad-chart"]', 6);
    console.log(`The inspector's Runs tab, 200 runs: the table painted in ${table.toFixed(0)} ms; ticking a run (its 400-point curve, 3 layers' gradient charts) ${overlay1.toFixed(0)} ms`);
  } finally {
    await browser.close();
  }
}

void main();
