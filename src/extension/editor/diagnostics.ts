/**
 * Problems of `.net.json` documents in the Problems panel, with exact ranges, updated as the user
 * types (debounced by `backprop.diagnostics.delayMs`) and cleared when the document closes.
 * Syntax and validation come from `parseNet` on the main thread (fast, pure). Data problems
 * (missing CSV file or column, non-numeric cells, ...) come from the data-check worker
 * (`dataChecker.ts`): the main thread never reads or parses a CSV file. Their results are cached
 * by what they depend on (`dataCache.ts`: data spec, CSV path, mtime, size) and placed at the
 * document's current ranges, so typing elsewhere in the file does not read the CSV again. A
 * result for a version the document has left is dropped. Also the parse cache the lenses and
 * hovers share.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { LineIndex, makeProblem, parseNet, type ParsedNet, type Problem } from '../../engine/format';
import { isNetDocument, settings } from '../config';
import { allowOutsideData, isTrusted } from '../trust';
import { placeDataProblems, type DataCheckResult, type LocatedProblem } from '../worker/dataCheck';
import { DataCache, dataKey } from './dataCache';
import type { DataChecker } from './dataChecker';

/**
 * Documents longer than this (UTF-16 code units) are parsed and validated in the data-check
 * worker, never on the extension host's main thread; lenses and hovers that need the tree are
 * not shown for them.
 */
export const MAIN_THREAD_PARSE_LIMIT = 256 * 1024;

/** True when a document is parsed in the worker only (see MAIN_THREAD_PARSE_LIMIT). */
export function isBig(doc: vscode.TextDocument): boolean {
  // offsetAt of the end is the length without building the text
  return doc.offsetAt(doc.lineAt(doc.lineCount - 1).range.end) > MAIN_THREAD_PARSE_LIMIT;
}

/** The stand-in parse of a big document on the main thread: no tree, no spec, no problems of its own. */
function deferredParse(text: string, fileName: string): ParsedNet {
  const lines = new LineIndex(text);
  return {
    problems: [],
    locate: () => undefined,
    fileName,
    text,
    lines,
    problemAt: (_path, severity, code, message, fix) => makeProblem(lines, severity, code, 0, 0, message, fix),
  };
}

/** parseNet of each open document's current version, computed once per version. */
export class ParseCache {
  private readonly cache = new Map<string, { version: number; parsed: ParsedNet }>();

  get(doc: vscode.TextDocument): ParsedNet {
    const key = doc.uri.toString();
    const hit = this.cache.get(key);
    if (hit && hit.version === doc.version) return hit.parsed;
    const parsed = isBig(doc) ? deferredParse(doc.getText(), doc.uri.fsPath) : parseNet(doc.getText(), doc.uri.fsPath);
    this.cache.set(key, { version: doc.version, parsed });
    return parsed;
  }

  forget(uri: vscode.Uri): void {
    this.cache.delete(uri.toString());
  }
}

const SEVERITY: Record<Problem['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
};

