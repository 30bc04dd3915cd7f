/**
 * Positions and the printed form of problems: 1-based lines and columns in UTF-16 code units,
 * with LF, CRLF and lone CR line breaks; `FILE:LINE:COL: severity: message`.
 */
import * as assert from 'node:assert/strict';
import { LineIndex, formatProblem, positionAt, type Problem } from '../../../src/engine/format';

describe('format: positions', () => {
  it('counts lines and columns from 1 with LF', () => {
    const text = 'ab\ncd\n';
    assert.deepEqual(positionAt(text, 0), { line: 1, column: 1 });
    assert.deepEqual(positionAt(text, 1), { line: 1, column: 2 });
    assert.deepEqual(positionAt(text, 2), { line: 1, column: 3 }); // the \n itself
    assert.deepEqual(positionAt(text, 3), { line: 2, column: 1 });
    assert.deepEqual(positionAt(text, 6), { line: 3, column: 1 }); // end of file after the last \n
  });

  it('treats CRLF as one line break', () => {
    const text = 'a\r\nb\r\nc';
    assert.deepEqual(positionAt(text, 1), { line: 1, column: 2 }); // \r
    assert.deepEqual(positionAt(text, 2), { line: 1, column: 3 }); // \n of the pair
    assert.deepEqual(positionAt(text, 3), { line: 2, column: 1 }); // b
    assert.deepEqual(positionAt(text, 6), { line: 3, column: 1 }); // c
  });

  it('treats a lone CR as a line break', () => {
    assert.deepEqual(positionAt('a\rb', 2), { line: 2, column: 1 });
    assert.deepEqual(positionAt('a\r\rb', 3), { line: 3, column: 1 });
  });

  it('counts columns in UTF-16 code units, as VS Code does', () => {
    // U+1F600 is two code units, é is one.
    assert.deepEqual(positionAt('\u{1F600}é"x"', 3), { line: 1, column: 4 });
  });

  it('gives a leading byte-order mark no column', () => {
    assert.deepEqual(positionAt('\uFEFF{"a"', 1), { line: 1, column: 1 });
    assert.deepEqual(positionAt('\uFEFF{"a"', 2), { line: 1, column: 2 });
    assert.deepEqual(positionAt('\uFEFF{\n"a"', 3), { line: 2, column: 1 });
  });

  it('clamps offsets outside the text', () => {
    assert.deepEqual(positionAt('ab', 99), { line: 1, column: 3 });
    assert.deepEqual(positionAt('ab', -5), { line: 1, column: 1 });
  });

  it('offsetAt inverts positionAt', () => {
    const text = '{\r\n  "a": 1,\n\r  "b": [2]\r}';
    const lines = new LineIndex(text);
    for (let off = 0; off <= text.length; off++) {
      const { line, column } = lines.positionAt(off);
      assert.equal(lines.offsetAt(line, column), off);
    }
  });

  it('prints FILE:LINE:COL: severity: message', () => {
    const p: Problem = { message: 'bad thing', severity: 'error', offset: 10, length: 3, line: 4, column: 7, code: 'x' };
    assert.equal(formatProblem('nets/a.net.json', p), 'nets/a.net.json:4:7: error: bad thing');
    assert.equal(formatProblem('b.net.json', { ...p, severity: 'warning' }), 'b.net.json:4:7: warning: bad thing');
  });
});
