// Dev only: opens the harness in headless Chromium (playwright-core + /usr/bin/chromium), walks
// through the inspector (train, each tab, the step-through, a gradient check) and saves
// screenshots to test-artifacts/harness/. Fails on CSP violations and page errors.
//   node dev/webview-harness/shoot.mjs [example] [--light] [--name "<img src=x onerror=alert(1)>"]
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHarness } from './serve.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const example = args.find((a) => !a.startsWith('--') && args[args.indexOf(a) - 1] !== '--name') ?? 'xor';
const theme = args.includes('--light') ? 'light' : 'dark';
const name = args.includes('--name') ? args[args.indexOf('--name') + 1] : undefined;
const outDir = join(ROOT, 'test-artifacts', 'harness');
mkdirSync(outDir, { recursive: true });

const harness = await startHarness({ example });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
const errors = [];
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 860 } });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) errors.push(`console: ${m.text()} ${m.location().url}`); });
  page.on('dialog', (d) => { errors.push(`dialog opened: ${d.message()}`); d.dismiss(); });
  const q = new URLSearchParams({ theme, fast: '1', ...(name ? { name } : {}) });
  await page.goto(`${harness.url}?${q}`);
  const tag = `${example}-${theme}`;
  const shot = (n) => page.screenshot({ path: join(outDir, `${tag}-${n}.png`), fullPage: true });
  await page.waitForSelector('[data-testid="network-name"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="network-summary"]')?.textContent?.includes('units'));
  await shot('01-initial');
  await page.click('[data-testid="control-train"]');
  await page.waitForFunction(() => document.body.getAttribute('data-training-state') === 'done', null, { timeout: 30000 });
  await page.waitForTimeout(300);
  console.log('chart points:', await page.getAttribute('[data-testid="loss-chart"]', 'data-points'));
  await shot('02-trained');
  await page.click('[data-testid="tab-network"]');
  await page.waitForSelector('[data-testid="network-graph"] g.node[data-value]');
  await page.click('[data-testid="network-graph"] g.node[data-layer="1"][data-unit="0"] circle');
  await shot('03-network');
  await page.click('[data-testid="tab-weights"]');
  await page.waitForSelector('[data-testid="heatmap-l1"]');
  const box = await page.locator('[data-testid="heatmap-l1"] canvas').boundingBox();
  if (box) await page.mouse.move(box.x + 45, box.y + 25);
  await shot('04-weights');
  // keyboard: focus the matrix, move right, Enter reveals w^1_{1,2}; a click on the bias column reveals b^1_1
  await page.focus('[data-testid="heatmap-l1"] canvas');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Enter');
  await shot('04b-weights-keyboard');
  const revealed = await page.evaluate(() => window.__revealed);
  if (JSON.stringify(revealed[0]) !== JSON.stringify({ type: 'reveal', layer: 1, kind: 'w', j: 0, k: 1 })) errors.push(`keyboard reveal: ${JSON.stringify(revealed)}`);
  // tabs: arrow keys move between tabs
  await page.focus('[data-testid="tab-weights"]');
  await page.keyboard.press('ArrowRight');
  if ((await page.getAttribute('[data-testid="tab-step"]', 'aria-selected')) !== 'true') errors.push('ArrowRight on the tabs did not select the next tab');
  await page.click('[data-testid="tab-weights"]');
  await page.click('[data-testid="heatmap-mode-gradient"]');
  await shot('05-weights-gradient');
  await page.click('[data-testid="tab-step"]');
  await page.waitForSelector('[data-testid="step-line"]');
  const steps = await page.locator('.outline-item').count();
  for (let i = 0; i < steps; i++) {
    if (i > 0) await page.click('[data-testid="step-next"]');
    await shot(`06-step-${String(i + 1).padStart(2, '0')}`);
  }
  await page.click('[data-testid="tab-gradcheck"]');
  await page.click('[data-testid="run-gradcheck"]');
  await page.waitForSelector('[data-testid="gradcheck-verdict"]');
  await shot('10-gradcheck');
  const violations = await page.evaluate(() => window.__violations);
  if (violations.length) errors.push(...violations.map((v) => `CSP: ${v}`));
  const imgs = await page.locator('#app img').count();
  if (imgs) errors.push(`${imgs} <img> elements in the page`);
  console.log('revealed:', JSON.stringify(await page.evaluate(() => window.__revealed)));
} finally {
  await browser.close();
  await harness.close();
}
if (errors.length) {
  console.error(errors.join('\n'));
  process.exit(1);
}
console.log(`screenshots in ${outDir}`);
