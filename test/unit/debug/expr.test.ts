/**
 * The debugger's expression language, with expected values worked out by hand.
 */
import assert from 'node:assert/strict';
import { compileCondition, compileTemplate, evaluate, ExprError, matrix, parse, summarize, type ExprScope, type Value } from '../../../src/engine/debug/expr';
import { formatValue } from '../../../src/extension/debug/controller';
import { formatSummary } from '../../../src/shared/format';

// W = [[3, -4], [0, 12]]  (row j = w_j*),  dW = [[1e-8, 0], [0, 0]],  delta = [[-2000, 1], [5, 0.5]]
function scope(extra: Record<string, Value> = {}): ExprScope & { lr: number } {
  const values: Record<string, Value> = {
    W: matrix(2, 2, Float64Array.from([3, -4, 0, 12])),
    dW: matrix(2, 2, Float64Array.from([1e-8, 0, 0, 0])),
    delta: matrix(2, 2, Float64Array.from([-2000, 1, 5, 0.5])),
    b: matrix(1, 3, Float64Array.from([0.5, -1, 2])),
    loss: 2.5,
    epoch: 100,
    ...extra,
  };
  values.w = values.W;
  const s = {
    lr: 0.5,
    get: (n: string) => values[n],
    names: () => Object.keys(values),
    set: (n: string, v: number) => {
      if (n !== 'lr') return `only lr can be set, not '${n}'`;
      s.lr = v;
      return undefined;
    },
  };
  return s;
}

const ev = (text: string, s: ExprScope = scope()): Value => evaluate(parse(text), s);
function errorOf(f: () => unknown): ExprError {
  try {
    f();
  } catch (e) {
    if (e instanceof ExprError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('debug: expression language', () => {
  it('norm(W) is the Frobenius norm: sqrt(9 + 16 + 0 + 144) = 13', () => {
    assert.equal(ev('norm(W)'), 13);
  });

  it('the issue\'s conditions, hand-computed', () => {
    assert.equal(ev('norm(dW) < 1e-7'), 1); // 1e-8 < 1e-7
    assert.equal(ev('max(abs(delta)) > 1e3'), 1); // |−2000| = 2000
    assert.equal(ev('max(delta)'), 5);
    assert.equal(ev('min(delta)'), -2000);
    assert.equal(ev('loss > 2'), 1);
    assert.equal(ev('epoch == 100'), 1);
    assert.equal(ev('epoch == 99'), 0);
    assert.equal(ev('any(isnan(W))'), 0);
    assert.equal(ev('any(isnan(W))', scope({ W: matrix(1, 2, Float64Array.from([1, Number.NaN])) })), 1);
  });

  it('indexes 1-based: w[1][2] is w_12 = -4, W[2] is row 2, b[3] = 2', () => {
    assert.equal(ev('w[1][2]'), -4);
    assert.equal(ev('w[1][2] < 0'), 1);
    assert.equal(ev('sum(W[2])'), 12);
    assert.equal(ev('b[3]'), 2);
  });

  it('arithmetic with precedence, unary minus, element-wise with numbers, && and ||', () => {
    assert.equal(ev('1 + 2 * 3 - 4 / 2'), 5);
    assert.equal(ev('-(1 + 2) * 2'), -6);
    assert.equal(ev('sum(W * 2)'), 22); // 2·(3 - 4 + 0 + 12)
    assert.equal(ev('sum(W - W)'), 0);
    assert.equal(ev('count(W > 0)'), 2);
    assert.equal(ev('mean(b)'), 0.5); // (0.5 - 1 + 2) / 3
    assert.equal(ev('loss > 2 && epoch < 50 || epoch == 100'), 1);
    assert.equal(ev('!(loss > 2)'), 0);
    assert.equal(ev('all(isfinite(W))'), 1);
  });

  it('a condition of a matrix is an error that says to use any() or all()', () => {
    const c = compileCondition('W > 0');
    assert.throws(() => c(scope()), /use any\(\) or all\(\)/);
    assert.equal(compileCondition('loss > 2')(scope()), true);
  });

  it('syntax errors name the column', () => {
    assert.equal(errorOf(() => parse('norm(dW < 1e-7')).column, 15);
    assert.match(errorOf(() => parse('norm(dW < 1e-7')).message, /expected '\)' to close norm\(, found the end \(column 15\)/);
    assert.equal(errorOf(() => parse('loss > > 2')).column, 8);
    assert.equal(errorOf(() => parse('loss $ 2')).column, 6);
    assert.equal(errorOf(() => parse('loss = 2 +')).column, 11);
    assert.match(errorOf(() => parse('foo(W)')).message, /unknown function 'foo'/);
    assert.equal(errorOf(() => parse('1 < 2 < 3')).column, 7);
    assert.match(errorOf(() => compileCondition('epoch = 100')).message, /cannot assign/);
  });

  it('unknown names and out-of-range indices are errors with a column, not exceptions of another kind', () => {
    const e = errorOf(() => ev('loss + nope'));
    assert.equal(e.column, 8);
    assert.match(e.message, /unknown name 'nope'/);
    assert.equal(errorOf(() => ev('W[3]')).column, 3);
    assert.match(errorOf(() => ev('W + b')).message, /shapes differ: 2x2 and 1x3/);
  });

  it('lr = 0.1 assigns through the scope; other names cannot be assigned', () => {
    const s = scope();
    assert.equal(evaluate(parse('lr = 0.1'), s), 0.1);
    assert.equal(s.lr, 0.1);
    assert.match(errorOf(() => evaluate(parse('loss = 1'), s)).message, /only lr can be set/);
  });

  it('logpoint templates interpolate expressions; errors point into the template', () => {
    const t = compileTemplate('{epoch}: |dW| = {norm(dW)} {{literal}}', formatValue);
    assert.equal(t(scope()), '100: |dW| = 1e-8 {literal}');
    assert.equal(errorOf(() => compileTemplate('epoch {epoch +}', formatValue)).column, 15);
    assert.equal(errorOf(() => compileTemplate('open {epoch', formatValue)).column, 6);
  });

  it('summaries: shape, norm, min, max and the count of NaN', () => {
    const s = summarize(matrix(1, 4, Float64Array.from([3, Number.NaN, -4, 0])));
    assert.deepEqual([s.rows, s.cols, s.norm, s.min, s.max, s.nan], [1, 4, 5, 0 - 4, 3, 1]);
    assert.equal(formatSummary(s), '1x4 ‖·‖ 5 min -4 max 3 NaN 1'); // written by the one formatter, src/shared/format.ts
  });
});
