/**
 * The debugger's small, safe expression language: breakpoint conditions, logpoint templates,
 * Watch, hovers and the Debug Console. Its own tokenizer, parser and evaluator; no `eval`, no
 * access to anything but the names a scope gives.
 *
 *   expression  :=  name '=' expression            (assignment: only names the scope allows, e.g. lr)
 *                |  or
 *   or          :=  and ('||' and)*
 *   and         :=  compare ('&&' compare)*
 *   compare     :=  sum (('<' | '<=' | '>' | '>=' | '==' | '!=') sum)?
 *   sum         :=  product (('+' | '-') product)*
 *   product     :=  unary (('*' | '/') unary)*
 *   unary       :=  ('-' | '!') unary | postfix
 *   postfix     :=  primary ('[' expression ']')*
 *   primary     :=  number | name | name '(' args ')' | '(' expression ')'
 *
 * Values are numbers and matrices (rows x cols, float64). Indexing is 1-based, as the notes name
 * parameters: `W[j]` is row j of a matrix, `W[j][k]` is w_jk, `b[j]` is entry j of a vector
 * (a 1 x n matrix). Arithmetic and comparisons work element-wise, a number with a matrix or two
 * matrices of the same shape; a comparison gives 1 or 0 (per element). Functions: norm (Euclidean
 * / Frobenius), abs, sqrt, exp, log, sign, isnan, isinf, isfinite (element-wise); max, min, sum,
 * mean, count (non-zero entries), any, all (over all entries). Constants: `nan`, `inf`.
 *
 * A condition is true when it gives a non-zero number; a matrix as a condition is an error
 * ("use any() or all()"). Every error is an ExprError with a 1-based column.
 */

export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

export type Value = number | Matrix;

export class ExprError extends Error {
  constructor(
    message: string,
    /** 1-based column in the expression text. */
    readonly column: number,
  ) {
    super(`${message} (column ${column})`);
    this.name = 'ExprError';
  }
}

/** What an expression may read and (for assignments) write. */
export interface ExprScope {
  /** The value of a name, or undefined when the scope has no such name. */
  get(name: string): Value | undefined;
  /** Every readable name (for the error message of an unknown one). */
  names(): readonly string[];
  /** Why a name has no value now, when it is known but not available (e.g. not computed yet). */
  missing?(name: string): string | undefined;
  /** Sets an assignable name; returns an error message when it cannot. Absent: nothing is assignable. */
  set?(name: string, value: number): string | undefined;
}

export function matrix(rows: number, cols: number, data: Float64Array): Matrix {
  return { rows, cols, data };
}

export function isMatrix(v: Value): v is Matrix {
  return typeof v !== 'number';
}

// ---- tokens ----

type TokenKind = 'number' | 'name' | 'op' | 'end';
interface Token {
  kind: TokenKind;
  text: string;
  value: number;
  /** 0-based offset in the text. */
  at: number;
}

const OPERATORS = ['<=', '>=', '==', '!=', '&&', '||', '<', '>', '+', '-', '*', '/', '!', '(', ')', '[', ']', ',', '='];

export function tokenize(text: string, base = 0): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const num = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(i));
    if (num) {
      const after = text[i + num[0].length];
      if (after !== undefined && /[A-Za-z_]/.test(after)) throw new ExprError(`'${num[0]}${after}' is not a number`, base + i + 1);
      tokens.push({ kind: 'number', text: num[0], value: Number(num[0]), at: base + i });
      i += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (name) {
      tokens.push({ kind: 'name', text: name[0], value: 0, at: base + i });
      i += name[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op === undefined) throw new ExprError(`unexpected character '${c}'`, base + i + 1);
    tokens.push({ kind: 'op', text: op, value: 0, at: base + i });
    i += op.length;
  }
  tokens.push({ kind: 'end', text: '', value: 0, at: base + text.length });
  return tokens;
}

// ---- syntax tree ----

export type Expr =
  | { kind: 'number'; value: number; at: number }
  | { kind: 'name'; name: string; at: number }
  | { kind: 'call'; name: string; args: Expr[]; at: number }
  | { kind: 'index'; target: Expr; index: Expr; at: number }
  | { kind: 'unary'; op: '-' | '!'; arg: Expr; at: number }
  | { kind: 'binary'; op: string; left: Expr; right: Expr; at: number }
  | { kind: 'assign'; name: string; value: Expr; at: number };

