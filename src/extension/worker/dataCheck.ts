/**
 * Checking a `.net.json` file's data (CSV reading and parsing, generators, the validation split)
 * away from the extension host's main thread, and placing the problems found back into the
 * document on the main thread.
 *
 * The worker runs `checkData`: it loads the data with the format's `loadData` and reports each
 * problem together with the JSON path it points at (`LocatedProblem`). The host keeps those
 * results by what the data depends on (see `editor/dataCache.ts`) and turns them into exact
 * ranges of the document as it is now with `placeDataProblems`, so an edit elsewhere in the file
 * moves the squiggles without reading the CSV again. Neither side imports `vscode`.
 */
import * as path from 'node:path';
import type { JSONPath } from 'jsonc-parser';
import { loadData, parseNet, type ParsedNet, type Problem } from '../../engine/format';
import type { ReadFile } from '../../engine/format/data';

/** A data problem by where it points in the JSON tree, independent of the text's layout. */
export interface LocatedProblem {
  /** The JSON path the problem was reported at (the engine falls back to its nearest ancestor). */
  path: (string | number)[];
  severity: Problem['severity'];
  code: string;
  message: string;
  /** A text replacement over the problem's own range (offsets relative to it), if any. */
  fix?: { title: string; start: number; length: number; text: string };
}

export interface DataCheckResult {
  problems: LocatedProblem[];
  /** With `full`: every problem of the document (syntax, validation, data), at its offsets. */
  all?: Problem[];
  /** `worker_threads.threadId` of the thread that loaded the data (0 is the main thread). */
  threadId: number;
}

/**
 * Loads the data of `text` (the document, unsaved edits included; `fileName` its absolute path,
 * relative CSV paths resolve against its folder) and returns the problems found by path.
 * Syntax and validation problems are not included: the host has them from its own `parseNet`.
 */
export function checkData(text: string, fileName: string, readFile?: ReadFile, allowOutside = false): LocatedProblem[] {
  return dataProblems(parseNet(text, fileName), fileName, readFile, allowOutside);
}

export interface DataCheckOptions {
  /** Read CSV files outside the document's folder tree (a trusted workspace's setting). */
  allowOutside?: boolean;
  /** Also return every syntax and validation problem, placed (a big document, not parsed on the host's main thread). */
  full?: boolean;
  /** Read and check the data (false in Restricted Mode: syntax and validation only). */
  data?: boolean;
}

/** `checkData` with options: one parse of the text whatever is asked. */
export function checkDocument(text: string, fileName: string, readFile: ReadFile | undefined, options: DataCheckOptions): Omit<DataCheckResult, 'threadId'> {
  const parsed = parseNet(text, fileName);
  const located = options.data === false ? [] : dataProblems(parsed, fileName, readFile, options.allowOutside === true);
  return options.full ? { problems: located, all: [...parsed.problems, ...placeDataProblems(parsed, located)] } : { problems: located };
}

function dataProblems(parsed: ParsedNet, fileName: string, readFile: ReadFile | undefined, allowOutside: boolean): LocatedProblem[] {
  const spec = parsed.spec;
  if (!spec?.data) return [];
  const paths = new Map<Problem, (string | number)[]>();
  const recording: ParsedNet = {
    ...parsed,
    problemAt: (at: JSONPath, ...rest) => {
      const p = parsed.problemAt(at, ...rest);
      paths.set(p, at.slice());
      return p;
    },
  };
  let found: Problem[];
  try {
    found = loadData(spec, recording, path.dirname(fileName), readFile, { allowOutside }).problems;
  } catch (err) {
    found = [recording.problemAt(['data'], 'error', 'data', `the data cannot be loaded: ${err instanceof Error ? err.message : String(err)}`)];
  }
  return found.map((p) => locate(p, paths.get(p) ?? pathAt(parsed, p)));
}

function locate(p: Problem, at: (string | number)[]): LocatedProblem {
  const out: LocatedProblem = { path: at, severity: p.severity, code: p.code, message: p.message };
  const f = p.fix;
  // Only a replacement inside the problem's own range can follow the text; others are dropped.
  if (f?.kind === 'replace' && f.offset >= p.offset && f.offset + f.length <= p.offset + p.length) {
    out.fix = { title: f.title, start: f.offset - p.offset, length: f.length, text: f.text };
  }
  return out;
}

/** The path of the deepest node that starts at the problem's offset with its length (fallback). */
function pathAt(parsed: ParsedNet, p: Problem): (string | number)[] {
  const root = parsed.root;
  if (!root) return [];
  const out: (string | number)[] = [];
  let node = root;
  for (;;) {
    if (node.offset === p.offset && node.length === p.length) return out;
    const children = node.children ?? [];
    const next = children.find((c) => c.offset <= p.offset && p.offset + p.length <= c.offset + c.length);
    if (!next) return out;
    if (node.type === 'object' && next.type === 'property') {
      const key = next.children?.[0];
      const value = next.children?.[1];
      if (!key || !value) return out;
      out.push(String(key.value));
      node = value;
    } else if (node.type === 'array') {
      out.push(children.indexOf(next));
      node = next;
    } else {
      return out;
    }
  }
}

/**
 * The problems of `located` in the document `parsed` is the parse of: each at the node its path
 * names now (or its nearest ancestor, as the engine does), with its quick fix moved along.
 */
export function placeDataProblems(parsed: ParsedNet, located: readonly LocatedProblem[]): Problem[] {
  return located.map((l) => {
    const p = parsed.problemAt(l.path, l.severity, l.code, l.message);
    const f = l.fix;
    if (f && f.start + f.length <= p.length) {
      p.fix = { kind: 'replace', title: f.title, offset: p.offset + f.start, length: f.length, text: f.text };
    }
    return p;
  });
}
