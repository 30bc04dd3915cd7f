/**
 * The inspector's one number formatter and its parameter names. Expected strings are written by
 * hand from the rule (6 significant digits, trailing zeros cut, exponent form outside [1e-4, 1e6)).
 */
import { strict as assert } from 'node:assert';
import { formatFull, formatLatex, formatNumber, latexFactor, paramName } from '../../../webview/format';

describe('formatNumber', () => {
  it('shows 6 significant digits and cuts trailing zeros', () => {
    assert.equal(formatNumber(0.1), '0.1');
    assert.equal(formatNumber(1 / 3), '0.333333');
    assert.equal(formatNumber(-2 / 3), '-0.666667');
    assert.equal(formatNumber(123456.7), '123457');
    assert.equal(formatNumber(42), '42');
    assert.equal(formatNumber(1.5), '1.5');
    assert.equal(formatNumber(0.000123456789), '0.000123457');
  });

  it('switches to exponent form below 1e-4 and from 1e6 on, also when rounding carries', () => {
    assert.equal(formatNumber(0.0000123456789), '1.23457e-5');
    assert.equal(formatNumber(-1e-7), '-1e-7');
    assert.equal(formatNumber(1e6), '1e6');
    assert.equal(formatNumber(2.5e21), '2.5e21');
    assert.equal(formatNumber(999999.7), '1e6'); // rounds up to 1000000: exponent form
    assert.equal(formatNumber(0.0000999999), '9.99999e-5');
    assert.equal(formatNumber(0.00009999996), '0.0001'); // rounds to 1e-4, inside the plain range
  });

  it('names zero, infinities and NaN plainly', () => {
    assert.equal(formatNumber(0), '0');
    assert.equal(formatNumber(-0), '0');
    assert.equal(formatNumber(Infinity), '∞');
    assert.equal(formatNumber(-Infinity), '-∞');
    assert.equal(formatNumber(NaN), 'NaN');
  });

  it('gives the full value for titles: the shortest string that reads back to the same double', () => {
    for (const v of [0.1 + 0.2, 1 / 3, -1e-300, 123456789.123, 5e-324]) {
      assert.equal(Number(formatFull(v)), v);
    }
    assert.equal(formatFull(0.1 + 0.2), '0.30000000000000004');
    assert.equal(formatFull(-0), '-0');
  });
});

describe('formatLatex', () => {
  it('typesets exponents as powers of ten and keeps plain numbers as they are', () => {
    assert.equal(formatLatex(0.25), '0.25');
    assert.equal(formatLatex(-1.23456789e-7), '-1.23457\\times 10^{-7}');
    assert.equal(formatLatex(1e-8), '10^{-8}');
    assert.equal(formatLatex(-Infinity), '-\\infty');
    assert.equal(formatLatex(NaN), '\\text{NaN}');
  });

  it('puts negative factors in parentheses', () => {
    assert.equal(latexFactor(-0.5), '(-0.5)');
    assert.equal(latexFactor(0.5), '0.5');
    assert.equal(latexFactor(3e-9), '(3\\times 10^{-9})');
  });
});

describe('paramName', () => {
  it('uses 1-based unit numbers as the engine\'s gradient check names do (w^l_{j,k}, b^l_{j})', () => {
    assert.equal(paramName(2, 'w', 0, 2).text, 'w^2_{1,3}');
    assert.equal(paramName(1, 'b', 4).text, 'b^1_{5}');
    assert.equal(paramName(2, 'w', 0, 2).sub, '1,3');
  });

  it('typesets compactly for one-digit units and with a comma for two digits', () => {
    assert.equal(paramName(2, 'w', 0, 2).latex, 'w^{2}_{13}');
    assert.equal(paramName(3, 'w', 9, 2).latex, 'w^{3}_{10,3}');
    assert.equal(paramName(3, 'b', 11).latex, 'b^{3}_{12}');
  });
});
