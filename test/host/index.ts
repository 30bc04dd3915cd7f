// test/host/index.ts — the test entry that runs INSIDE a real VS Code extension host.
// Same shape as @vscode/test-electron expects (`run(): Promise<void>`); loaded either by
// scripts/test-host/run-extension-tests.mjs (code-server, the payload's extensionTestsPath) or by
// test/host/runTest.ts (desktop VS Code). Runs every out/test/host/**/*.test.js with mocha (bdd).
// BACKPROP_TEST_GREP (in the extension environment) narrows the run to matching test titles.
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

/** Every *.test.js below `dir`, sorted so the order is the same on every machine. */
export function findTestFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findTestFiles(full));
    else if (entry.isFile() && entry.name.endsWith('.test.js')) found.push(full);
  }
  return found.sort();
}

/**
 * The .ts source of a compiled test (out/test/host/a.test.js -> test/host/a.test.ts), or
 * undefined when the layout is not out/ beside the sources. tsc never deletes outputs, so a
 * compiled test whose source was removed would otherwise keep running.
 */
function sourceOf(compiled: string): string | undefined {
  const outDir = path.resolve(__dirname, '..', '..');
  if (path.basename(outDir) !== 'out') return undefined;
  const rel = path.relative(outDir, compiled);
  return path.join(path.dirname(outDir), rel.replace(/\.js$/, '.ts'));
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: 60_000 });
  const grep = process.env.BACKPROP_TEST_GREP;
  if (grep) mocha.grep(grep);
  const files = findTestFiles(__dirname).filter((file) => {
    const source = sourceOf(file);
    if (source === undefined || fs.existsSync(source)) return true;
    console.warn(`skipping ${file}: its source ${source} no longer exists (stale output)`);
    return false;
  });
  for (const file of files) mocha.addFile(file);
  return new Promise<void>((resolve, reject) => {
    if (files.length === 0) {
      reject(new Error(`no *.test.js files found under ${__dirname}`));
      return;
    }
    try {
      mocha.run((failures) => {
        if (failures > 0) reject(new Error(`${failures} host test(s) failed`));
        else resolve();
      });
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
