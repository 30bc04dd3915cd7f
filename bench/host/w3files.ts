/**
 * The W3 workload of issue 5 as files a user could have: a seeded CSV of 3072 random 784-pixel
 * samples (columns p0..p783 in [0, 1] with 3 decimals, and a `label` column of 10 classes 0..9)
 * and a `.net.json` (784-128-64-10, ReLU hidden, softmax + cross-entropy, plain SGD, batch 64)
 * that reads it. Used by the responsiveness benchmark in the real extension host; no `vscode`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Rng } from '../../src/engine/rng';

// 3072 samples (a 14.5 MB CSV): the format reads data files of at most 16 MiB (issue 10), and 4096 made 19 MB
export const W3 = { samples: 3072, pixels: 784, hidden: [128, 64], classes: 10, batch: 64 } as const;

/** The CSV text: header, then one row per sample, from the seeded stream 'bench-host-w3'. */
export function w3Csv(seed = 5): string {
  const rng = new Rng(seed, 'bench-host-w3');
  const header = [...Array.from({ length: W3.pixels }, (_, i) => `p${i}`), 'label'].join(',');
  const rows: string[] = [header];
  const cells: string[] = new Array<string>(W3.pixels + 1);
  for (let s = 0; s < W3.samples; s++) {
    for (let i = 0; i < W3.pixels; i++) cells[i] = rng.next().toFixed(3);
    cells[W3.pixels] = String(rng.int(W3.classes));
    rows.push(cells.join(','));
  }
  return rows.join('\n') + '\n';
}

export interface W3NetOptions {
  csvName: string;
  epochs: number;
  precision?: 'float64' | 'float32';
  seed?: number;
}

/** The network file's text (JSON), reading `csvName` next to it. */
export function w3Net(o: W3NetOptions): string {
  const training: Record<string, unknown> = { optimizer: 'sgd', learningRate: 0.01, epochs: o.epochs, batchSize: W3.batch };
  if (o.precision && o.precision !== 'float64') training.precision = o.precision;
  const net = {
    name: `W3 (784-128-64-10, ${W3.samples} random samples)`,
    seed: o.seed ?? 5,
    layers: [
      { units: W3.pixels },
      { units: W3.hidden[0], activation: 'relu' },
      { units: W3.hidden[1], activation: 'relu' },
      { units: W3.classes, activation: 'softmax' },
    ],
    loss: 'cross-entropy',
    training,
    data: { file: o.csvName, inputs: Array.from({ length: W3.pixels }, (_, i) => `p${i}`), label: 'label' },
  };
  return JSON.stringify(net, null, 2) + '\n';
}

/** Writes both files into `dir`; returns the network file's path and the CSV's size in bytes. */
export async function writeW3(dir: string, o: Omit<W3NetOptions, 'csvName'>): Promise<{ netFile: string; csvBytes: number }> {
  const csvName = 'w3.csv';
  const csv = w3Csv(o.seed);
  await fs.promises.writeFile(path.join(dir, csvName), csv);
  const netFile = path.join(dir, 'w3.net.json');
  await fs.promises.writeFile(netFile, w3Net({ ...o, csvName }));
  return { netFile, csvBytes: Buffer.byteLength(csv) };
}
