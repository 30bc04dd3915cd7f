#!/usr/bin/env node
// run-extension-tests.mjs — runs the compiled host tests (out/test/host/index.js) inside a real
// VS Code extension host: code-server (scripts/test-host/server.mjs) driven by Debian's Chromium
// through playwright-core and VS Code's smoke-test-driver payload. Streams the extension host's
// console (mocha's reporter) to stdout and exits with the tests' exit code.
//   node scripts/test-host/run-extension-tests.mjs [--workspace DIR] [--tests PATH] [--timeout MS] [--grep RE] [--verbose] [--restricted]
// --restricted: the folder opens in Restricted Mode (workspace trust on, never granted); the
// extension environment gets BACKPROP_RESTRICTED=1 (the Restricted Mode suite runs only then).
// Every run works on a fresh temp copy of the workspace (the tests edit real files); the extension
// environment gets BACKPROP_TEST_WORKSPACE = that copy. On failure the workbench's logs and the
// server log are kept in test-artifacts/host/. Server and browser are always stopped.
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { format, parseArgs } from 'node:util';
import { REPO_ROOT } from './paths.mjs';
import { launchBrowser, startServer } from './server.mjs';

const { values: opts } = parseArgs({
  options: {
    workspace: { type: 'string', default: join(REPO_ROOT, 'test', 'workspace') },
    tests: { type: 'string', default: join(REPO_ROOT, 'out', 'test', 'host', 'index') },
    timeout: { type: 'string', default: process.env.BACKPROP_HOST_TIMEOUT_MS ?? '600000' },
    grep: { type: 'string', default: process.env.BACKPROP_TEST_GREP },
    verbose: { type: 'boolean', default: Boolean(process.env.BACKPROP_HOST_VERBOSE) },
    restricted: { type: 'boolean', default: false },
  },
});
const timeoutMs = Number(opts.timeout);
const testsPath = resolve(opts.tests).replace(/\.js$/, '');
const workspaceSrc = resolve(opts.workspace);
const artifacts = join(REPO_ROOT, 'test-artifacts', 'host');
const t0 = Date.now();
const say = (msg) => console.log(`[test-host ${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);

let server;
let browser;
let tmp;
let cleaning;
let interrupted = false;
function cleanup() {
  cleaning ??= (async () => {
    if (browser) await browser.close().catch(() => {});
    if (server) await server.stop().catch(() => {});
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  })();
  return cleaning;
}
for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.once(sig, () => {
    interrupted = true;
    say(`${sig}: stopping server and browser`);
    cleanup().finally(() => process.exit(code));
  });
}

/**
 * Lines that say nothing to a test reader: the extension host's console and the workbench's own
 * log arrive on the same channel, so the workbench's start-up chatter and the failed look-ups of
 * the extension gallery (no internet here) are dropped by pattern. --verbose shows everything.
 */
const WORKBENCH_CHATTER = [
  /^Resolving connection token/, /^Resolved connection token/, /^Creating a socket \(/,
  /^\[reconnection-grace-time\]/, /^Updating additional builtin extensions cache/,
  /^\[Service Worker\]/, /^\[AgentHost:/, /^\[AccountPolicyGate\]/,
];
function isNoise(type, text) {
  if (opts.verbose) return false;
  if (type === 'trace' || type === 'debug') return true;
  if (/open-vsx\.org|getaddrinfo ENOTFOUND|ERR_NAME_NOT_RESOLVED/.test(text)) return true;
  return type === 'info' && WORKBENCH_CHATTER.some((re) => re.test(text));
}

/** The extension host's console arrives printf-style, styled with %c; keep just the text. */
function formatLog(args) {
  const list = Array.isArray(args) ? args : [args];
  const text = typeof list[0] === 'string' ? format(...list) : list.map((a) => (typeof a === 'string' ? a : format('%o', a))).join(' ');
  return text.replace(/^\[Extension Host\]\s?/, '').replace(/\s+\(at console\.\w+ .*\)$/s, '');
}

async function main() {
  if (!existsSync(`${testsPath}.js`)) {
    throw new Error(`${testsPath}.js not found: compile the tests first (npm run compile-tests)`);
  }
  if (!existsSync(join(REPO_ROOT, 'dist', 'extension.js'))) {
    say('warning: dist/extension.js is missing (npm run build); the extension under test cannot activate');
  }
  tmp = mkdtempSync(join(tmpdir(), 'backprop-run-'));
  const workspace = join(tmp, 'workspace');
  if (existsSync(workspaceSrc)) cpSync(workspaceSrc, workspace, { recursive: true });
  else mkdirSync(workspace);
  say(`workspace: copy of ${workspaceSrc} at ${workspace}`);

  server = await startServer({ workspace, restricted: opts.restricted });
  say(`code-server up at ${server.url} (pid ${server.pid})`);
  browser = await launchBrowser();
  const { page } = browser;

  const extensionEnv = { BACKPROP_TEST_WORKSPACE: workspace };
  if (opts.grep) extensionEnv.BACKPROP_TEST_GREP = opts.grep;
  if (opts.restricted) extensionEnv.BACKPROP_RESTRICTED = '1';
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const payload = [
    ['extensionDevelopmentPath', remote(REPO_ROOT)],
    ['extensionTestsPath', remote(testsPath)],
    ['extensionEnvironment', JSON.stringify(extensionEnv)],
  ];

  let exitResolve;
  const exited = new Promise((r) => { exitResolve = r; });
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const text = formatLog(args);
    if (isNoise(type, text)) return;
    const out = type === 'error' ? process.stderr : process.stdout;
    out.write(text.endsWith('\n') ? text : `${text}\n`);
  });
  await page.exposeFunction('codeAutomationExit', (code, logs) => exitResolve({ code, logs }));
  page.on('pageerror', (err) => { if (opts.verbose) console.error(`[page error] ${err.message}`); });
  page.on('crash', () => exitResolve({ code: 1, crashed: true }));

  await page.goto(server.workbenchUrl({ payload: JSON.stringify(payload) }));
  say(`workbench opened; running ${testsPath}.js (timeout ${timeoutMs / 1000} s)`);

  let timer;
  const remaining = Math.max(0, timeoutMs - (Date.now() - t0)); // the timeout covers the whole run
  const timedOut = new Promise((r) => { timer = setTimeout(() => r(null), remaining); });
  const result = await Promise.race([exited, timedOut]);
  clearTimeout(timer);

  if (!result) {
    console.error(`[test-host] TIMEOUT: the extension host did not finish the tests within ${timeoutMs / 1000} s`);
    await saveArtifacts(page, []);
    return 1;
  }
  if (result.crashed) {
    console.error('[test-host] the browser page crashed');
    await saveArtifacts(page, []);
    return 1;
  }
  const code = Number.isInteger(result.code) ? result.code : 1;
  if (code !== 0) await saveArtifacts(page, result.logs ?? []);
  say(`tests finished with exit code ${code}`);
  return code;
}

/** Keeps the workbench's logs, the server log and a screenshot for a failed run. */
async function saveArtifacts(page, logs) {
  try {
    rmSync(artifacts, { recursive: true, force: true });
    mkdirSync(artifacts, { recursive: true });
    for (const { relativePath, contents } of logs) {
      const file = join(artifacts, 'logs', relativePath);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, contents);
    }
    if (server) {
      copyFileSync(server.logFile, join(artifacts, 'server.log'));
      const serverLogs = join(server.tmp, 'user-data', 'logs'); // remote extension host, server
      if (existsSync(serverLogs)) cpSync(serverLogs, join(artifacts, 'server-logs'), { recursive: true });
    }
    await page.screenshot({ path: join(artifacts, 'workbench.png') }).catch(() => {});
    console.error(`[test-host] logs and a screenshot kept in ${artifacts}`);
  } catch (err) {
    console.error(`[test-host] could not save artifacts: ${err.message}`);
  }
}

let code = 1;
try {
  code = await main();
} catch (err) {
  if (!interrupted) console.error(`[test-host] FAILED: ${err instanceof Error ? err.message : String(err)}`);
  code = 1;
} finally {
  await cleanup();
}
say(`done, exit ${code}`);
process.exit(code);
