/**
 * A loss history as CSV: one row per epoch point, the columns the run has (epoch and loss always;
 * accuracy, valLoss and valAccuracy when any point has them), numbers in full precision (the
 * shortest text that reads back as the same float64), an empty cell where a point has no value.
 */
import type { EpochPoint } from '../history';

const COLUMNS = ['epoch', 'loss', 'accuracy', 'valLoss', 'valAccuracy'] as const;

export function historyCsv(points: readonly EpochPoint[]): string {
  const cols = COLUMNS.filter((c) => c === 'epoch' || c === 'loss' || points.some((p) => p[c] !== undefined));
  const lines = [cols.join(',')];
  for (const p of points) lines.push(cols.map((c) => (p[c] === undefined ? '' : String(p[c]))).join(','));
  return `${lines.join('\n')}\n`;
}
