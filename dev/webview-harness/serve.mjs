// Dev only: serves the harness page, the built webview (dist/) and a scenario generated from the
// real engine, on 127.0.0.1. `node dev/webview-harness/serve.mjs [example] [port]` — or import
// startHarness() from shoot.mjs. Builds the scenario generator with esbuild on the fly.
import { createServer } from 'node:http';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const CACHE = join(ROOT, 'out', 'harness');
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.woff2': 'font/woff2', '.woff': 'font/woff', '.ttf': 'font/ttf', '.map': 'application/json' };

/** Writes out/harness/<name>.json from examples/<name>.net.json (or a path) with the real engine. */
export async function scenario(example) {
  mkdirSync(CACHE, { recursive: true });
  const gen = join(CACHE, 'gen.js');
  await esbuild.build({ entryPoints: [join(HERE, 'gen.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: gen, logLevel: 'error', mainFields: ['module', 'main'] });
  const file = existsSync(example) ? example : join(ROOT, 'examples', `${example}.net.json`);
  const name = file.replace(/^.*\//, '').replace(/\.net\.json$/, '');
  const out = join(CACHE, `${name}.json`);
  execFileSync(process.execPath, [gen, file, out], { stdio: 'inherit' });
  return out;
}

/** The extension's own inspector page (src/extension/inspector/html.ts), as the harness serves it. */
async function page() {
  mkdirSync(CACHE, { recursive: true });
  const js = join(CACHE, 'page.js');
  await esbuild.build({ entryPoints: [join(HERE, 'page.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: js, logLevel: 'error' });
  return execFileSync(process.execPath, [js], { encoding: 'utf8' });
}

export async function startHarness({ example = 'xor', port = 0 } = {}) {
  const scenarioFile = await scenario(example);
  const html = await page();
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    let file;
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(html);
      return;
    } else if (url.pathname === '/scenario.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(`window.SCENARIO = ${readFileSync(scenarioFile, 'utf8')};`);
      return;
    } else if (url.pathname.startsWith('/dist/')) file = normalize(join(ROOT, url.pathname));
    else if (url.pathname.startsWith('/harness/')) file = normalize(join(HERE, url.pathname.slice('/harness/'.length)));
    if (!file || !(file.startsWith(join(ROOT, 'dist')) || file.startsWith(HERE)) || !existsSync(file)) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  const address = server.address();
  return { url: `http://127.0.0.1:${address.port}/`, close: () => new Promise((r) => server.close(r)) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const h = await startHarness({ example: process.argv[2] ?? 'xor', port: Number(process.argv[3] ?? 5178) });
  console.log(`harness at ${h.url}`);
}
