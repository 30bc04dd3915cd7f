/**
 * `npm run bench:page`: does the inspector page's memory stay flat over a long run? In the real
 * workbench (code-server + Chromium through test/ui/harness.ts) it opens the inspector of an XOR
 * network set to train for 10^6 epochs (`--epochs N` to change), clicks Train, and every
 * `--every` epochs (default a fiftieth of the run; as often as it can when training is faster) collects the garbage of the webview's JavaScript
 * heap and reads its size through the Chrome DevTools Protocol (HeapProfiler.collectGarbage,
 * Runtime.getHeapUsage on the webview frame's own target when it has one, else on the page's),
 * together with the chart's point count and the page's element count. Prints a table, writes it
 * to test-artifacts/bench/page-heap.json. Prints figures; never fails.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CDPSession, Frame } from 'playwright-core';
import { openWorkbench, repoRoot, type Workbench } from '../test/ui/harness';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
};
const EPOCHS = Math.max(10, Number(arg('--epochs', '1000000')));
const EVERY = Math.max(1, Number(arg('--every', String(EPOCHS / 50))));
const FILE = 'long.net.json';

interface Sample {
  epoch: number;
  seconds: number;
  usedMB: number;
  totalMB: number;
  chartPoints: number;
  elements: number;
}

function workspace(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'page-heap-ws-'));
  const net = {
    name: 'XOR, a long run',
    layers: [{ units: 2 }, { units: 3, activation: 'sigmoid' }, { units: 1, activation: 'sigmoid' }],
    loss: 'half-squared-error',
    seed: 1,
    training: { optimizer: 'sgd', learningRate: 0.5, epochs: EPOCHS, batchSize: 4 },
    data: { inputs: [[0, 0], [0, 1], [1, 0], [1, 1]], targets: [[0], [1], [1], [0]] },
  };
  fs.writeFileSync(path.join(dir, FILE), JSON.stringify(net, null, 2) + '\n');
  return dir;
}

async function lens(wb: Workbench, text: string): Promise<void> {
  const l = wb.page.locator('.editor-group-container.active .codelens-decoration a', { hasText: text }).first();
  await l.waitFor({ timeout: 60_000 });
  await l.click();
}

async function chartAttr(frame: Frame, name: string): Promise<number> {
  return Number((await frame.locator('[data-testid="loss-chart"]').getAttribute(name).catch(() => null)) ?? NaN);
}

async function main(): Promise<void> {
  const dir = workspace();
  const wb = await openWorkbench({ workspace: dir });
  try {
    await wb.runCommand('View: Close All Editor Groups');
    await wb.openFile(FILE);
    await lens(wb, 'Inspect');
    const frame = await wb.webviewFrame({ tabTitle: `Inspect: ${FILE}` });
    await frame.locator('[data-testid="network-summary"]', { hasText: 'units' }).waitFor({ timeout: 60_000 });
    // the webview's own target when Chromium runs it out of process, else the page's (one heap for both)
    let session: CDPSession;
    let target = 'the webview frame';
    try {
      session = await wb.page.context().newCDPSession(frame);
    } catch {
      session = await wb.page.context().newCDPSession(wb.page);
      target = 'the workbench page (the webview shares its process)';
    }
    await session.send('HeapProfiler.enable');
    const started = Date.now();
    const sample = async (epoch: number): Promise<Sample> => {
      await session.send('HeapProfiler.collectGarbage');
      const heap = await session.send('Runtime.getHeapUsage');
      return {
        epoch,
        seconds: (Date.now() - started) / 1000,
        usedMB: heap.usedSize / 2 ** 20,
        totalMB: heap.totalSize / 2 ** 20,
        chartPoints: await chartAttr(frame, 'data-points'),
        elements: await frame.evaluate(() => document.getElementsByTagName('*').length),
      };
    };
    const samples: Sample[] = [await sample(0)];
    await wb.clickCodeLens('Train');
    let next = EVERY;
    for (;;) {
      const state = await frame.locator('body').getAttribute('data-training-state');
      const epoch = await chartAttr(frame, 'data-last-epoch');
      if (epoch >= next) {
        samples.push(await sample(epoch));
        while (next <= epoch) next += EVERY;
      }
      if ((state !== 'training' && Date.now() - started > 10_000) || epoch >= EPOCHS) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 2000)); // (the last messages drawn)
    samples.push(await sample(await chartAttr(frame, 'data-last-epoch')));
    await wb.screenshot('page-heap-end');

    console.log(`inspector page heap over ${EPOCHS} epochs of XOR (2-3-1, batch 4), sampled on ${target} after a collection:`);
    console.log('| epoch | s | JS heap used MB | heap total MB | chart points | elements |');
    console.log('|---|---|---|---|---|---|');
    for (const s of samples) console.log(`| ${s.epoch} | ${s.seconds.toFixed(0)} | ${s.usedMB.toFixed(2)} | ${s.totalMB.toFixed(2)} | ${s.chartPoints} | ${s.elements} |`);
    const during = samples.filter((s) => s.epoch > 0);
    const early = during[0] ?? samples[0];
    const last = samples[samples.length - 1];
    const kB = (mb: number): string => `${mb >= 0 ? '+' : ''}${(mb * 1024).toFixed(0)} kB`;
    // least-squares slope of the heap over the epochs, from the first sample during training on
    const n = during.length;
    const mx = during.reduce((a, s) => a + s.epoch, 0) / n;
    const my = during.reduce((a, s) => a + s.usedMB, 0) / n;
    const sxy = during.reduce((a, s) => a + (s.epoch - mx) * (s.usedMB - my), 0);
    const sxx = during.reduce((a, s) => a + (s.epoch - mx) ** 2, 0);
    const used = during.map((s) => s.usedMB);
    console.log(`heap used from epoch ${early.epoch} to ${last.epoch}: ${kB(last.usedMB - early.usedMB)}; from before training: ${kB(last.usedMB - samples[0].usedMB)}`);
    console.log(`during training: ${Math.min(...used).toFixed(2)}..${Math.max(...used).toFixed(2)} MB over ${n} samples; fitted slope ${n > 2 && sxx > 0 ? kB((sxy / sxx) * 1e5) : '-'} per 10^5 epochs`);
    const out = path.join(repoRoot(), 'test-artifacts', 'bench');
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'page-heap.json'), JSON.stringify({ epochs: EPOCHS, target, samples }, null, 2) + '\n');
  } finally {
    await wb.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
