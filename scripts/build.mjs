// Bundles the extension (Node, `vscode` external), its training worker, the CLI and the
// inspector webview (browser) with esbuild. Type checking is its own step (`npm run typecheck`),
// because esbuild only strips types. `--watch` rebuilds on change; `--production` minifies.
import * as esbuild from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

// The WebAssembly kernels (built by asm/build.mjs), inlined so dist/*.js stay self-contained.
const wasmPath = 'dist/kernels.wasm';
if (!existsSync(wasmPath)) throw new Error(`${wasmPath} is missing: run \`node asm/build.mjs\` first (npm run build does)`);
const wasm = readFileSync(wasmPath).toString('base64');

const common = {
  bundle: true,
  define: { __BACKPROP_WASM__: JSON.stringify(wasm) },
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
  legalComments: 'linked',
  // jsonc-parser's "main" is a UMD build whose dynamic requires esbuild cannot follow; its ESM build bundles cleanly.
  mainFields: ['module', 'main'],
};

const builds = [
  {
    ...common,
    // threadHelper: the helper threads of a batch split (src/engine/kernels/threads.ts), beside cli.js and worker.js
    entryPoints: { extension: 'src/extension/extension.ts', worker: 'src/extension/worker/worker.ts', threadHelper: 'src/engine/kernels/threadHelper.ts', replayWorker: 'src/extension/runs/replayWorker.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
  {
    // the training debugger: its worker thread, and its adapter as a process of its own (tests)
    ...common,
    entryPoints: { debugWorker: 'src/extension/debug/worker.ts', debugAdapter: 'src/extension/debug/adapterMain.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    ...common,
    entryPoints: { cli: 'src/cli/main.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    ...common,
    entryPoints: { webview: 'webview/main.ts' },
    outdir: 'dist',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file' },
  },
];

if (watch) {
  for (const b of builds) {
    const ctx = await esbuild.context(b);
    await ctx.watch();
  }
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
