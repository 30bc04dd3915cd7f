/**
 * Hovers on weights, biases and layers of `.net.json` files (text from hoverText.ts). After a
 * run, the session's current value, gradient and last update of the parameter are added, asked
 * from the worker (never computed on the extension host).
 */
import * as jsonc from 'jsonc-parser';
import * as vscode from 'vscode';
import type { LayerView } from '../../shared/protocol';
import { isNetDocument } from '../config';
import type { SessionManager } from '../training/sessionManager';
import type { ParseCache } from './diagnostics';
import { hoverMarkdown, type HoverInput } from './hoverText';
import { locationAt } from './netLocation';

const SESSION_TIMEOUT_MS = 2000;

export class NetHovers implements vscode.HoverProvider {
  constructor(
    private readonly sessions: SessionManager,
    private readonly parses: ParseCache,
  ) {}

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | undefined> {
    if (!isNetDocument(doc)) return undefined;
    const root = this.parses.get(doc).root;
    const loc = locationAt(root, doc.offsetAt(pos));
    if (!root || !loc) return undefined;
    const layerNodes = jsonc.findNodeAtLocation(root, ['layers'])?.children ?? [];
    const units = layerNodes.map((n) => {
      const v = jsonc.findNodeAtLocation(n, ['units'])?.value;
      return typeof v === 'number' ? v : undefined;
    });
    const activations = layerNodes.map((n) => {
      const v = jsonc.findNodeAtLocation(n, ['activation'])?.value;
      return typeof v === 'string' ? v : undefined;
    });
    const input: HoverInput = { loc, units, activations };
    if (loc.kind !== 'layer') {
      const v = jsonc.findNodeAtOffset(root, loc.offset)?.value;
      if (typeof v === 'number') input.fileValue = v;
    }
    const session = this.sessions.peek(doc.uri);
    if (session?.hasTrained && loc.layer >= 1) {
      const view = await withTimeout(session.network().catch(() => undefined), SESSION_TIMEOUT_MS);
      const lv: LayerView | undefined = view?.layers[loc.layer - 1];
      const fits = lv !== undefined && lv.units === units[loc.layer] && lv.inputs === units[loc.layer - 1];
      input.session = {
        epoch: view?.epoch ?? session.epoch,
        layer: fits ? lv : undefined,
        stats: session.documentVersion === doc.version ? session.stats?.find((s) => s.layer === loc.layer) : undefined,
      };
    }
    const md = new vscode.MarkdownString(hoverMarkdown(input));
    const range = loc.kind === 'layer' ? doc.getWordRangeAtPosition(pos) : new vscode.Range(doc.positionAt(loc.offset), doc.positionAt(loc.offset + loc.length));
    return new vscode.Hover(md, range);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(undefined), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      () => {
        clearTimeout(t);
        resolve(undefined);
      },
    );
  });
}
