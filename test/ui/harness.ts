// test/ui/harness.ts — a small library for UI tests that drive the real VS Code workbench
// (code-server + Debian's Chromium, via scripts/test-host/server.mjs) with playwright-core.
//   const wb = await openWorkbench();            // temp copy of test/workspace, extension loaded
//   await wb.openFile('xor.net.json');           // click it in the Explorer
//   await wb.clickCodeLens('Train');             // `.codelens-decoration a`
//   const frame = await wb.webviewFrame();       // iframe.webview.ready > iframe#active-frame
//   await wb.runCommand('Backprop: Train');      // F1, type, Enter
//   await wb.screenshot('trained');              // test-artifacts/ui/trained.png
//   await wb.close();
// Compiled to CommonJS; server.mjs is an ES module, reached through a real dynamic import().
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { BrowserContext, Frame, Locator, Page } from 'playwright-core';

/** The shape of scripts/test-host/server.mjs that this harness uses. */
export interface HostServer {
  url: string;
  port: number;
  tmp: string;
  workbenchUrl(query?: Record<string, string>, folder?: string): string;
  stop(): Promise<void>;
}
export interface HostBrowser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}
export interface ServerModule {
  startServer(options: { workspace: string; settings?: Record<string, unknown> }): Promise<HostServer>;
  launchBrowser(options?: { viewport?: { width: number; height: number } }): Promise<HostBrowser>;
}

export interface WorkbenchOptions {
  /** Folder to open; copied to a temp dir first (tests may edit it). Default: test/workspace. */
  workspace?: string;
  /** Load this repo as the extension under development (default true). */
  loadExtension?: boolean;
  /** Extra environment variables for the extension host. */
  extensionEnv?: Record<string, string>;
  viewport?: { width: number; height: number };
}

export interface Workbench {
  page: Page;
  server: HostServer;
  /** The temp copy of the workspace that the workbench has open. */
  workspace: string;
  screenshot(name: string): Promise<string>;
  openFile(relativePath: string): Promise<void>;
  waitForCodeLens(text?: string): Promise<Locator>;
  clickCodeLens(text: string): Promise<void>;
  webviewFrame(options?: WebviewOptions): Promise<Frame>;
  runCommand(label: string): Promise<void>;
  close(): Promise<void>;
}

export interface WebviewOptions {
  /** Click the editor tab with this title first (the panel's title). */
  tabTitle?: string;
  timeoutMs?: number;
}

/** The repository root (the folder holding scripts/test-host/server.mjs), from out/test/ui/. */
export function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'scripts', 'test-host', 'server.mjs'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`scripts/test-host/server.mjs not found above ${__dirname}`);
    dir = up;
  }
}

export const ARTIFACTS_DIR = path.join(repoRoot(), 'test-artifacts', 'ui');

// A real import(): TypeScript would turn a literal `import()` into require() under CommonJS,
// which cannot load an ES module on Node 20.
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

/** Loads one of the ES modules of scripts/test-host/ (server.mjs, paths.mjs). */
export async function hostModule<T>(name: string): Promise<T> {
  return (await importEsm(pathToFileURL(path.join(repoRoot(), 'scripts', 'test-host', name)).href)) as T;
}

async function loadServerModule(): Promise<ServerModule> {
  return hostModule<ServerModule>('server.mjs');
}

