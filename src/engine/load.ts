/**
 * From the text of a `.net.json` file to everything a run needs: the resolved spec, the network
 * with its initial weights, and the data split into training and validation sets. The CLI and the
 * extension's training worker both start here, so a file means the same thing everywhere.
 */
import * as path from 'node:path';
import { parseNet, loadData, type ParsedNet, type Problem } from './format';
import { readDataFile } from './format/data';
import { defaultKernel } from './kernels/default';
import { Network } from './network';
import type { Dataset, NetSpec } from './spec';

export interface LoadedNet {
  spec: NetSpec;
  parsed: ParsedNet;
  train?: Dataset;
  validation?: Dataset;
  /** Warnings only; a load with errors returns `LoadFailure` instead. */
  warnings: Problem[];
}

export interface LoadFailure {
  spec?: undefined;
  /** Every problem found, errors first. */
  problems: Problem[];
}

/**
 * Parses and validates `text` (the content of `filePath`) and loads its data. Data files are read
 * relative to the directory of `filePath` with `readFile` (by default synchronously from disk).
 * `holdOut: false` keeps all of `data` in `train`, in file order, ignoring a `validation` fraction.
 * `allowOutside: true` reads CSV files outside the folder tree of `filePath` (refused by default).
 */
export function loadNet(
  text: string,
  filePath: string,
  readFile: (absPath: string) => string = readDataFile,
  options: { holdOut?: boolean; allowOutside?: boolean } = {},
): LoadedNet | LoadFailure {
  const parsed = parseNet(text, filePath);
  const errors = parsed.problems.filter((p) => p.severity === 'error');
  if (!parsed.spec || errors.length > 0) return { problems: sortProblems(parsed.problems) };
  const dataSpec = options.holdOut === false ? { ...parsed.spec, validation: undefined } : parsed.spec;
  const data = loadData(dataSpec, parsed, path.dirname(filePath), readFile, { allowOutside: options.allowOutside });
  const all = [...parsed.problems, ...data.problems];
  if (all.some((p) => p.severity === 'error')) return { problems: sortProblems(all) };
  return { spec: parsed.spec, parsed, train: data.train, validation: data.validation, warnings: all };
}

/**
 * The network of a spec on the fastest backend that loads. `purpose` 'train' honours
 * `training.precision`; everything that is shown or checked ('exact') computes in float64.
 */
export function networkFor(spec: NetSpec, purpose: 'train' | 'exact'): Network {
  return Network.fromSpec(spec, defaultKernel(purpose === 'train' ? spec.training.precision : 'float64'));
}

/** The problem of a file that has no "data" to train, check or take gradients on. */
export function noDataProblem(parsed: ParsedNet): Problem {
  return parsed.problemAt(['data'], 'error', 'no-data', 'the file has no "data": add inline inputs and targets, a CSV file or a generator to train it');
}

function sortProblems(problems: Problem[]): Problem[] {
  const rank = (p: Problem): number => (p.severity === 'error' ? 0 : 1);
  return [...problems].sort((a, b) => rank(a) - rank(b) || a.offset - b.offset);
}
