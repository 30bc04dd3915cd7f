/**
 * JSONC syntax errors, turned into readable problems at their exact place.
 *
 * jsonc-parser reports error codes; this module walks the text with its visitor so it knows which
 * object or array was open at each error, and words the message for a person ("expected a comma
 * or '}'", "unexpected end of file — the JSON is truncated", "`NaN` is not a JSON number").
 * Cascades are trimmed: after the first error on a line, later errors on the same line are the
 * parser recovering and are dropped; after an unterminated string or comment nothing else is said.
 */
import * as jsonc from 'jsonc-parser';
import { LineIndex, Problem, makeProblem } from './problems';

/**
 * The text with a leading byte-order mark replaced by a space: same length, so every offset
 * still points into the original text, but jsonc-parser (which does not skip a BOM) can read it.
 */
export function maskBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text;
}

/** The parse options used for every `.net.json` read: comments and trailing commas allowed. */
export const JSONC_OPTIONS: jsonc.ParseOptions = { allowTrailingComma: true, disallowComments: false };

// jsonc-parser's ParseErrorCode values (a const enum in its typings; spelled out so bundlers
// that cannot inline const enums from declaration files still see plain numbers).
const E = {
  InvalidSymbol: 1,
  InvalidNumberFormat: 2,
  PropertyNameExpected: 3,
  ValueExpected: 4,
  ColonExpected: 5,
  CommaExpected: 6,
  CloseBraceExpected: 7,
  CloseBracketExpected: 8,
  EndOfFileExpected: 9,
  InvalidCommentToken: 10,
  UnexpectedEndOfComment: 11,
  UnexpectedEndOfString: 12,
  UnexpectedEndOfNumber: 13,
  InvalidUnicode: 14,
  InvalidEscapeCharacter: 15,
  InvalidCharacter: 16,
} as const;

interface Container {
  kind: 'object' | 'array';
  offset: number;
}

interface RawError {
  code: number;
  offset: number;
  length: number;
  /** The innermost open container at the error. */
  open?: Container;
  /** The container that the parser had just ended (for CloseBrace/BracketExpected). */
  closed?: Container;
}

const NON_FINITE = /^[+-]?(NaN|Infinity|inf)\b/i;

/** Syntax problems of `text`, in order; an empty list when it is well-formed JSONC. */
export function syntaxProblems(original: string, lines: LineIndex): Problem[] {
  const text = maskBom(original);
  const raw: RawError[] = [];
  const stack: Container[] = [];
  let closed: Container | undefined;
  jsonc.visit(
    text,
    {
      onObjectBegin: (offset) => {
        stack.push({ kind: 'object', offset });
      },
      onArrayBegin: (offset) => {
        stack.push({ kind: 'array', offset });
      },
      onObjectEnd: () => {
        closed = stack.pop();
      },
      onArrayEnd: () => {
        closed = stack.pop();
      },
      onError: (code, offset, length) => {
        raw.push({ code, offset, length, open: stack[stack.length - 1], closed });
      },
    },
    JSONC_OPTIONS,
  );

  const problems: Problem[] = [];
  const reportedLines = new Set<number>();
  let skipUntil = -1;
  for (let i = 0; i < raw.length; i++) {
    const e = raw[i];
    if (e.offset < skipUntil) continue;
    const line = lines.positionAt(e.offset).line;
    if (reportedLines.has(line)) continue;
    let { offset, length } = e;
    // `-Infinity` arrives as two symbols; join adjacent invalid symbols into one token.
    while (
      e.code === E.InvalidSymbol &&
      i + 1 < raw.length &&
      raw[i + 1].code === E.InvalidSymbol &&
      raw[i + 1].offset === offset + length
    ) {
      length = raw[i + 1].offset + raw[i + 1].length - offset;
      i++;
    }
    const token = text.slice(offset, offset + length);
    const { code, message } = describe(e, token, text, lines);
    problems.push(makeProblem(lines, 'error', code, offset, length, message));
    reportedLines.add(line);
    skipUntil = offset + length;
    // A symbol that was not a value is followed by "value expected" (or "property name expected")
    // at the next token: that is the same mistake, so it is not repeated.
    const next = raw[i + 1];
    if (e.code === E.InvalidSymbol && next && (next.code === E.ValueExpected || next.code === E.PropertyNameExpected)) i++;
    if (e.code === E.UnexpectedEndOfString || e.code === E.UnexpectedEndOfComment || atEnd(text, offset)) break;
    if (problems.length >= 20) break;
  }
  return problems;
}

