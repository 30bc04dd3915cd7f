// test/ui/smoke.ui.ts — UI smoke test: the real workbench opens the test workspace, the Explorer
// opens xor.net.json into an editor, and a screenshot lands in test-artifacts/ui/.
// Run with `npm run test:ui` (named *.ui.ts so the unit run's *.test.js glob never picks it up).
import * as assert from 'assert';
import * as fs from 'fs';
import { openWorkbench, Workbench } from './harness';

describe('UI: workbench smoke', function () {
  this.timeout(180_000);
  let wb: Workbench | undefined;

  before(async () => {
    wb = await openWorkbench();
  });

  after(async () => {
    await wb?.close();
  });

  it('opens xor.net.json from the Explorer and shows its text', async () => {
    if (!wb) throw new Error('workbench did not open');
    await wb.openFile('xor.net.json');
    const tab = wb.page.locator('.tabs-container .tab.active');
    assert.match((await tab.getAttribute('aria-label')) ?? '', /^xor\.net\.json\b/);
    // The editor shows the file's own text (line 3 of test/workspace/xor.net.json).
    await wb.page.locator('.monaco-editor .view-line', { hasText: '"name": "xor"' }).first().waitFor({ timeout: 30_000 });
    const file = await wb.screenshot('smoke-xor-opened');
    const png = fs.readFileSync(file);
    assert.strictEqual(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.ok(png.length > 10_000, `screenshot is ${png.length} bytes`);
  });
});
