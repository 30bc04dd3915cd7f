/**
 * The entry that runs the extension-host benchmarks (bench/host/*.test.ts) INSIDE a real VS Code
 * extension host, in the shape `@vscode/test-electron` and scripts/test-host/run-extension-tests.mjs
 * load (`run(): Promise<void>`): `npm run bench:host` passes `--tests out/bench/host/index`.
 * Loads only the compiled *.test.js files of this folder (never the host tests of test/host).
 */
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: 300_000 });
  const grep = process.env.BACKPROP_TEST_GREP;
  if (grep) mocha.grep(grep);
  const files = fs.readdirSync(__dirname).filter((n) => n.endsWith('.test.js')).sort().map((n) => path.join(__dirname, n));
  for (const file of files) mocha.addFile(file);
  return new Promise<void>((resolve, reject) => {
    if (files.length === 0) {
      reject(new Error(`no *.test.js files in ${__dirname}`));
      return;
    }
    try {
      mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} benchmark(s) could not be measured`)) : resolve()));
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