const FUNCTIONS: Record<string, { arity: number; fn: (v: Value, at: number) => Value }> = {
  norm: { arity: 1, fn: (v) => Math.sqrt(reduce(v, 0, (s, x) => s + x * x)) },
  abs: { arity: 1, fn: (v) => map(v, Math.abs) },
  sqrt: { arity: 1, fn: (v) => map(v, Math.sqrt) },
  exp: { arity: 1, fn: (v) => map(v, Math.exp) },
  log: { arity: 1, fn: (v) => map(v, Math.log) },
  sign: { arity: 1, fn: (v) => map(v, Math.sign) },
  isnan: { arity: 1, fn: (v) => map(v, (x) => (Number.isNaN(x) ? 1 : 0)) },
  isinf: { arity: 1, fn: (v) => map(v, (x) => (x === Infinity || x === -Infinity ? 1 : 0)) },
  isfinite: { arity: 1, fn: (v) => map(v, (x) => (Number.isFinite(x) ? 1 : 0)) },
  max: { arity: 1, fn: (v, at) => extreme(v, at, 'max') },
  min: { arity: 1, fn: (v, at) => extreme(v, at, 'min') },
  sum: { arity: 1, fn: (v) => reduce(v, 0, (s, x) => s + x) },
  mean: { arity: 1, fn: (v) => reduce(v, 0, (s, x) => s + x) / size(v) },
  count: { arity: 1, fn: (v) => reduce(v, 0, (s, x) => s + (x !== 0 ? 1 : 0)) },
  any: { arity: 1, fn: (v) => (reduce(v, 0, (s, x) => s + (x !== 0 ? 1 : 0)) > 0 ? 1 : 0) },
  all: { arity: 1, fn: (v) => (reduce(v, 0, (s, x) => s + (x !== 0 ? 1 : 0)) === size(v) ? 1 : 0) },
};

export const FUNCTION_NAMES: readonly string[] = Object.keys(FUNCTIONS);
const CONSTANTS: Record<string, number> = { nan: Number.NaN, inf: Infinity };

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private get t(): Token {
    return this.tokens[this.i];
  }

  private isOp(...ops: string[]): boolean {
    return this.t.kind === 'op' && ops.includes(this.t.text);
  }

  private expect(op: string, what: string): Token {
    if (!this.isOp(op)) throw new ExprError(`expected '${op}' ${what}, found ${describe(this.t)}`, this.t.at + 1);
    return this.tokens[this.i++];
  }

  parseAll(): Expr {
    const e = this.expression();
    if (this.t.kind !== 'end') throw new ExprError(`unexpected ${describe(this.t)}`, this.t.at + 1);
    return e;
  }

  private expression(): Expr {
    if (this.t.kind === 'name' && this.tokens[this.i + 1].kind === 'op' && this.tokens[this.i + 1].text === '=') {
      const name = this.t;
      this.i += 2;
      return { kind: 'assign', name: name.text, value: this.expression(), at: name.at };
    }
    return this.or();
  }

  private binaryLevel(ops: string[], next: () => Expr): Expr {
    let left = next();
    while (this.isOp(...ops)) {
      const op = this.tokens[this.i++];
      left = { kind: 'binary', op: op.text, left, right: next(), at: op.at };
    }
    return left;
  }

  private or(): Expr {
    return this.binaryLevel(['||'], () => this.and());
  }

  private and(): Expr {
    return this.binaryLevel(['&&'], () => this.compare());
  }

  private compare(): Expr {
    const left = this.sum();
    if (this.isOp('<', '<=', '>', '>=', '==', '!=')) {
      const op = this.tokens[this.i++];
      const right = this.sum();
      if (this.isOp('<', '<=', '>', '>=', '==', '!=')) throw new ExprError(`comparisons do not chain: use && between them`, this.t.at + 1);
      return { kind: 'binary', op: op.text, left, right, at: op.at };
    }
    if (this.isOp('=')) throw new ExprError(`'=' assigns and only to a name such as lr; compare with '=='`, this.t.at + 1);
    return left;
  }

  private sum(): Expr {
    return this.binaryLevel(['+', '-'], () => this.product());
  }

  private product(): Expr {
    return this.binaryLevel(['*', '/'], () => this.unary());
  }

  private unary(): Expr {
    if (this.isOp('-', '!')) {
      const op = this.tokens[this.i++];
      return { kind: 'unary', op: op.text === '-' ? '-' : '!', arg: this.unary(), at: op.at };
    }
    return this.postfix();
  }

  private postfix(): Expr {
    let e = this.primary();
    while (this.isOp('[')) {
      const open = this.tokens[this.i++];
      const index = this.expression();
      this.expect(']', 'to close the index');
      e = { kind: 'index', target: e, index, at: open.at };
    }
    return e;
  }

  private primary(): Expr {
    const t = this.t;
    if (t.kind === 'number') {
      this.i++;
      return { kind: 'number', value: t.value, at: t.at };
    }
    if (t.kind === 'name') {
      this.i++;
      if (this.isOp('(')) {
        const fn = FUNCTIONS[t.text];
        if (fn === undefined) throw new ExprError(`unknown function '${t.text}' (functions: ${FUNCTION_NAMES.join(', ')})`, t.at + 1);
        this.i++;
        const args: Expr[] = [];
        if (!this.isOp(')')) {
          args.push(this.expression());
          while (this.isOp(',')) {
            this.i++;
            args.push(this.expression());
          }
        }
        this.expect(')', `to close ${t.text}(`);
        if (args.length !== fn.arity) throw new ExprError(`${t.text}() takes ${fn.arity} argument${fn.arity === 1 ? '' : 's'}, not ${args.length}`, t.at + 1);
        return { kind: 'call', name: t.text, args, at: t.at };
      }
      return { kind: 'name', name: t.text, at: t.at };
    }
    if (this.isOp('(')) {
      this.i++;
      const e = this.expression();
      this.expect(')', 'to close the parenthesis');
      return e;
    }
    throw new ExprError(t.kind === 'end' ? 'the expression ends too early' : `unexpected ${describe(t)}`, t.at + 1);
  }
}

