// Compiles asm/kernels.ts (AssemblyScript) to dist/kernels.wasm with the asc compiler from
// node_modules; run by `npm run build` before scripts/build.mjs, which inlines the bytes into the
// bundles. Also run by the kernel tests when dist/kernels.wasm is missing or older than its source.
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'asm', 'kernels.ts');
const output = join(root, 'dist', 'kernels.wasm');

const fresh = (() => {
  try {
    return statSync(output).mtimeMs >= Math.max(statSync(source).mtimeMs, statSync(fileURLToPath(import.meta.url)).mtimeMs);
  } catch {
    return false;
  }
})();

if (!fresh || process.argv.includes('--force')) {
  mkdirSync(dirname(output), { recursive: true });
  const require = createRequire(import.meta.url);
  const asc = join(dirname(require.resolve('assemblyscript/package.json')), 'bin', 'asc.js');
  execFileSync(
    process.execPath,
    // the memory is imported and shared (src/engine/kernels/wasm.ts makes it): helper threads of a
    // batch split (src/engine/kernels/threads.ts) instantiate the module on the same memory
    [asc, source, '-O3', '--runtime', 'stub', '--noAssert', '--enable', 'simd', '--enable', 'threads',
      '--importMemory', '--sharedMemory', '--initialMemory', '1', '--maximumMemory', '65536', '-o', output],
    { stdio: 'inherit', cwd: root },
  );
  console.log(`asm/build.mjs: wrote ${output} (${statSync(output).size} bytes)`);
}
