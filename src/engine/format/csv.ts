/**
 * Reading a CSV table for `data: { "file": ... }`: a header row of column names, then one record
 * per line (quoted fields, CRLF and a BOM are handled by csv-parse). Cells are kept as strings
 * with the CSV line of their record so that a bad cell can be named precisely; `parseNumber`
 * is the strict number syntax used for numeric columns.
 */
import { parse } from 'csv-parse/sync';

export interface CsvTable {
  header: string[];
  rows: { line: number; cells: string[] }[];
}

/** Parses CSV text; throws an Error whose message says what is wrong and on which line. */
export function parseCsv(text: string): CsvTable {
  let records: { info: { lines: number }; record: string[] }[];
  try {
    records = parse(text, { bom: true, trim: true, skip_empty_lines: true, info: true }) as unknown as {
      info: { lines: number };
      record: string[];
    }[];
  } catch (err) {
    throw new Error(csvErrorMessage(err));
  }
  if (records.length === 0) throw new Error('it is empty; it needs a header row of column names');
  const [head, ...rest] = records;
  return { header: head.record, rows: rest.map((r) => ({ line: r.info.lines, cells: r.record })) };
}

function csvErrorMessage(err: unknown): string {
  const e = err as { code?: string; message?: string; lines?: number };
  const line = typeof e.lines === 'number' ? `line ${e.lines}: ` : '';
  switch (e.code) {
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
    case 'CSV_RECORD_DONT_MATCH_COLUMNS_LENGTH': {
      const m = /expect (\d+), got (\d+)/.exec(e.message ?? '');
      return m ? `${line}the record has ${m[2]} fields but the header has ${m[1]}` : `${line}${e.message ?? 'inconsistent number of fields'}`;
    }
    case 'CSV_QUOTE_NOT_CLOSED':
      return `${line}a quoted field is never closed`;
    default:
      return `${line}${e.message ?? String(err)}`;
  }
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A finite number written in decimal (as in JSON, also allowing `+`, `.5` and `5.`), else undefined. */
export function parseNumber(cell: string): number | undefined {
  if (!NUMBER.test(cell)) return undefined;
  const v = Number(cell);
  return Number.isFinite(v) ? v : undefined;
}

/** The distinct values of a class column in class order: numeric order when all are numbers, else code-unit order. */
export function classOrder(values: readonly string[]): { names: string[]; index: Map<string, number> } {
  const numeric = values.every((v) => parseNumber(v) !== undefined);
  const index = new Map<string, number>();
  if (numeric) {
    const distinct = [...new Set(values.map((v) => parseNumber(v) as number))].sort((a, b) => a - b);
    const byValue = new Map(distinct.map((v, i) => [v, i] as const));
    for (const v of values) index.set(v, byValue.get(parseNumber(v) as number) as number);
    return { names: distinct.map((v) => String(v)), index };
  }
  const names = [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  names.forEach((n, i) => index.set(n, i));
  return { names, index };
}