export class NetDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('backprop');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly results = new Map<string, { version: number; problems: Problem[] }>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  /** Fired after a document's diagnostics were updated. */
  readonly onDidUpdate = this.emitter.event;

  /** The newest validation of each document in progress: an older one's result is dropped. */
  private readonly latest = new Map<string, object>();
  private readonly cache = new DataCache<DataCheckResult>();
  private lastThreadId: number | undefined;

  constructor(
    private readonly parses: ParseCache,
    private readonly checker: DataChecker,
    private readonly log: (message: string) => void = () => undefined,
  ) {}

  /** Validates after the configured delay; a new call restarts the delay. */
  schedule(doc: vscode.TextDocument): void {
    if (!isNetDocument(doc)) return;
    const key = doc.uri.toString();
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.validate(doc);
      }, settings(doc.uri).diagnosticsDelayMs),
    );
  }

  /** Validates every open network document now (at activation; when the workspace becomes trusted). */
  validateOpen(): void {
    for (const doc of vscode.workspace.textDocuments) if (isNetDocument(doc)) void this.validate(doc);
  }

  /** Validates a document shown again after its diagnostics were cleared. */
  ensure(doc: vscode.TextDocument): void {
    if (isNetDocument(doc) && !this.problemsFor(doc) && !this.timers.has(doc.uri.toString())) this.schedule(doc);
  }

  /** The problems of the document's current version, when validated. */
  problemsFor(doc: vscode.TextDocument): Problem[] | undefined {
    const r = this.results.get(doc.uri.toString());
    return r && r.version === doc.version ? r.problems : undefined;
  }

  async validate(doc: vscode.TextDocument): Promise<Problem[]> {
    if (doc.isClosed) return [];
    const key = doc.uri.toString();
    const run = {};
    this.latest.set(key, run);
    const version = doc.version;
    const text = doc.getText();
    const parsed = this.parses.get(doc);
    let problems = parsed.problems;
    const current = (): boolean => this.latest.get(key) === run && !doc.isClosed && doc.version === version;
    if (isBig(doc)) {
      // Parsed, validated and (when trusted) data-checked in the worker: the main thread stays free.
      problems = await this.inWorker(doc, text);
      if (!current()) return problems;
    } else if (parsed.spec?.data && doc.uri.scheme === 'file' && isTrusted()) {
      const located = await this.dataProblems(doc, current, text, parsed);
      if (!current()) return problems;
      problems = [...problems, ...placeDataProblems(parsed, located)];
    }
    this.latest.delete(key);
    this.results.set(key, { version, problems });
    this.collection.set(doc.uri, problems.map((p) => toDiagnostic(doc, p)));
    this.emitter.fire(doc.uri);
    return problems;
  }

  /**
   * The data problems of `parsed` (the parse of `text`, the text of `doc` while `current()`), by
   * path: from the cache, or else from the data-check worker. Meanwhile the Problems panel shows
   * the syntax and validation problems of this version.
   */
  private async dataProblems(doc: vscode.TextDocument, current: () => boolean, text: string, parsed: ParsedNet): Promise<LocatedProblem[]> {
    const spec = parsed.spec;
    if (!spec) return [];
    const fileName = doc.uri.fsPath;
    const cacheKey = await dataKey(spec, path.dirname(fileName));
    const known = this.cache.peek(`${cacheKey}|${allowOutsideData(doc.uri)}`);
    if (known) return known.problems;
    if (current()) this.collection.set(doc.uri, parsed.problems.map((p) => toDiagnostic(doc, p)));
    try {
      const allowOutside = allowOutsideData(doc.uri);
      const result = await this.cache.get(`${cacheKey}|${allowOutside}`, () => this.checker.check(text, fileName, { allowOutside }));
      this.lastThreadId = result.threadId;
      return result.problems;
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      if (!doc.isClosed) this.log(`data check of ${fileName}: ${msg}`);
      return [{ path: ['data'], severity: 'error', code: 'data', message: `the data cannot be checked: ${msg}` }];
    }
  }

  /** Every problem of a big document, from the worker (one parse there, none here). */
  private async inWorker(doc: vscode.TextDocument, text: string): Promise<Problem[]> {
    const fileName = doc.uri.fsPath;
    try {
      const result = await this.checker.check(text, fileName, { full: true, data: isTrusted() && doc.uri.scheme === 'file', allowOutside: allowOutsideData(doc.uri) });
      this.lastThreadId = result.threadId;
      return result.all ?? [];
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      if (!doc.isClosed) this.log(`check of ${fileName}: ${msg}`);
      return [makeProblem(new LineIndex(''), 'error', 'check', 0, 0, `the file cannot be checked: ${msg}`)];
    }
  }

  /** How the data checks went so far: worker requests, cache hits, the thread of the last answer. */
  dataCheckStats(): { workerRequests: number; cacheHits: number; cacheMisses: number; lastThreadId: number | undefined } {
    return { workerRequests: this.checker.requests, cacheHits: this.cache.hits, cacheMisses: this.cache.misses, lastThreadId: this.lastThreadId };
  }

  clear(uri: vscode.Uri): void {
    const key = uri.toString();
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
    this.results.delete(key);
    this.latest.delete(key);
    this.collection.delete(uri);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.latest.clear();
    this.checker.dispose();
    this.collection.dispose();
    this.emitter.dispose();
  }
}

export function problemRange(doc: vscode.TextDocument, p: Pick<Problem, 'offset' | 'length'>): vscode.Range {
  return new vscode.Range(doc.positionAt(p.offset), doc.positionAt(p.offset + p.length));
}

function toDiagnostic(doc: vscode.TextDocument, p: Problem): vscode.Diagnostic {
  const d = new vscode.Diagnostic(problemRange(doc, p), p.message, SEVERITY[p.severity]);
  d.source = 'backprop';
  d.code = p.code;
  return d;
}
