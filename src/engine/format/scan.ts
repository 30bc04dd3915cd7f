/**
 * A first, flat pass over a `.net.json` text with jsonc-parser's scanner (a loop, no recursion),
 * before any tree is built: it enforces the size, value-count and nesting limits, so that neither
 * jsonc-parser's recursive parser nor the validators ever see a text that could overflow the
 * stack or take gigabytes. Linear in the length of the text.
 */
import * as jsonc from 'jsonc-parser';
import { LIMITS } from './defaults';
import { LineIndex, Problem, makeProblem } from './problems';

// jsonc-parser's SyntaxKind values (a const enum in its typings).
const OPEN_BRACE = 1;
const OPEN_BRACKET = 3;
const CLOSE_BRACE = 2;
const CLOSE_BRACKET = 4;
const VALUE_KINDS = new Set([7 /* null */, 8 /* true */, 9 /* false */, 10 /* string */, 11 /* number */]);
const EOF = 17;

export interface ScanLimits {
  maxFileBytes: number;
  maxValues: number;
  maxDepth: number;
}

/** The one problem that stops a text from being parsed at all, or undefined when it is within the limits. */
export function limitProblem(text: string, lines: LineIndex, limits: ScanLimits = LIMITS): Problem | undefined {
  if (text.length > limits.maxFileBytes) {
    return makeProblem(lines, 'error', 'too-large', 0, 0, `the file has ${text.length} characters; the limit is ${limits.maxFileBytes} (${mib(limits.maxFileBytes)}) per .net.json file`);
  }
  const scanner = jsonc.createScanner(text, true);
  let depth = 0;
  let values = 0;
  for (let kind: number = scanner.scan(); kind !== EOF; kind = scanner.scan()) {
    if (kind === OPEN_BRACE || kind === OPEN_BRACKET) {
      values++;
      if (++depth > limits.maxDepth) {
        return makeProblem(
          lines,
          'error',
          'too-deep',
          scanner.getTokenOffset(),
          1,
          `nested deeper than ${limits.maxDepth} levels: arrays and objects in a .net.json file nest at most ${limits.maxDepth} deep`,
        );
      }
    } else if (kind === CLOSE_BRACE || kind === CLOSE_BRACKET) {
      if (depth > 0) depth--;
    } else if (VALUE_KINDS.has(kind)) {
      values++;
    } else continue;
    if (values > limits.maxValues) {
      return makeProblem(
        lines,
        'error',
        'too-many-values',
        scanner.getTokenOffset(),
        scanner.getTokenLength(),
        `the file holds more than ${limits.maxValues} JSON values (numbers, strings, keys, arrays, objects); the limit is ${limits.maxValues} per .net.json file`,
      );
    }
  }
  return undefined;
}

/** `16 MiB` for a byte count that is a whole number of MiB, else the bytes. */
export function mib(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}
