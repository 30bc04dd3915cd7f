#!/usr/bin/env node
// start.mjs — the README's "run it" command (`npm start`): trains every example with the CLI, then
// opens the examples in a real VS Code (code-server on 127.0.0.1) with Backprop Studio live as the
// extension under development, and prints the address to open in a browser. A headless Chromium
// loads the workbench once and saves a screenshot (test-artifacts/start.png) to show it came up.
// The examples are copied to .vscode-test/playground/ (git-ignored) the first time, so training in
// the editor never changes the repository's examples. Ctrl-C stops everything.
//   node scripts/start.mjs [--once]   (--once: stop after the screenshot)
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './test-host/paths.mjs';
import { launchBrowser, startServer } from './test-host/server.mjs';

const once = process.argv.includes('--once');
const examples = join(REPO_ROOT, 'examples');
const playground = join(REPO_ROOT, '.vscode-test', 'playground');

for (const f of readdirSync(examples).filter((n) => n.endsWith('.net.json')).sort()) {
  console.log(`\n$ node dist/cli.js train examples/${f}`);
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'dist', 'cli.js'), 'train', join(examples, f), '--quiet'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (!existsSync(playground)) {
  mkdirSync(playground, { recursive: true });
  cpSync(examples, playground, { recursive: true });
}
const server = await startServer({ workspace: playground });
const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
const url = server.workbenchUrl({ payload: JSON.stringify([['extensionDevelopmentPath', remote(REPO_ROOT)]]) });
let browser;
const stop = async () => {
  if (browser) await browser.close().catch(() => {});
  await server.stop().catch(() => {});
};
process.once('SIGINT', () => stop().finally(() => process.exit(130)));
process.once('SIGTERM', () => stop().finally(() => process.exit(143)));

try {
  browser = await launchBrowser();
  await browser.page.goto(url);
  await browser.page.getByRole('treeitem', { name: 'xor.net.json' }).click({ timeout: 60_000 });
  await browser.page.waitForSelector('.codelens-decoration a', { timeout: 60_000 });
  mkdirSync(join(REPO_ROOT, 'test-artifacts'), { recursive: true });
  await browser.page.screenshot({ path: join(REPO_ROOT, 'test-artifacts', 'start.png') });
  console.log('\nBackprop Studio is live in VS Code (screenshot: test-artifacts/start.png).');
} finally {
  await browser?.close().catch(() => {});
  browser = undefined;
}
if (once) {
  await stop();
} else {
  console.log(`Open this address in a browser on this machine (the examples are in ${playground}):\n\n  ${url}\n\nCtrl-C stops VS Code.`);
}
