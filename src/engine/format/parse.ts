/**
 * `parseNet`: a `.net.json` text -> the resolved `NetSpec` (when valid), every problem with its
 * exact position, the JSONC tree and a way to find the source range of any value by its path.
 * Pure: no I/O (CSV files are read later by `loadData`).
 */
import * as jsonc from 'jsonc-parser';
import type { NetSpec } from '../spec';
import { Checker } from './checker';
import { LineIndex, Problem, ProblemFix, Severity, makeProblem, sortProblems } from './problems';
import { limitProblem } from './scan';
import { JSONC_OPTIONS, maskBom, syntaxProblems } from './syntax';
import { validateNet } from './validate';

export interface ParsedNet {
  /** The resolved spec; present exactly when there is no error (warnings allowed). */
  spec?: NetSpec;
  /** Syntax and validation problems, sorted by position. */
  problems: Problem[];
  /** The JSONC tree; absent when the text holds no JSON value at all. */
  root?: jsonc.Node;
  /** Source range of the value at `path` (e.g. `['layers', 2, 'weights', 0]`), if present. */
  locate(path: jsonc.JSONPath): { offset: number; length: number } | undefined;
  /** The file name given to `parseNet` (used in messages of later stages). */
  fileName: string;
  /** The text that was parsed. */
  text: string;
  /** Offset -> line/column for `text`. */
  lines: LineIndex;
  /**
   * A problem at the value at `path`, or at the nearest enclosing value that exists (at the
   * start of the file when nothing does). Used by later stages such as data loading.
   */
  problemAt(path: jsonc.JSONPath, severity: Severity, code: string, message: string, fix?: ProblemFix): Problem;
}

/** Parses and validates a `.net.json` text. `fileName` is kept for messages; nothing is read. */
export function parseNet(text: string, fileName: string): ParsedNet {
  const lines = new LineIndex(text);
  // Size, value count and nesting are checked by a flat scan before any tree is built.
  const tooBig = limitProblem(maskBom(text), lines);
  const errors: jsonc.ParseError[] = [];
  const root = tooBig ? undefined : jsonc.parseTree(maskBom(text), errors, JSONC_OPTIONS);
  // The readable syntax messages need a second pass, made only when there is an error to word.
  const syntax = tooBig ? [tooBig] : errors.length > 0 || !root ? syntaxProblems(text, lines) : [];
  const locate = (path: jsonc.JSONPath): { offset: number; length: number } | undefined => {
    if (!root) return undefined;
    const node = jsonc.findNodeAtLocation(root, path);
    return node ? { offset: node.offset, length: node.length } : undefined;
  };
  const problemAt = (path: jsonc.JSONPath, severity: Severity, code: string, message: string, fix?: ProblemFix): Problem => {
    for (let n = path.length; n >= 0; n--) {
      const r = locate(path.slice(0, n));
      if (r) return makeProblem(lines, severity, code, r.offset, r.length, message, fix);
    }
    return makeProblem(lines, severity, code, 0, 0, message, fix);
  };
  const result: ParsedNet = { problems: syntax, root, locate, fileName, text, lines, problemAt };
  // A tree recovered from broken syntax would only produce confusing follow-on problems.
  if (syntax.length > 0 || !root) return result;
  const checker = new Checker(maskBom(text), lines);
  const spec = validateNet(root, checker);
  result.problems = sortProblems(checker.problems);
  if (spec) result.spec = spec;
  return result;
}
