// server.mjs — starts and stops a real VS Code (code-server on Node 24, from install.mjs) for tests,
// and launches the Chromium that drives it.
//   startServer({ workspace, port?, settings?, log? }) -> { url, port, tmp, workbenchUrl(q), stop() }
//   launchBrowser({ viewport? }) -> { context, page, userDataDir, close() }
// Each server lives in its own process group (detached = setsid) with everything it writes in a
// fresh temp dir (config, user data, extensions, XDG dirs). stop() kills the whole group (its file
// watcher and extension hosts outlive the main process otherwise) and removes the temp dir.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { CHROMIUM, CODE_SERVER_ENTRY, NODE24, NODE24_BIN_DIR, REPO_ROOT, assertInstalled } from './paths.mjs';

/** User settings that keep the workbench quiet and deterministic under test. */
export const QUIET_SETTINGS = Object.freeze({
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'files.hotExit': 'off',
});

/** Flags for Debian's Chromium, headless, with no network of its own. */
export const CHROMIUM_ARGS = Object.freeze([
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
]);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A port that was free on 127.0.0.1 a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

function tail(file, lines = 40) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Starts code-server on 127.0.0.1 for `workspace` (an absolute folder path) and waits for /healthz.
 * `log`: a function receiving each server output line (default: kept only in <tmp>/server.log).
 */
export async function startServer({ workspace, port, settings = {}, log, healthTimeoutMs = 60_000, restricted = false } = {}) {
  assertInstalled();
  if (!workspace) throw new Error('startServer: `workspace` is required');
  const tmp = mkdtempSync(join(tmpdir(), 'backprop-host-'));
  const userData = join(tmp, 'user-data');
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(join(userData, 'User', 'settings.json'),
    JSON.stringify({ ...QUIET_SETTINGS, ...(restricted ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' } : {}), ...settings }, null, 2) + '\n');
  const thePort = port ?? await freePort();
  const config = join(tmp, 'cs.yaml');
  writeFileSync(config, `bind-addr: 127.0.0.1:${thePort}\nauth: none\ncert: false\n`);

  const args = [
    CODE_SERVER_ENTRY,
    '--config', config,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${thePort}`,
    '--user-data-dir', userData,
    '--extensions-dir', join(tmp, 'extensions'),
    '--disable-telemetry',
    '--disable-update-check',
    // `restricted`: workspace trust stays on, so the (never trusted) folder opens in Restricted Mode.
    ...(restricted ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--vscode-option', 'enable-smoke-test-driver',
  ];
  const env = {
    ...process.env,
    PATH: `${NODE24_BIN_DIR}:${process.env.PATH ?? ''}`,
    HOME: join(tmp, 'home'),
    XDG_CONFIG_HOME: join(tmp, 'xdg-config'),
    XDG_DATA_HOME: join(tmp, 'xdg-data'),
    XDG_CACHE_HOME: join(tmp, 'xdg-cache'),
    XDG_RUNTIME_DIR: join(tmp, 'xdg-runtime'),
  };
  for (const d of [env.HOME, env.XDG_CONFIG_HOME, env.XDG_DATA_HOME, env.XDG_CACHE_HOME, env.XDG_RUNTIME_DIR]) {
    mkdirSync(d, { recursive: true, mode: 0o700 });
  }
  // Variables from the test runner's own npm/Node 20 must not leak into Node 24's processes.
  for (const k of Object.keys(env)) {
    if (k.startsWith('npm_') || k === 'NODE_OPTIONS' || k === 'ELECTRON_RUN_AS_NODE' || k === 'VSCODE_IPC_HOOK_CLI') delete env[k];
  }

  const logFile = join(tmp, 'server.log');
  const logStream = createWriteStream(logFile);
  const child = spawn(NODE24, args, { cwd: workspace, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let exited = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });
  const onData = (buf) => {
    logStream.write(buf);
    if (log) for (const line of buf.toString().split('\n')) if (line.trim()) log(line);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    const pgid = child.pid;
    const alive = () => { try { process.kill(-pgid, 0); return true; } catch { return false; } };
    if (pgid && alive()) {
      try { process.kill(-pgid, 'SIGTERM'); } catch { /* already gone */ }
      for (let i = 0; i < 30 && alive(); i++) await sleep(100);
      if (alive()) { try { process.kill(-pgid, 'SIGKILL'); } catch { /* gone */ } }
      for (let i = 0; i < 20 && alive(); i++) await sleep(100);
    }
    await new Promise((r) => logStream.end(r));
    if (!process.env.BACKPROP_KEEP_HOST_TMP) rmSync(tmp, { recursive: true, force: true });
  };
  // Last resort when the caller's process exits without awaiting stop() (e.g. a signal arrived
  // during start-up): synchronous kill of the group and removal of the temp dir.
  const onExit = () => {
    if (stopped) return;
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
    if (!process.env.BACKPROP_KEEP_HOST_TMP) rmSync(tmp, { recursive: true, force: true });
  };
  process.once('exit', onExit);

  const url = `http://127.0.0.1:${thePort}`;
  const deadline = Date.now() + healthTimeoutMs;
  for (;;) {
    if (exited) {
      const msg = tail(logFile);
      await stop();
      throw new Error(`code-server exited during start-up (${JSON.stringify(exited)}); its log:\n${msg}`);
    }
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      const msg = tail(logFile);
      await stop();
      throw new Error(`code-server did not answer ${url}/healthz within ${healthTimeoutMs} ms; its log:\n${msg}`);
    }
    await sleep(200);
  }

  return {
    url,
    port: thePort,
    tmp,
    pid: child.pid,
    logFile,
    /** Workbench URL for `folder` (default: the workspace) with extra query parameters. */
    workbenchUrl(query = {}, folder = workspace) {
      const q = new URLSearchParams({ folder, ...query });
      return `${url}/?${q.toString()}`;
    },
    async stop() {
      process.removeListener('exit', onExit);
      await stop();
    },
  };
}

/**
 * Launches Debian's Chromium through playwright-core (never a downloaded browser) with a fresh
 * profile dir. close() closes it and removes the profile.
 */
export async function launchBrowser({ viewport = { width: 1400, height: 900 }, headless = true } = {}) {
  const require = createRequire(join(REPO_ROOT, 'package.json'));
  const { chromium } = require('playwright-core');
  const userDataDir = mkdtempSync(join(tmpdir(), 'backprop-chromium-'));
  // Chromium writes "Crash Reports" under $XDG_CONFIG_HOME even with a profile dir: keep it inside.
  const env = { ...process.env, HOME: userDataDir, XDG_CONFIG_HOME: join(userDataDir, 'xdg-config'), XDG_CACHE_HOME: join(userDataDir, 'xdg-cache') };
  const args = headless ? [...CHROMIUM_ARGS] : CHROMIUM_ARGS.filter((a) => a !== '--headless');
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM, headless, args, viewport, env,
      // The caller's signal handlers close the browser and stop the server; Playwright's own
      // would exit the process (130) before that cleanup ran.
      handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
    });
  } catch (err) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw err;
  }
  const page = context.pages()[0] ?? await context.newPage();
  let closed = false;
  // Playwright kills the browser when the process exits; the profile dir is ours to remove.
  const onExit = () => { if (!closed) rmSync(userDataDir, { recursive: true, force: true }); };
  process.once('exit', onExit);
  return {
    context,
    page,
    userDataDir,
    async close() {
      if (closed) return;
      closed = true;
      process.removeListener('exit', onExit);
      try { await context.close(); } catch { /* already closed */ }
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
