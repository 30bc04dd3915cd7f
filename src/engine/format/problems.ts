/**
 * Problems found in a `.net.json` file (syntax, validation, data) and their source positions.
 *
 * A `Problem` carries both the character range (`offset`, `length`, in UTF-16 code units, which
 * is what VS Code and JavaScript strings count) and the 1-based `line`/`column` of its start, so
 * the extension can draw a squiggle and the CLI can print `FILE:LINE:COL: error: message`.
 * Line breaks are `\n`, `\r\n` and a lone `\r`, as in VS Code; a CRLF counts as one break.
 * A byte-order mark at the start of the text takes no column (editors do not show it).
 */

/** A repair the extension can offer as a quick fix, described as data. */
export type ProblemFix =
  /** Replace `length` characters at `offset` with `text` (an empty `text` deletes). */
  | { kind: 'replace'; title: string; offset: number; length: number; text: string }
  /**
   * Generate fresh weights and biases for layer `layer` (index in the file's `layers`, 1..L)
   * from the file's seed and initialisation, and write them in place of the wrong ones.
   */
  | { kind: 'regenerate-weights'; title: string; layer: number };

export type Severity = 'error' | 'warning';

export interface Problem {
  message: string;
  severity: Severity;
  /** Start of the offending text, 0-based, in UTF-16 code units. */
  offset: number;
  /** Length of the offending text (0 at the end of the file). */
  length: number;
  /** 1-based line of `offset`. */
  line: number;
  /** 1-based column of `offset`, in UTF-16 code units. */
  column: number;
  /** A stable identifier such as `wrong-shape`, `unknown-activation`, `syntax`. */
  code: string;
  fix?: ProblemFix;
}

/** `FILE:LINE:COL: error: message` (or `warning:`), the form compilers and the CLI print. */
export function formatProblem(file: string, p: Problem): string {
  return `${file}:${p.line}:${p.column}: ${p.severity}: ${p.message}`;
}

/** True when any problem in the list is an error (warnings do not stop a run). */
export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}

/** A table of line starts for one text, answering offset -> (line, column) in O(log lines). */
export class LineIndex {
  private readonly starts: number[];
  /** 1 when the text starts with a byte-order mark, which takes no column. */
  private readonly bom: number;

  constructor(readonly text: string) {
    this.bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
    const starts = [this.bom];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 13 /* \r */) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      } else if (c === 10 /* \n */) {
        starts.push(i + 1);
      }
    }
    this.starts = starts;
  }

  /** 1-based line and column of `offset` (clamped to the text). */
  positionAt(offset: number): { line: number; column: number } {
    const off = Math.max(this.bom, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= off) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: off - this.starts[lo] + 1 };
  }

  /** The offset of a 1-based line and column (clamped to the text). */
  offsetAt(line: number, column: number): number {
    const l = Math.max(1, Math.min(line, this.starts.length));
    return Math.min(this.text.length, this.starts[l - 1] + Math.max(0, column - 1));
  }

  /** The leading whitespace of the line holding `offset`. */
  indentAt(offset: number): string {
    const { line } = this.positionAt(offset);
    const start = this.starts[line - 1];
    let end = start;
    while (end < this.text.length && (this.text[end] === ' ' || this.text[end] === '\t')) end++;
    return this.text.slice(start, end);
  }
}

/** 1-based line and column of `offset` in `text`. Builds a line table; reuse `LineIndex` for many. */
export function positionAt(text: string, offset: number): { line: number; column: number } {
  return new LineIndex(text).positionAt(offset);
}

/** Builds a problem at a range of a text. */
export function makeProblem(
  lines: LineIndex,
  severity: Severity,
  code: string,
  offset: number,
  length: number,
  message: string,
  fix?: ProblemFix,
): Problem {
  // Never a range outside the text (the parser may report one past an unterminated comment).
  const end = lines.text.length;
  offset = Math.max(0, Math.min(offset, end));
  length = Math.max(0, Math.min(length, end - offset));
  const { line, column } = lines.positionAt(offset);
  const p: Problem = { message, severity, offset, length, line, column, code };
  if (fix) p.fix = fix;
  return p;
}

/** Sorts problems by position (stable for equal positions), errors before warnings at one spot. */
export function sortProblems(problems: Problem[]): Problem[] {
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => a.p.offset - b.p.offset || sevRank(a.p) - sevRank(b.p) || a.i - b.i)
    .map((x) => x.p);
}

function sevRank(p: Problem): number {
  return p.severity === 'error' ? 0 : 1;
}