/** Starts code-server on a temp copy of `workspace`, opens it in Chromium, waits for the Explorer. */
export async function openWorkbench(options: WorkbenchOptions = {}): Promise<Workbench> {
  const root = repoRoot();
  const source = path.resolve(options.workspace ?? path.join(root, 'test', 'workspace'));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'backprop-ui-'));
  const workspace = path.join(tmp, 'workspace');
  fs.cpSync(source, workspace, { recursive: true });

  const mod = await loadServerModule();
  let server: HostServer | undefined;
  let browser: HostBrowser | undefined;
  const cleanup = async (): Promise<void> => {
    await browser?.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  try {
    server = await mod.startServer({ workspace });
    browser = await mod.launchBrowser(options.viewport ? { viewport: options.viewport } : {});
    const page = browser.page;
    const query: Record<string, string> = {};
    if (options.loadExtension ?? true) {
      const remote = (p: string): string => `vscode-remote://127.0.0.1:${server?.port}${p}`;
      const env = { BACKPROP_TEST_WORKSPACE: workspace, ...options.extensionEnv };
      query.payload = JSON.stringify([
        ['extensionDevelopmentPath', remote(root)],
        ['extensionEnvironment', JSON.stringify(env)],
      ]);
    }
    await page.goto(server.workbenchUrl(query));
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
    const srv = server;
    return {
      page,
      server: srv,
      workspace,
      screenshot: (name) => screenshot(page, name),
      openFile: (rel) => openFileFromExplorer(page, rel),
      waitForCodeLens: (text) => waitForCodeLens(page, text),
      clickCodeLens: (text) => clickCodeLens(page, text),
      webviewFrame: (opts) => webviewFrame(page, opts),
      runCommand: (label) => runCommand(page, label),
      close: cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** Saves a full-window screenshot as test-artifacts/ui/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** The Explorer row for a file or folder name (exact label). */
function explorerRow(page: Page, name: string): Locator {
  return page.locator('.explorer-folders-view .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRe(name)}$`) }) });
}

/** Opens `relativePath` (e.g. "xor.net.json" or "nets/iris.net.json") by clicking in the Explorer. */
export async function openFileFromExplorer(page: Page, relativePath: string): Promise<void> {
  const parts = relativePath.split('/').filter((p) => p.length > 0);
  for (const folder of parts.slice(0, -1)) {
    const row = explorerRow(page, folder).first();
    await row.waitFor({ timeout: 30_000 });
    if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
  }
  const name = parts[parts.length - 1];
  const row = explorerRow(page, name).first();
  await row.waitFor({ timeout: 30_000 });
  await row.click();
  // The file is open when its tab is the active one and an editor shows text.
  await page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ timeout: 30_000 });
  await page.locator('.editor-group-container.active .monaco-editor .view-lines .view-line').first()
    .waitFor({ timeout: 30_000 });
}

/** Waits for a CodeLens (optionally one whose text contains `text`) and returns its locator. */
export async function waitForCodeLens(page: Page, text?: string, timeoutMs = 60_000): Promise<Locator> {
  const lenses = page.locator('.codelens-decoration a');
  const lens = (text === undefined ? lenses : lenses.filter({ hasText: text })).first();
  await lens.waitFor({ timeout: timeoutMs });
  return lens;
}

/** Clicks the first CodeLens whose text contains `text`. */
export async function clickCodeLens(page: Page, text: string): Promise<void> {
  const lens = await waitForCodeLens(page, text);
  await lens.click();
}

/**
 * The content frame of a webview panel: the workbench hosts it in `iframe.webview.ready`, which
 * holds the extension's document in `iframe#active-frame`. Takes the last ready webview (the most
 * recently shown), after clicking the tab `tabTitle` when given.
 */
export async function webviewFrame(page: Page, options: WebviewOptions = {}): Promise<Frame> {
  const timeout = options.timeoutMs ?? 60_000;
  if (options.tabTitle !== undefined) {
    const tab = page.locator('.tabs-container .tab', { hasText: options.tabTitle }).first();
    await tab.waitFor({ timeout });
    await tab.click();
  }
  const outer = page.locator('iframe.webview.ready').last();
  await outer.waitFor({ state: 'attached', timeout });
  const outerFrame = await (await outer.elementHandle({ timeout }))?.contentFrame();
  if (!outerFrame) throw new Error('webviewFrame: iframe.webview.ready has no content frame');
  const inner = await outerFrame.waitForSelector('iframe#active-frame', { state: 'attached', timeout });
  const frame = await inner.contentFrame();
  if (!frame) throw new Error('webviewFrame: iframe#active-frame has no content frame');
  await frame.waitForLoadState('domcontentloaded', { timeout });
  return frame;
}

/** Runs a command by its palette label: F1, the label, pick the matching entry. */
export async function runCommand(page: Page, label: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  await openPalette(page, label);
  const item = widget.locator('.monaco-list-row', { hasText: label }).first();
  await item.waitFor({ timeout: 15_000 });
  await item.click();
  await widget.waitFor({ state: 'hidden', timeout: 15_000 });
}

/**
 * Opens the command palette (F1) with `>label` in its input box, put there directly: typed keys go
 * wherever the focus is. A page that is still rendering (VS Code's walkthrough) can take the focus
 * back just after the palette opened, which closes it; then it is opened again (at most 3 times).
 */
export async function openPalette(page: Page, label: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  for (let attempt = 1; ; attempt++) {
    await page.locator('.monaco-workbench').focus().catch(() => undefined);
    await page.keyboard.press('F1');
    await widget.waitFor({ state: 'visible', timeout: 15_000 });
    try {
      await widget.locator('.quick-input-box input').first().fill(`>${label}`, { timeout: 5_000 });
      return;
    } catch (e) {
      if (attempt >= 3 || (await widget.isVisible())) throw e;
    }
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