function describe(t: Token): string {
  return t.kind === 'end' ? 'the end' : `'${t.text}'`;
}

/** Parses an expression; throws ExprError with the column. `base` offsets columns (templates). */
export function parse(text: string, base = 0): Expr {
  if (text.trim() === '') throw new ExprError('the expression is empty', base + 1);
  return new Parser(tokenize(text, base)).parseAll();
}

// ---- evaluation ----

export function evaluate(e: Expr, scope: ExprScope): Value {
  switch (e.kind) {
    case 'number':
      return e.value;
    case 'name': {
      const v = scope.get(e.name);
      if (v !== undefined) return v;
      if (e.name in CONSTANTS) return CONSTANTS[e.name];
      const why = scope.missing?.(e.name);
      if (why !== undefined) throw new ExprError(why, e.at + 1);
      throw new ExprError(`unknown name '${e.name}' here (names: ${scope.names().join(', ')})`, e.at + 1);
    }
    case 'call':
      return FUNCTIONS[e.name].fn(evaluate(e.args[0], scope), e.at + 1);
    case 'index': {
      const target = evaluate(e.target, scope);
      const index = evaluate(e.index, scope);
      if (isMatrix(index) || !Number.isInteger(index)) throw new ExprError(`an index must be a whole number`, e.at + 2);
      if (!isMatrix(target)) throw new ExprError(`a number cannot be indexed`, e.at + 1);
      if (target.rows === 1) {
        if (index < 1 || index > target.cols) throw new ExprError(`index ${index} is out of range 1..${target.cols}`, e.at + 2);
        return target.data[index - 1];
      }
      if (index < 1 || index > target.rows) throw new ExprError(`row ${index} is out of range 1..${target.rows}`, e.at + 2);
      return matrix(1, target.cols, target.data.subarray((index - 1) * target.cols, index * target.cols));
    }
    case 'unary': {
      const v = evaluate(e.arg, scope);
      return e.op === '-' ? map(v, (x) => -x) : map(v, (x) => (x === 0 ? 1 : 0));
    }
    case 'binary': {
      if (e.op === '&&' || e.op === '||') {
        const l = truth(evaluate(e.left, scope), e.left.at + 1);
        if (e.op === '&&' ? !l : l) return l ? 1 : 0;
        return truth(evaluate(e.right, scope), e.right.at + 1) ? 1 : 0;
      }
      return combine(evaluate(e.left, scope), evaluate(e.right, scope), BINARY[e.op], e.at + 1);
    }
    case 'assign': {
      const v = evaluate(e.value, scope);
      if (isMatrix(v)) throw new ExprError(`${e.name} must be set to a number`, e.at + 1);
      const problem = scope.set === undefined ? `'${e.name}' cannot be set here` : scope.set(e.name, v);
      if (problem !== undefined) throw new ExprError(problem, e.at + 1);
      return v;
    }
  }
}

