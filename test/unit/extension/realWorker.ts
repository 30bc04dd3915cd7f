// The real training worker for unit tests: `worker.ts` bundled with esbuild as scripts/build.mjs
// does, started through the extension's own `spawnWorkerClient`.
import * as esbuild from 'esbuild';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnWorkerClient, type WorkerClient } from '../../../src/extension/training/workerClient';

/** The folder with the project's package.json above this compiled test (or the working directory). */
export function repoRoot(): string {
  for (let d = __dirname; d !== path.dirname(d); d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'src', 'extension', 'worker', 'worker.ts'))) return d;
  }
  return process.cwd();
}

export interface RealWorker {
  /** A temporary folder (the bundle lives in it; tests may write files there). */
  dir: string;
  spawn(): WorkerClient;
  cleanup(): void;
}

/** Bundles the worker into a temporary folder; call in `before`, and `cleanup` in `after`. */
export async function bundleWorker(): Promise<RealWorker> {
  const b = await bundleThread('src/extension/worker/worker.ts');
  return { dir: b.dir, spawn: () => spawnWorkerClient(b.path, 'worker'), cleanup: b.cleanup };
}

/** Bundles a thread's entry (a path from the repository's root) as scripts/build.mjs does, into a temporary folder. */
export async function bundleThread(entry: string): Promise<{ dir: string; path: string; cleanup(): void }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backprop-worker-'));
  const bundle = path.join(dir, `${path.basename(entry, '.ts')}.js`);
  const wasm = path.join(repoRoot(), 'dist', 'kernels.wasm');
  await esbuild.build({
    entryPoints: [path.join(repoRoot(), entry)],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // jsonc-parser's "main" is a UMD build whose internal requires esbuild cannot follow.
    mainFields: ['module', 'main'],
    logLevel: 'silent',
    // the WebAssembly kernels inlined as scripts/build.mjs does (the bundle lives outside the repository)
    ...(fs.existsSync(wasm) ? { define: { __BACKPROP_WASM__: JSON.stringify(fs.readFileSync(wasm).toString('base64')) } } : {}),
  });
  return { dir, path: bundle, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