function describe(e: RawError, token: string, text: string, lines: LineIndex): { code: string; message: string } {
  const found = atEnd(text, e.offset) ? 'the end of the file' : `'${shorten(token)}'`;
  const where = (c: Container | undefined): string => {
    if (!c) return '';
    const p = lines.positionAt(c.offset);
    return ` the ${c.kind} opened at line ${p.line}, column ${p.column}`;
  };
  if (atEnd(text, e.offset) && e.code !== E.EndOfFileExpected) {
    if (text.trim() === '') return { code: 'empty-file', message: 'the file is empty; a .net.json file holds one JSON object' };
    if (jsonc.stripComments(text).trim() === '') return { code: 'empty-file', message: 'the file holds only comments; a .net.json file holds one JSON object' };
    const c = e.code === E.CloseBraceExpected || e.code === E.CloseBracketExpected ? e.closed : e.open;
    const unclosed = c ? `:${where(c)} is not closed` : '';
    return { code: 'truncated', message: `unexpected end of file — the JSON is truncated${unclosed}` };
  }
  switch (e.code) {
    case E.InvalidSymbol: {
      const m = NON_FINITE.exec(token);
      if (m) {
        return {
          code: 'non-finite',
          message: `\`${token}\` is not a number JSON can hold: every number in a .net.json file must be finite`,
        };
      }
      if (/^'/.test(token)) return { code: 'syntax', message: `strings and property names need double quotes, not single quotes: ${shorten(token)}` };
      if (/^[A-Za-z_$][\w$-]*$/.test(token) && e.open?.kind === 'object') {
        return { code: 'syntax', message: `property names need double quotes: write "${token}"` };
      }
      return { code: 'syntax', message: `unexpected ${found}; expected a JSON value` };
    }
    case E.InvalidNumberFormat:
      return { code: 'syntax', message: `${found} is not a valid JSON number` };
    case E.PropertyNameExpected:
      return { code: 'syntax', message: `expected a property name in double quotes but found ${found}` };
    case E.ValueExpected:
      return { code: 'syntax', message: `expected a value but found ${found}` };
    case E.ColonExpected:
      return { code: 'syntax', message: `expected ':' after the property name but found ${found}` };
    case E.CommaExpected: {
      const close = e.open?.kind === 'array' ? ']' : '}';
      return { code: 'syntax', message: `expected a comma or '${close}' but found ${found}` };
    }
    case E.CloseBraceExpected:
      return { code: 'syntax', message: `expected '}' to close${where(e.closed)} but found ${found}` };
    case E.CloseBracketExpected:
      return { code: 'syntax', message: `expected ']' to close${where(e.closed)} but found ${found}` };
    case E.EndOfFileExpected:
      return { code: 'syntax', message: `unexpected ${found} after the end of the JSON object; a .net.json file holds exactly one object` };
    case E.InvalidCommentToken:
      return { code: 'syntax', message: `invalid comment ${found}` };
    case E.UnexpectedEndOfComment:
      return { code: 'syntax', message: 'this block comment is never closed with */' };
    case E.UnexpectedEndOfString:
      return { code: 'syntax', message: 'this string is never closed: a closing " is missing before the end of the line' };
    case E.UnexpectedEndOfNumber:
      return { code: 'syntax', message: `${found} is an incomplete number: digits are missing` };
    case E.InvalidUnicode:
      return { code: 'syntax', message: `invalid \\u escape in ${found}: it needs four hexadecimal digits` };
    case E.InvalidEscapeCharacter:
      return { code: 'syntax', message: `invalid escape sequence in ${found}; JSON allows \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX` };
    case E.InvalidCharacter:
      return { code: 'syntax', message: `invalid character in the string ${found}; control characters must be escaped` };
    default:
      return { code: 'syntax', message: `syntax error at ${found}` };
  }
}

/** True when nothing but whitespace and comments follows `offset`. */
function atEnd(text: string, offset: number): boolean {
  if (offset >= text.length) return true;
  const scanner = jsonc.createScanner(text, true);
  scanner.setPosition(offset);
  return scanner.scan() === 17 /* SyntaxKind.EOF */;
}

function shorten(token: string): string {
  const oneLine = token.replace(/\s+/g, ' ');
  return oneLine.length > 40 ? `${oneLine.slice(0, 37)}...` : oneLine;
}
