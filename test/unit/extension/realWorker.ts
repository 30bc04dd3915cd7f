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
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backprop-worker-'));
  const bundle = path.join(dir, 'worker.js');
  await esbuild.build({
    entryPoints: [path.join(repoRoot(), 'src/extension/worker/worker.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // jsonc-parser's "main" is a UMD build whose internal requires esbuild cannot follow.
    mainFields: ['module', 'main'],
    logLevel: 'silent',
  });
  return {
    dir,
    spawn: () => spawnWorkerClient(bundle, 'worker'),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
