// test/host/vsix.test.ts — the packaged extension: `vsce package` works offline and ships what
// runs, the .vsix installs into this real VS Code through `workbench.extensions.installExtension`,
// and the installed copy's own training worker trains the notes network to the same bits as the
// engine. (The installed copy is not activated here: in a test run the extension under
// development shadows an installed extension of the same id.)
import * as assert from 'assert';
import * as cp from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { Worker } from 'worker_threads';
import { Network, Trainer } from '../../src/engine';
import { loadNet } from '../../src/engine/load';
import type { WorkerToHost, HostToWorker, RunEnd, LayerWeights } from '../../src/extension/worker/protocol';
import { EXTENSION_ID, waitFor, workspaceText } from './helpers';

const REPO = path.resolve(__dirname, '..', '..', '..');

/** Where this code-server keeps installed extensions (the runner gives it --extensions-dir). */
function extensionDirs(): string[] {
  const home = process.env.HOME ?? os.homedir();
  const dirs = [path.join(path.dirname(home), 'extensions'), path.join(home, '.local', 'share', 'code-server', 'extensions')];
  if (process.env.XDG_DATA_HOME) dirs.push(path.join(process.env.XDG_DATA_HOME, 'code-server', 'extensions'));
  return dirs;
}

/** Sends requests to a worker and collects replies by id. */
function talk(worker: Worker): (m: HostToWorker) => Promise<unknown> {
  const waiting = new Map<number, (v: unknown) => void>();
  worker.on('message', (m: WorkerToHost) => {
    if (m.kind === 'reply') {
      const done = waiting.get(m.id);
      waiting.delete(m.id);
      done?.(m.ok ? m.result : new Error(m.error));
    }
  });
  return (m) =>
    new Promise((resolve) => {
      if (m.kind === 'request') waiting.set(m.id, resolve);
      worker.postMessage(m);
    });
}

describe('extension: the .vsix', function () {
  this.timeout(120_000);
  let tmp: string;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'backprop-vsix-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('packs offline, installs into this VS Code, and the installed worker trains', async () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as { version: string; main: string };
    const vsix = path.join(tmp, `backprop-studio-${manifest.version}.vsix`);
    const vsce = path.join(REPO, 'node_modules', '@vscode', 'vsce', 'vsce');
    // Packed in a child process, awaited asynchronously: the extension host keeps running meanwhile.
    const packed = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = cp.spawn(process.execPath, [vsce, 'package', '--no-dependencies', '--no-rewrite-relative-links', '--allow-missing-repository', '--out', vsix], { cwd: REPO });
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      child.stderr.on('data', (b: Buffer) => (out += b.toString()));
      child.on('close', (code) => resolve({ code, out }));
    });
    assert.strictEqual(packed.code, 0, `vsce package failed:\n${packed.out}`);
    assert.ok(fs.statSync(vsix).size > 10_000);

    await vscode.commands.executeCommand('workbench.extensions.installExtension', vscode.Uri.file(vsix));
    const installed = await waitFor('the installed extension on disk', () =>
      extensionDirs()
        .map((d) => path.join(d, `${EXTENSION_ID}-${manifest.version}`))
        .find((d) => fs.existsSync(path.join(d, 'package.json'))));

    // It ships what runs.
    for (const f of [manifest.main, 'dist/worker.js', 'dist/debugWorker.js', 'dist/replayWorker.js', 'dist/webview.js', 'dist/webview.css', 'schemas/net-json.schema.json', 'examples/xor.net.json', 'examples/iris.csv', 'docs/net-json.md']) {
      assert.ok(fs.existsSync(path.join(installed, f)), `the installed extension has ${f}`);
    }
    const pkg = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8')) as {
      contributes: { jsonValidation: { url: string }[]; languages: { id: string; configuration?: string; icon?: { light?: string; dark?: string } }[]; grammars: { path: string }[] };
    };
    for (const v of pkg.contributes.jsonValidation) assert.ok(fs.existsSync(path.join(installed, v.url)), `schema ${v.url} is shipped`);
    // the language of *.net.json: its configuration, icon and grammar
    for (const l of pkg.contributes.languages) {
      for (const f of [l.configuration, l.icon?.light, l.icon?.dark]) if (f !== undefined) assert.ok(fs.existsSync(path.join(installed, f)), `${f} of language ${l.id} is shipped`);
    }
    for (const g of pkg.contributes.grammars) assert.ok(fs.existsSync(path.join(installed, g.path)), `grammar ${g.path} is shipped`);
    assert.ok(!fs.existsSync(path.join(installed, 'src')) && !fs.existsSync(path.join(installed, 'node_modules')), 'no sources or node_modules shipped');

    // The installed copy's worker trains the notes network bit-identically to the engine.
    const text = (await workspaceText('notes-xor.net.json')).replace('"epochs": 5000', '"epochs": 500');
    const file = path.join(tmp, 'xor.net.json');
    const worker = new Worker(path.join(installed, 'dist', 'worker.js'));
    try {
      const send = talk(worker);
      const loaded = (await send({ kind: 'request', id: 1, type: 'load', params: { text, fileName: file } })) as { ok: boolean };
      assert.strictEqual(loaded.ok, true);
      const end = (await send({ kind: 'request', id: 2, type: 'train', params: {} })) as RunEnd;
      assert.strictEqual(end.reason, 'done');
      assert.strictEqual(end.epochsRun, 500);
      const weights = (await send({ kind: 'request', id: 3, type: 'weights', params: {} })) as LayerWeights[];
      const ref = loadNet(text, file);
      assert.ok(ref.spec && ref.train);
      const net = Network.fromSpec(ref.spec);
      new Trainer(net, ref.train, ref.spec.training, ref.spec.seed).run();
      assert.deepStrictEqual(weights, net.weights());
    } finally {
      await worker.terminate();
    }
  });
});
