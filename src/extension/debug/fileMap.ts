/**
 * Lines of a `.net.json` for the debugger: the line of each layer (where its frames point and
 * its breakpoints go), of "loss" and of "training". Pure (jsonc-parser on the text); 1-based lines.
 */
import * as jsonc from 'jsonc-parser';
import { LineIndex } from '../../engine/format';
import { layerRanges, parseTree } from '../editor/netLocation';

export class NetFileMap {
  /** [first line, last line] of layers[l], l = 0..L. */
  readonly layers: { first: number; last: number }[];
  readonly lossLine: number | undefined;
  readonly trainingLine: number | undefined;

  constructor(readonly text: string) {
    const root = parseTree(text);
    const lines = new LineIndex(text);
    this.layers = layerRanges(root).map((r) => ({ first: lines.positionAt(r.offset).line, last: lines.positionAt(r.offset + r.length).line }));
    const lineOf = (key: string): number | undefined => {
      const n = root ? jsonc.findNodeAtLocation(root, [key]) : undefined;
      return n?.parent ? lines.positionAt(n.parent.offset).line : undefined;
    };
    this.lossLine = lineOf('loss');
    this.trainingLine = lineOf('training');
  }

  /** The line of layer l's first character (1 when the file has no such layer). */
  lineOfLayer(l: number): number {
    return this.layers[l]?.first ?? 1;
  }

  /** The layer whose text spans `line` (several layers on one line: the first), or undefined. */
  layerAt(line: number): number | undefined {
    const i = this.layers.findIndex((r) => line >= r.first && line <= r.last);
    return i < 0 ? undefined : i;
  }

  anchorLine(anchor: 'layer' | 'loss' | 'training', layer: number): number {
    if (anchor === 'layer') return this.lineOfLayer(layer);
    if (anchor === 'loss') return this.lossLine ?? this.lineOfLayer(this.layers.length - 1);
    return this.trainingLine ?? 1;
  }
}
