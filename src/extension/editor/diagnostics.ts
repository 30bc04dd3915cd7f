/**
 * Problems of `.net.json` documents in the Problems panel, with exact ranges: syntax and
 * validation from `parseNet`, and data problems (missing CSV file or column, ...) from
 * `loadData`, updated as the user types (debounced by `backprop.diagnostics.delayMs`) and
 * cleared when the document closes. CSV files are read asynchronously before validation so the
 * extension host never waits on the disk. Also the parse cache the lenses and hovers share.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { loadData, parseNet, type ParsedNet, type Problem } from '../../engine/format';
import type { DataSpec } from '../../engine';
import { isNetDocument, settings } from '../config';

/** parseNet of each open document's current version, computed once per version. */
export class ParseCache {
  private readonly cache = new Map<string, { version: number; parsed: ParsedNet }>();

  get(doc: vscode.TextDocument): ParsedNet {
    const key = doc.uri.toString();
    const hit = this.cache.get(key);
    if (hit && hit.version === doc.version) return hit.parsed;
    const parsed = parseNet(doc.getText(), doc.uri.fsPath);
    this.cache.set(key, { version: doc.version, parsed });
    return parsed;
  }

  forget(uri: vscode.Uri): void {
    this.cache.delete(uri.toString());
  }
}

function csvFiles(d: DataSpec | undefined): string[] {
  return d?.kind === 'csv' ? [d.file] : [];
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

  constructor(private readonly parses: ParseCache) {}

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
    const version = doc.version;
    const parsed = this.parses.get(doc);
    let problems = parsed.problems;
    if (parsed.spec && doc.uri.scheme === 'file') {
      const spec = parsed.spec;
      const base = path.dirname(doc.uri.fsPath);
      const files = [...csvFiles(spec.data), ...(spec.validation?.kind === 'data' ? csvFiles(spec.validation.data) : [])];
      const texts = new Map<string, string | Error>();
      await Promise.all(
        files.map(async (f) => {
          const abs = path.resolve(base, f);
          try {
            texts.set(abs, await fs.promises.readFile(abs, 'utf8'));
          } catch (err) {
            texts.set(abs, err instanceof Error ? err : new Error(String(err)));
          }
        }),
      );
      if (doc.version !== version || doc.isClosed) return problems;
      try {
        const data = loadData(spec, parsed, base, (abs) => {
          const t = texts.get(abs);
          if (t === undefined) throw Object.assign(new Error('not found'), { code: 'ENOENT' });
          if (t instanceof Error) throw t;
          return t;
        });
        problems = [...problems, ...data.problems];
      } catch (err) {
        problems = [...problems, parsed.problemAt(['data'], 'error', 'data', `the data cannot be loaded: ${err instanceof Error ? err.message : String(err)}`)];
      }
    }
    this.results.set(doc.uri.toString(), { version, problems });
    this.collection.set(doc.uri, problems.map((p) => toDiagnostic(doc, p)));
    this.emitter.fire(doc.uri);
    return problems;
  }

  clear(uri: vscode.Uri): void {
    const key = uri.toString();
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
    this.results.delete(key);
    this.collection.delete(uri);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
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
