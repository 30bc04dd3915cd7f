/**
 * Shared helpers of the format tests: fixture paths, and the expected position of a problem,
 * read from a `/*@*\/` marker comment placed in the fixture just before the offending text.
 * Line and column are counted here by a deliberately naive character walk, independent of the
 * line table in src/engine/format/problems.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository root: the nearest folder above this file that has package.json. */
function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + __dirname);
    dir = up;
  }
  return dir;
}

export const ROOT = repoRoot();
export const FIXTURES = path.join(ROOT, 'test', 'fixtures');

export function fixture(...parts: string[]): string {
  return path.join(FIXTURES, ...parts);
}

export function readFixture(...parts: string[]): string {
  return fs.readFileSync(fixture(...parts), 'utf8');
}

export const MARKER = '/*@*/';

/** Offset just after the (single) marker, and its 1-based line and column. */
export function markedSpot(text: string): { offset: number; line: number; column: number } {
  const at = text.indexOf(MARKER);
  if (at < 0 || text.indexOf(MARKER, at + 1) >= 0) throw new Error('the fixture must hold exactly one marker');
  const offset = at + MARKER.length;
  let line = 1;
  let column = 1;
  for (let i = 0; i < offset; i++) {
    const ch = text[i];
    if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) {
      line++;
      column = 1;
    } else if (ch === '\r') {
      // the \r of a \r\n: the \n that follows ends the line
    } else {
      column++;
    }
  }
  return { offset, line, column };
}
