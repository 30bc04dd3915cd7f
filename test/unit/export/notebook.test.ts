/**
 * The notebook export: valid nbformat 4 (checked against the rules of the nbformat 4.5 JSON schema
 * that a notebook's structure must follow: no other keys, cell ids, multiline sources, code cells'
 * outputs and execution counts), and its code cells, run in order under /usr/bin/python3, load the
 * data, pass the self-check and train.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { exportNetwork } from '../../../src/engine/export';
import { engineWeights, examplesDir, load, maxWeightError, runPython, skipWithoutTorch, tmpDir } from './helpers';

type Json = Record<string, unknown>;

/** The nbformat 4.5 schema's structural rules (nbformat.v4.5.schema.json), as assertions. */
function validateNotebook(nb: Json): void {
  const keys = (o: Json, allowed: string[], required: string[], where: string): void => {
    for (const k of Object.keys(o)) assert.ok(allowed.includes(k), `${where}: additional property '${k}'`);
    for (const k of required) assert.ok(k in o, `${where}: missing '${k}'`);
  };
  const multiline = (v: unknown, where: string): void => {
    assert.ok(typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string')), `${where}: not a multiline string`);
  };
  keys(nb, ['cells', 'metadata', 'nbformat', 'nbformat_minor'], ['cells', 'metadata', 'nbformat', 'nbformat_minor'], 'notebook');
  assert.equal(nb.nbformat, 4);
  assert.ok(Number.isInteger(nb.nbformat_minor) && (nb.nbformat_minor as number) >= 5, 'nbformat_minor >= 5 (cell ids)');
  const meta = nb.metadata as Json;
  assert.ok(meta && typeof meta === 'object' && !Array.isArray(meta));
  const ks = meta.kernelspec as Json;
  assert.ok(typeof ks.name === 'string' && typeof ks.display_name === 'string', 'kernelspec needs name and display_name');
  assert.ok(typeof (meta.language_info as Json).name === 'string', 'language_info needs name');
  assert.ok(Array.isArray(nb.cells));
  const ids = new Set<string>();
  (nb.cells as Json[]).forEach((c, i) => {
    const where = `cell ${i}`;
    assert.ok(typeof c.id === 'string' && /^[a-zA-Z0-9-_]+$/.test(c.id) && c.id.length <= 64, `${where}: bad id`);
    assert.ok(!ids.has(c.id as string), `${where}: duplicate id`);
    ids.add(c.id as string);
    assert.ok(c.metadata && typeof c.metadata === 'object' && !Array.isArray(c.metadata), `${where}: metadata`);
    multiline(c.source, where);
    if (c.cell_type === 'markdown') keys(c, ['id', 'cell_type', 'metadata', 'source', 'attachments'], ['id', 'cell_type', 'metadata', 'source'], where);
    else if (c.cell_type === 'code') {
      keys(c, ['id', 'cell_type', 'metadata', 'source', 'outputs', 'execution_count'], ['id', 'cell_type', 'metadata', 'source', 'outputs', 'execution_count'], where);
      assert.ok(c.execution_count === null || Number.isInteger(c.execution_count), `${where}: execution_count`);
      assert.ok(Array.isArray(c.outputs), `${where}: outputs`);
    } else assert.fail(`${where}: cell_type ${String(c.cell_type)}`);
    if (Array.isArray(c.source)) (c.source as string[]).forEach((line, j, all) => assert.ok(j === all.length - 1 || line.endsWith('\n'), `${where}: line ${j} has no newline`));
  });
}

describe('export: Jupyter notebook', function () {
  this.timeout(300_000);
  let dir: string;

  before(() => {
    dir = tmpDir();
  });

  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is a valid nbformat 4 notebook with cells to load, build, self-check, train and plot', () => {
    for (const ex of ['xor', 'iris']) {
      const file = path.join(examplesDir, `${ex}.net.json`);
      const [f] = exportNetwork(load(fs.readFileSync(file, 'utf8'), file), file, { to: 'ipynb', out: path.join(dir, `${ex}.ipynb`) });
      const nb = JSON.parse(f.content as string) as Json;
      validateNotebook(nb);
      const code = (nb.cells as Json[]).filter((c) => c.cell_type === 'code').map((c) => (c.source as string[]).join(''));
      for (const want of [/load_data\(\)/, /model = Network\(\)/, /self_check\(model, X, T\)/, /history = train\(/, /plt\.plot/]) {
        assert.ok(code.some((c) => want.test(c)), `no cell matches ${String(want)}`);
      }
    }
    // and the validator itself refuses what the schema refuses
    assert.throws(() => validateNotebook({ cells: [], metadata: { kernelspec: { name: 'p', display_name: 'P' }, language_info: { name: 'python' } }, nbformat: 4, nbformat_minor: 5, extra: 1 }));
    assert.throws(() => validateNotebook({ cells: [{ id: 'a b', cell_type: 'code', metadata: {}, source: [], outputs: [], execution_count: null }], metadata: { kernelspec: { name: 'p', display_name: 'P' }, language_info: { name: 'python' } }, nbformat: 4, nbformat_minor: 5 }));
  });

  it('its code cells run in order under /usr/bin/python3 (iris from its CSV): self-check, training to the engine\'s weights, loss plot or its fallback', function () {
    skipWithoutTorch(this);
    const file = path.join(examplesDir, 'iris.net.json');
    const loaded = load(fs.readFileSync(file, 'utf8'), file);
    const [f] = exportNetwork(loaded, file, { to: 'ipynb', out: path.join(dir, 'iris.ipynb') });
    const nb = JSON.parse(f.content as string) as Json;
    const code = (nb.cells as Json[]).filter((c) => c.cell_type === 'code').map((c) => (c.source as string[]).join(''));
    const program = `${code.join('\n\n')}\n\nprint("WEIGHTS", json.dumps(weights_of(model)))\n`;
    const r = runPython(['-c', program], { cwd: dir, env: { BACKPROP_EPOCHS: '3', MPLBACKEND: 'Agg' } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^self-check passed/m);
    assert.match(r.stdout, /^epoch 3\/3 {2}loss /m);
    if (runPython(['-c', 'import matplotlib']).code !== 0) assert.match(r.stdout, /^matplotlib is not installed; the last losses: \[/m);
    const line = r.stdout.split('\n').find((l) => l.startsWith('WEIGHTS ')) as string;
    const got = JSON.parse(line.slice(8)) as { weights: number[][]; biases: number[] }[];
    assert.ok(maxWeightError(got, engineWeights(loaded, 3)) <= 1e-9);
  });
});
