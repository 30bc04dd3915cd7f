/**
 * Export a loaded network to PyTorch (a script), ONNX or a Jupyter notebook, and import ONNX back
 * (docs/export.md). Pure: returns the files to write; the CLI (src/cli/export.ts) and the extension
 * (src/extension/export.ts) write them atomically.
 */
import * as path from 'node:path';
import { splitDataset } from '../format';
import { initialParameters } from '../init';
import { networkFor, type LoadedNet } from '../load';
import { Rng } from '../rng';
import type { Dataset } from '../spec';
import { toNotebook } from './notebook';
import { checkOnnxDtype, onnxNames, toOnnx, UnsupportedExport, type OnnxDtype } from './onnx';
import { type PythonData, type PythonExportInput } from './python';
import { toPytorchScript } from './pytorch';

export { importOnnx, ImportError, MAX_ONNX_BYTES, type ImportedNet } from './import';
export { UnsupportedExport, NO_FLOAT64, ONNX_OPSET, type OnnxDtype } from './onnx';

export const EXPORT_TARGETS = ['pytorch', 'onnx', 'ipynb'] as const;
export type ExportTarget = (typeof EXPORT_TARGETS)[number];

/** The file name extension of each target. */
export const EXPORT_EXTENSIONS: Readonly<Record<ExportTarget, string>> = { pytorch: '.py', onnx: '.onnx', ipynb: '.ipynb' };

/** Numbers of training data the script or notebook embeds at most (inputs + targets); beyond: --data-csv. */
export const MAX_EMBEDDED_NUMBERS = 2_000_000;

/** Weights and biases a script or notebook embeds at most (each with its gradient, for the self-check). */
export const MAX_EMBEDDED_PARAMETERS = 1_000_000;

export interface ExportOptions {
  to: ExportTarget;
  /** Absolute path of the main output file. */
  out: string;
  /** ONNX element type (default float32). */
  dtype?: OnnxDtype;
  /** Script/notebook: write the training data to `<out>.data.csv` beside the output instead of embedding it. */
  dataCsv?: boolean;
}

export interface ExportFile {
  path: string;
  content: string | Uint8Array;
}

/** A network that cannot be exported at all (no data to train on, ...). */
export class ExportError extends Error {}

/** The default output path: the network file's path with `.net.json` replaced by the target's extension. */
export function defaultExportPath(netPath: string, to: ExportTarget): string {
  const base = netPath.replace(/\.net\.json$/i, '').replace(/\.json$/i, '');
  return base + EXPORT_EXTENSIONS[to];
}

/**
 * The files of an export of `loaded` (the file at `netPath`, already validated, data loaded with the
 * validation hold-out). Throws UnsupportedExport when the result would not be the same model or
 * data (with the alternative), ExportError when it cannot be exported.
 */
export function exportNetwork(loaded: LoadedNet, netPath: string, options: ExportOptions): ExportFile[] {
  const { spec } = loaded;
  const params = initialParameters(spec);
  const sourceName = path.basename(netPath);
  if (options.to === 'onnx') {
    const dtype = options.dtype ?? 'float32';
    checkOnnxDtype(spec, dtype);
    const names = onnxNames(spec, loaded.train?.classNames);
    const doc = `${spec.name ?? sourceName}, exported by Backprop Studio from ${sourceName} (${dtype}, opset 13); loss ${spec.loss}`;
    return [{ path: options.out, content: toOnnx(spec, params, { dtype, names, docString: doc }) }];
  }
  const train = loaded.train;
  if (train === undefined || train.inputs.length === 0) {
    throw new ExportError('the file has no "data": a PyTorch script or notebook trains on the same data, so add inline inputs and targets, a CSV file or a generator first');
  }
  const parameters = params.reduce((n, p) => n + p.W.length + p.b.length, 0);
  if (parameters > MAX_EMBEDDED_PARAMETERS) {
    throw new ExportError(`the network has ${parameters} weights and biases; a script or notebook embeds them and their gradients for the self-check, at most ${MAX_EMBEDDED_PARAMETERS} (export ONNX for the weights alone)`);
  }
  const files: ExportFile[] = [];
  const data = pythonData(loaded, train, netPath, options, files);
  const net = networkFor(spec, 'exact');
  const loss = net.lossAndGradient(train.inputs, train.targets, spec.training.l2);
  const grads = net.layers.map((l) => ({ W: l.dW.slice(), b: l.db.slice() }));
  if (!Number.isFinite(loss) || grads.some((g) => [...g.W, ...g.b].some((v) => !Number.isFinite(v)))) {
    throw new ExportError(`the loss or a gradient at the starting weights is not finite (loss ${loss}), so there is nothing for the self-check to compare with; change the weights or the data first`);
  }
  const input: PythonExportInput = { spec, sourceName, params, expected: { loss, grads }, samples: train.inputs.length, data };
  const content = options.to === 'pytorch' ? toPytorchScript(input) : toNotebook(input);
  return [{ path: options.out, content }, ...files];
}

function pythonData(loaded: LoadedNet, train: Dataset, netPath: string, options: ExportOptions, files: ExportFile[]): PythonData {
  const { spec } = loaded;
  const d = spec.data;
  if (options.dataCsv === true) {
    const csvPath = `${options.out}.data.csv`;
    const n = spec.inputs;
    const K = spec.layers[spec.layers.length - 1].units;
    const inputs = Array.from({ length: n }, (_, i) => `x${i + 1}`);
    const targets = Array.from({ length: K }, (_, k) => `t${k + 1}`);
    const lines = [[...inputs, ...targets].join(',')];
    for (let r = 0; r < train.inputs.length; r++) lines.push([...Array.from(train.inputs[r], String), ...Array.from(train.targets[r], String)].join(','));
    files.push({ path: csvPath, content: `${lines.join('\n')}\n` });
    return { kind: 'csv', path: path.basename(csvPath), inputs, targets };
  }
  if (d?.kind === 'csv') {
    const csvAbs = path.resolve(path.dirname(netPath), d.file);
    const rel = path.relative(path.dirname(options.out), csvAbs);
    let rows: number[] | undefined;
    const v = spec.validation;
    if (v?.kind === 'fraction') {
      // the engine's own split, applied to the row numbers
      const total = train.inputs.length + (loaded.validation?.inputs.length ?? 0);
      const ids = Array.from({ length: total }, (_, i) => Float64Array.of(i));
      rows = splitDataset({ inputs: ids, targets: ids }, v.fraction, new Rng(spec.seed, 'validation')).train.inputs.map((x) => x[0]);
    }
    return { kind: 'csv', path: rel.split(path.sep).join('/'), inputs: d.inputs, targets: d.targets, label: d.label, classNames: train.classNames, rows };
  }
  const count = train.inputs.length * (spec.inputs + spec.layers[spec.layers.length - 1].units);
  if (count > MAX_EMBEDDED_NUMBERS) {
    throw new UnsupportedExport(
      `the training data has ${count} numbers; a script or notebook embeds at most ${MAX_EMBEDDED_NUMBERS}`,
      'write the data to a CSV file beside it',
      '--data-csv',
    );
  }
  return { kind: 'embed', inputs: train.inputs, targets: train.targets };
}
