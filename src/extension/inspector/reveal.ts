/**
 * Where a parameter is written in a `.net.json` text: the number w^l_jk at
 * layers[l].weights[j][k], or b^l_j at layers[l].biases[j] (layers[0] is the input layer, so the
 * file's index is the 1-based layer l). When the file does not write that number (the layer's
 * weights come from the seed), the nearest enclosing value that exists is returned, marked not
 * exact, so the editor can at least show the layer. Pure: jsonc-parser on the text.
 */
import * as jsonc from 'jsonc-parser';
import type { RevealMessage } from '../../shared/protocol';

export interface Located {
  offset: number;
  length: number;
  /** True when the range is the number itself. */
  exact: boolean;
}

const OPTIONS: jsonc.ParseOptions = { allowTrailingComma: true, disallowComments: false };

export function parameterPath(m: Pick<RevealMessage, 'layer' | 'kind' | 'j' | 'k'>): jsonc.JSONPath {
  return m.kind === 'w' ? ['layers', m.layer, 'weights', m.j, m.k ?? 0] : ['layers', m.layer, 'biases', m.j];
}

export function locateParameter(text: string, m: Pick<RevealMessage, 'layer' | 'kind' | 'j' | 'k'>): Located | undefined {
  const root = jsonc.parseTree(text, [], OPTIONS);
  if (!root) return undefined;
  const path = parameterPath(m);
  for (let n = path.length; n >= 1; n--) {
    const node = jsonc.findNodeAtLocation(root, path.slice(0, n));
    if (node) return { offset: node.offset, length: node.length, exact: n === path.length && node.type === 'number' };
  }
  return undefined;
}
