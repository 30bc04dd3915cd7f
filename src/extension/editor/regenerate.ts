/**
 * The "regenerate weights" repair: fresh weights and biases for one layer, drawn from the file's
 * seed and initialisation exactly as the engine would draw them for a layer without weights,
 * written into that layer in place of the wrong ones. Pure (text in, one edit out), no `vscode`.
 */
import * as jsonc from 'jsonc-parser';
import { Network } from '../../engine';
import { JSONC_OPTIONS, parseNet, writeWeights, type TextEdit } from '../../engine/format';
import { removeLayerWeights } from '../../engine/format/writeback';

/**
 * One edit that replaces layer `layer` (index in the file's `layers`, >= 1) with the same object
 * holding freshly drawn `weights` and `biases`. Throws with a sentence when the file has other
 * errors that keep it from being read.
 */
export function regenerateLayer(text: string, fileName: string, layer: number): TextEdit {
  // 1. The text without this layer's weights and biases.
  const stripped = removeLayerWeights(text, layer).text;
  // 2. The network that text describes: this layer initialised from the seed.
  const parsed = parseNet(stripped, fileName);
  if (!parsed.spec) {
    const first = parsed.problems.find((p) => p.severity === 'error');
    throw new Error(`fix the other problems first${first ? ` (line ${first.line}: ${first.message})` : ''}`);
  }
  if (layer < 1 || layer > parsed.spec.layers.length) throw new Error(`there is no layer ${layer}`);
  const net = Network.fromSpec(parsed.spec);
  // 3. Written with the format's writer; only the edits inside this layer are kept.
  const strippedRoot = jsonc.parseTree(stripped, [], JSONC_OPTIONS) as jsonc.Node;
  const target = jsonc.findNodeAtLocation(strippedRoot, ['layers', layer]) as jsonc.Node;
  const written = writeWeights(stripped, net.weights());
  const inside = written.edits.filter((e) => e.offset >= target.offset && e.offset + e.length <= target.offset + target.length);
  const layerText = jsonc.applyEdits(stripped.slice(target.offset, target.offset + target.length), inside.map((e) => ({ ...e, offset: e.offset - target.offset })));
  // 4. One edit of the original text: the layer object, replaced.
  const original = jsonc.findNodeAtLocation(jsonc.parseTree(text, [], JSONC_OPTIONS) as jsonc.Node, ['layers', layer]);
  if (!original) throw new Error(`there is no layer ${layer}`);
  return { offset: original.offset, length: original.length, content: layerText };
}
