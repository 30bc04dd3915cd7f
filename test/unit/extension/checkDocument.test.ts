/**
 * The data-check worker's `checkDocument` (plain Node): one parse whatever is asked; `full`
 * returns every problem of a big document placed at its offsets (the host does not parse it);
 * `data: false` (Restricted Mode) reads no file; outside data is refused unless allowed.
 */
import * as assert from 'assert';
import { parseNet } from '../../../src/engine/format';
import { checkDocument } from '../../../src/extension/worker/dataCheck';

const net = (file: string, activation = 'linear'): string =>
  `{ "layers": [{ "units": 1 }, { "units": 1, "activation": "${activation}" }],\n  "data": { "file": "${file}", "inputs": ["x"], "targets": ["y"] } }`;

describe('extension: checkDocument (the data-check worker)', () => {
  const reads: string[] = [];
  const readFile = (abs: string): string => {
    reads.push(abs);
    if (abs === '/nets/t.csv') return 'x,y\n1,2\n';
    throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
  };
  beforeEach(() => reads.splice(0));

  it('full: every problem of the document at its offsets, the same as parsing on the host plus the data problems', () => {
    const text = net('missing.csv');
    const r = checkDocument(text, '/nets/a.net.json', readFile, { full: true });
    assert.deepEqual(r.all?.map((p) => [p.code, p.offset]), [['missing-file', text.indexOf('"missing.csv"')]]);
    const bad = net('t.csv', 'sigmoidal');
    const r2 = checkDocument(bad, '/nets/a.net.json', readFile, { full: true });
    assert.deepEqual(r2.all, parseNet(bad, '/nets/a.net.json').problems);
  });

  it('data: false reads no file (Restricted Mode)', () => {
    const r = checkDocument(net('missing.csv'), '/nets/a.net.json', readFile, { full: true, data: false });
    assert.deepEqual(r.all, []);
    assert.deepEqual(reads, []);
  });

  it('refuses a CSV outside the folder unless allowed', () => {
    const text = net('../etc/t.csv');
    const refused = checkDocument(text, '/nets/sub/a.net.json', readFile, {});
    assert.deepEqual(refused.problems.map((p) => [p.code, p.path]), [['outside-data', ['data', 'file']]]);
    assert.deepEqual(reads, []);
    const allowed = checkDocument(net('../t.csv'), '/nets/sub/a.net.json', readFile, { allowOutside: true });
    assert.deepEqual(allowed.problems, []);
    assert.deepEqual(reads, ['/nets/t.csv']);
  });
});
