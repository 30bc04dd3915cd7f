/**
 * Where things are in the text of a `.net.json` file, for hovers, lenses and "reveal": which
 * weight, bias or layer an offset falls on, and the source range of each layer and parameter.
 * Pure (jsonc-parser on a string); no `vscode`.
 *
 * Layer numbers are the file's `layers` indices: 0 is the input layer, 1..L the others. Unit
 * indices `j`, `k` are 0-based array indices; the engine's `parameterName` gives the 1-based name users read.
 */
import * as jsonc from 'jsonc-parser';
import { LineIndex, limitProblem } from '../../engine/format';

export interface Range0 {
  offset: number;
  length: number;
}

export type NetLocation =
  | ({ kind: 'weight'; layer: number; j: number; k: number } & Range0)
  | ({ kind: 'bias'; layer: number; j: number } & Range0)
  | ({ kind: 'layer'; layer: number } & Range0);

const PARSE_OPTIONS: jsonc.ParseOptions = { allowTrailingComma: true, disallowComments: false };

/** The tree of a text within the format's limits (none beyond them: no recursion that can overflow). */
export function parseTree(text: string): jsonc.Node | undefined {
  if (limitProblem(text, new LineIndex(text))) return undefined;
  return jsonc.parseTree(text, [], PARSE_OPTIONS);
}

/**
 * The weight, bias or layer at `offset`: a number inside `layers[l].weights[j][k]` or
 * `layers[l].biases[j]` is that parameter; anywhere else inside `layers[l]` (its keys, its
 * brackets, a whole row) is the layer.
 */
export function locationAt(root: jsonc.Node | undefined, offset: number): NetLocation | undefined {
  if (!root) return undefined;
  const node = jsonc.findNodeAtOffset(root, offset, true);
  if (!node) return undefined;
  const path = jsonc.getNodePath(node);
  if (path[0] !== 'layers' || typeof path[1] !== 'number') return undefined;
  const layer = path[1];
  if (node.type === 'number') {
    if (path[2] === 'weights' && typeof path[3] === 'number' && typeof path[4] === 'number' && path.length === 5) {
      return { kind: 'weight', layer, j: path[3], k: path[4], offset: node.offset, length: node.length };
    }
    if (path[2] === 'biases' && typeof path[3] === 'number' && path.length === 4) {
      return { kind: 'bias', layer, j: path[3], offset: node.offset, length: node.length };
    }
  }
  const layerNode = jsonc.findNodeAtLocation(root, ['layers', layer]);
  if (!layerNode) return undefined;
  return { kind: 'layer', layer, offset: layerNode.offset, length: layerNode.length };
}

/** The source range of every element of `layers`, in order (empty when there is no such array). */
export function layerRanges(root: jsonc.Node | undefined): Range0[] {
  if (!root) return [];
  const layers = jsonc.findNodeAtLocation(root, ['layers']);
  if (!layers || layers.type !== 'array') return [];
  return (layers.children ?? []).map((n) => ({ offset: n.offset, length: n.length }));
}

/** The source range of a weight (`k` given) or bias (`k` undefined) of layer `layer`, if the file has it. */
export function parameterRange(root: jsonc.Node | undefined, layer: number, j: number, k?: number): Range0 | undefined {
  if (!root) return undefined;
  const path: jsonc.JSONPath = k === undefined ? ['layers', layer, 'biases', j] : ['layers', layer, 'weights', j, k];
  const node = jsonc.findNodeAtLocation(root, path);
  return node ? { offset: node.offset, length: node.length } : undefined;
}

