// test/ui/vsix.ui.ts — the packaged extension, installed the way a user installs it, live in the
// real workbench: `vsce package` (the flags of package.json's "package" script, into a temp dir,
// from the current dist/) makes the .vsix; code-server's own CLI (`--install-extension`, on the
// host's Node 24) installs it into the extensions dir of a fresh server; the workbench opens with
// NO extension under development, so every lens seen comes from the installed copy. Opening a
// .net.json file shows the Train lens; clicking it trains, and the lens turns into the result.
// Screenshots: test-artifacts/ui/vsix-*.png. Run with `npm run test:ui` (needs `npm run build`).
import { strict as assert } from 'node:assert';
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { hostModule, openFileFromExplorer, repoRoot, screenshot, waitForCodeLens, type HostBrowser, type HostServer, type ServerModule } from './harness';

const ROOT = repoRoot();
const EXTENSION_ID = 'backprop-studio.backprop-studio';

interface PathsModule {
  NODE24: string;
  CODE_SERVER_ENTRY: string;
}

/** Runs a command, resolving with its output; rejects with the output when it fails. */
function run(cmd: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { ...options, encoding: 'utf8', maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`\`${path.basename(cmd)} ${args.join(' ')}\` failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(`${stdout}${stderr}`);
    });
  });
}

/** The flags package.json's "package" script gives `vsce package`, so this test packs the same way. */
function vscePackageFlags(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const m = /vsce package((?:\s+--[\w-]+)*)/.exec(pkg.scripts.package ?? '');
  assert.ok(m, `package.json's "package" script runs \`vsce package\`: ${pkg.scripts.package}`);
  return m[1].trim().split(/\s+/).filter((f) => f.length > 0);
}

/** The repo's CLI (dist/cli.js) on a file, its --json output (train: without --write, the file stays). */
function cli<T>(command: 'grad' | 'train', file: string): T {
  const out = execFileSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), command, file, '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(out) as T;
}