const BINARY: Record<string, (a: number, b: number) => number> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '<': (a, b) => (a < b ? 1 : 0),
  '<=': (a, b) => (a <= b ? 1 : 0),
  '>': (a, b) => (a > b ? 1 : 0),
  '>=': (a, b) => (a >= b ? 1 : 0),
  '==': (a, b) => (a === b ? 1 : 0),
  '!=': (a, b) => (a !== b ? 1 : 0),
};

function combine(a: Value, b: Value, f: (a: number, b: number) => number, column: number): Value {
  if (!isMatrix(a) && !isMatrix(b)) return f(a, b);
  if (!isMatrix(a)) return map(b, (y) => f(a, y));
  if (!isMatrix(b)) return map(a, (x) => f(x, b));
  if (a.rows !== b.rows || a.cols !== b.cols) throw new ExprError(`shapes differ: ${a.rows}x${a.cols} and ${b.rows}x${b.cols}`, column);
  const out = new Float64Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = f(a.data[i], b.data[i]);
  return matrix(a.rows, a.cols, out);
}

function map(v: Value, f: (x: number) => number): Value {
  if (!isMatrix(v)) return f(v);
  const out = new Float64Array(v.data.length);
  for (let i = 0; i < out.length; i++) out[i] = f(v.data[i]);
  return matrix(v.rows, v.cols, out);
}

function reduce(v: Value, start: number, f: (s: number, x: number) => number): number {
  if (!isMatrix(v)) return f(start, v);
  let s = start;
  for (let i = 0; i < v.data.length; i++) s = f(s, v.data[i]);
  return s;
}

function size(v: Value): number {
  return isMatrix(v) ? v.data.length : 1;
}

/** max/min over all entries; NaN when any entry is NaN (so a NaN is never hidden). */
function extreme(v: Value, column: number, which: 'max' | 'min'): number {
  if (size(v) === 0) throw new ExprError(`${which}() of an empty matrix`, column);
  return reduce(v, which === 'max' ? -Infinity : Infinity, which === 'max' ? (s, x) => (x > s || Number.isNaN(x) ? x : s) : (s, x) => (x < s || Number.isNaN(x) ? x : s));
}

function truth(v: Value, column: number): boolean {
  if (isMatrix(v)) throw new ExprError(`a ${v.rows}x${v.cols} matrix is not true or false: use any() or all()`, column);
  return v !== 0 && !Number.isNaN(v);
}

// ---- the uses ----

/** A parsed breakpoint condition; `test` is true when the condition holds. */
export function compileCondition(text: string): (scope: ExprScope) => boolean {
  const e = parse(text);
  if (e.kind === 'assign') throw new ExprError(`a condition cannot assign: compare with '=='`, e.at + 1);
  return (scope) => truth(evaluate(e, scope), 1);
}

/**
 * A parsed logpoint template: text with `{expression}` parts (`{{` and `}}` are literal braces).
 * `format` writes each part's value (the engine writes no numbers for people: src/shared/format.ts).
 */
export function compileTemplate(text: string, format: (v: Value) => string): (scope: ExprScope) => string {
  const parts: (string | Expr)[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if ((c === '{' || c === '}') && text[i + 1] === c) {
      literal += c;
      i += 2;
      continue;
    }
    if (c === '}') throw new ExprError(`unmatched '}' (write '}}' for a brace)`, i + 1);
    if (c === '{') {
      const close = text.indexOf('}', i + 1);
      if (close < 0) throw new ExprError(`'{' is not closed`, i + 1);
      if (literal !== '') parts.push(literal);
      literal = '';
      const e = parse(text.slice(i + 1, close), i + 1);
      if (e.kind === 'assign') throw new ExprError(`a logpoint cannot assign`, e.at + 1);
      parts.push(e);
      i = close + 1;
      continue;
    }
    literal += c;
    i++;
  }
  if (literal !== '') parts.push(literal);
  return (scope) => parts.map((p) => (typeof p === 'string' ? p : format(evaluate(p, scope)))).join('');
}

export interface MatrixSummary {
  rows: number;
  cols: number;
  norm: number;
  min: number;
  max: number;
  nan: number;
}

/** Shape, norm, min, max (over the finite entries) and the count of NaN of a matrix. */
export function summarize(v: Matrix): MatrixSummary {
  let s = 0;
  let min = Infinity;
  let max = -Infinity;
  let nan = 0;
  for (let i = 0; i < v.data.length; i++) {
    const x = v.data[i];
    if (Number.isNaN(x)) {
      nan++;
      continue;
    }
    s += x * x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return { rows: v.rows, cols: v.cols, norm: Math.sqrt(s), min, max, nan };
}
