// test/host/runTest.ts — the standard @vscode/test-electron entry, for machines that can download
// desktop VS Code (`node out/test/host/runTest.js`). This machine cannot; it uses
// scripts/test-host/run-extension-tests.mjs (code-server) instead. Both load test/host/index.ts
// and pass the same BACKPROP_TEST_WORKSPACE: a fresh temp copy of test/workspace/.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  const repoRoot = path.resolve(__dirname, '..', '..', '..');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'backprop-ws-'));
  const workspace = path.join(tmp, 'workspace');
  fs.cpSync(path.join(repoRoot, 'test', 'workspace'), workspace, { recursive: true });
  try {
    await runTests({
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: path.join(__dirname, 'index'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
      extensionTestsEnv: { BACKPROP_TEST_WORKSPACE: workspace },
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error('host tests failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