describe('UI: the .vsix installed into a real VS Code', function () {
  this.timeout(120_000);
  let t0 = Date.now();
  const step = (what: string): void => console.log(`      [${((Date.now() - t0) / 1000).toFixed(1)} s] ${what}`);
  let tmp: string;
  let server: HostServer | undefined;
  let browser: HostBrowser | undefined;
  let page: Page;
  let version: string;

  before(async () => {
    t0 = Date.now();
    for (const f of ['extension.js', 'worker.js']) {
      assert.ok(fs.existsSync(path.join(ROOT, 'dist', f)), `dist/${f} exists (run \`npm run build\` first)`);
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'backprop-vsix-ui-'));
    version = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

    // 1. Pack. (Not `npm run package`: that rebuilds dist/ minified, under anyone else using it.)
    const vsix = path.join(tmp, `backprop-studio-${version}.vsix`);
    const vsce = path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
    await run(process.execPath, [vsce, 'package', ...vscePackageFlags(), '--out', vsix], { cwd: ROOT });
    assert.ok(fs.statSync(vsix).size > 10_000, 'the .vsix has content');
    step(`packed ${path.basename(vsix)} (${(fs.statSync(vsix).size / 1024).toFixed(0)} KB)`);

    // 2. A workspace with a network file, and a fresh server (no extension loaded from the repo).
    const workspace = path.join(tmp, 'workspace');
    fs.mkdirSync(workspace);
    fs.copyFileSync(path.join(ROOT, 'test', 'workspace', 'xor.net.json'), path.join(workspace, 'xor.net.json'));
    const { startServer, launchBrowser } = await hostModule<ServerModule>('server.mjs');
    server = await startServer({ workspace }); // default settings: backprop.writeBack is "ask"
    step(`code-server up at ${server.url}`);

    // 3. Install the .vsix with code-server's CLI into that server's extensions dir, before any
    //    window (and so any extension host) exists. Its own scratch config and user data.
    const { NODE24, CODE_SERVER_ENTRY } = await hostModule<PathsModule>('paths.mjs');
    const extensionsDir = path.join(server.tmp, 'extensions');
    const cliHome = path.join(tmp, 'cli');
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: cliHome, XDG_CONFIG_HOME: path.join(cliHome, 'config'), XDG_DATA_HOME: path.join(cliHome, 'data') };
    for (const k of Object.keys(env)) if (k.startsWith('npm_') || k === 'NODE_OPTIONS' || k === 'VSCODE_IPC_HOOK_CLI') delete env[k];
    const out = await run(NODE24, [CODE_SERVER_ENTRY, '--config', path.join(cliHome, 'cs.yaml'), '--user-data-dir', path.join(cliHome, 'user-data'),
      '--extensions-dir', extensionsDir, '--install-extension', vsix], { env });
    assert.match(out, /successfully installed/, out);
    const installed = path.join(extensionsDir, `${EXTENSION_ID}-${version}`);
    assert.ok(fs.existsSync(path.join(installed, 'dist', 'extension.js')), `installed into ${installed}`);
    step(`installed into ${installed}`);

    browser = await launchBrowser({ viewport: { width: 1400, height: 900 } });
    page = browser.page;
    await page.goto(server.workbenchUrl()); // no payload: nothing under development
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
    step('workbench open');
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) await screenshot(page, `vsix-FAILED-${this.currentTest.title.slice(0, 40)}`).catch(() => undefined);
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    step('stopped');
  });

  it('activates on a .net.json file: the Train lens appears, and clicking it trains', async () => {
    await openFileFromExplorer(page, 'xor.net.json');
    const lens = await waitForCodeLens(page, 'Train', 60_000);
    const before = (await page.locator('.codelens-decoration').first().innerText()).replace(/\s+/g, ' ');
    assert.match(before, /Train\s*\|\s*Gradient check\s*\|\s*Inspect/, `the lenses before training: ${before}`);
    await screenshot(page, 'vsix-01-installed-lens');
    step(`lens before: ${before}`);

    await lens.click();
    // xor.net.json trains 5000 epochs; backprop.writeBack is "ask" (the default): answer it.
    // (Headless, the workbench raises no toasts: the question is in the notification center.)
    await page.locator('.statusbar-item[id="status.notifications"] .codicon-bell-dot').waitFor({ timeout: 60_000 });
    await page.locator('.statusbar-item[id="status.notifications"]').click();
    const ask = page.locator('.notifications-center .notification-list-item', { hasText: 'Write the trained weights into the file?' }).first();
    await ask.waitFor({ timeout: 60_000 });
    await screenshot(page, 'vsix-02-ask-write-back');
    await ask.locator('.monaco-button', { hasText: 'Write Weights' }).first().click();
    // The top lens then reports the run and its loss, and the hidden layer has weights in the editor.
    const result = page.locator('.codelens-decoration a', { hasText: /^trained: epoch 5000 · loss / }).first();
    await result.waitFor({ timeout: 60_000 });
    const text = (await result.innerText()).trim();
    const loss = Number(/loss (\S+)$/.exec(text)?.[1]);
    // The repo's CLI, on the same file as it was (the copy may be saved by now): the loss before
    // training, and after the same 5000 epochs.
    const file = path.join(ROOT, 'test', 'workspace', 'xor.net.json');
    const before0 = cli<{ loss: number }>('grad', file).loss;
    const trained = cli<{ final: { epoch: number; loss: number } }>('train', file).final;
    assert.equal(trained.epoch, 5000);
    assert.ok(Number.isFinite(loss) && loss < before0 / 2, `the loss fell from ${before0} to ${loss} (${text})`);
    // The lens rounds to 4 significant digits: within half a unit of the 4th digit of the CLI's figure.
    assert.ok(Math.abs(loss - trained.loss) <= 5e-4 * trained.loss, `the installed extension's loss ${loss} is the CLI's ${trained.loss}`);
    // Written into the editor: the hidden layer, which had none, now holds weights too.
    const editorText = page.locator('.editor-group-container.active .view-lines');
    const deadline = Date.now() + 10_000;
    let shown = '';
    const weightKeys = (): number => shown.match(/"weights"/g)?.length ?? 0;
    while (Date.now() < deadline) {
      shown = await editorText.innerText();
      if (weightKeys() >= 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(weightKeys(), 2, `the editor shows weights for both layers:\n${shown}`);
    await screenshot(page, 'vsix-03-trained');
    step(`lens after: ${text}`);
  });

  it('is listed among the installed extensions, activated', async () => {
    await page.keyboard.press('F1');
    const widget = page.locator('.quick-input-widget');
    await widget.waitFor({ state: 'visible', timeout: 15_000 });
    await page.keyboard.type('Extensions: Show Installed Extensions');
    await widget.locator('.monaco-list-row', { hasText: 'Show Installed Extensions' }).first().click();
    // The entry of an activated extension shows its activation time ("222ms").
    const item = page.locator('.extensions-viewlet .extension-list-item', { hasText: 'Backprop Studio' }).filter({ hasText: /\d+\s*ms/ }).first();
    await item.waitFor({ timeout: 30_000 });
    step(`Extensions view: ${(await item.innerText()).replace(/\s+/g, ' ')}`);
    await screenshot(page, 'vsix-04-extensions-view');
  });
});
