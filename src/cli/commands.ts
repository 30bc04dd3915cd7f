/**
 * The four commands of the CLI. Each loads the file through the engine's `loadNet` (the same path
 * the extension's worker takes), runs, and prints either a short human summary or `--json`.
 */
import * as path from 'node:path';
import {
  DivergenceError,
  formatProblem,
  gradientCheck,
  loadNet,
  networkFor,
  noDataProblem,
  Trainer,
  writeWeights,
  type Dataset,
  type EpochStats,
  type GradCheckEntry,
  type LoadedNet,
} from '../engine';
import { LIMITS, readTextFile } from '../engine/format';
import { LossHistory, type EpochPoint } from '../engine/history';
import type { CliOptions } from './args';
import { fmt, maxAbs, Progress, table } from './output';
import { cliRunHooks } from './runs';
import { besideName, inspectTarget, WriteError, writeFileAtomically } from '../engine/format/writeFile';

/**
 * Points of the loss history `train --json` returns: every epoch up to half of this, then the
 * history is downsampled (src/engine/history.ts), so a run of any length takes the same memory.
 */
export const CLI_HISTORY_POINTS = 20_000;

/** Bad input: the message is already in `FILE:LINE:COL: error: ...` form. Exit code 2. */
export class InputError extends Error {}

function load(opts: CliOptions, text: string, absPath: string): LoadedNet {
  // predict answers for every sample of `data`, in file order: no validation hold-out.
  const result = loadNet(text, absPath, undefined, { holdOut: opts.command !== 'predict', allowOutside: opts.allowOutsideData });
  const problems = result.spec ? result.warnings : result.problems;
  for (const p of problems) {
    if (p.severity === 'warning' && !opts.quiet) process.stderr.write(`${formatProblem(opts.file, p)}\n`);
  }
  if (!result.spec) {
    throw new InputError(
      result.problems
        .filter((p) => p.severity === 'error')
        .map((p) => formatProblem(opts.file, p))
        .join('\n'),
    );
  }
  return result;
}

function requireData(opts: CliOptions, loaded: LoadedNet): Dataset {
  if (loaded.train && loaded.train.inputs.length > 0) return loaded.train;
  throw new InputError(formatProblem(opts.file, noDataProblem(loaded.parsed)));
}

function print(opts: CliOptions, json: unknown, human: () => string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(json, null, 2)}\n` : `${human()}\n`);
}

/** A warning on stderr and exit 1 when an output holds NaN or an infinity (it is still printed). */
function nonFinite(opts: CliOptions, what: string, values: Iterable<number>): number {
  let bad = 0;
  for (const v of values) if (!Number.isFinite(v)) bad++;
  if (bad === 0) return 0;
  process.stderr.write(`${opts.file}: warning: ${bad} of the ${what} ${bad === 1 ? 'is' : 'are'} NaN or infinite (printed as ${opts.json ? 'null' : 'NaN/Infinity'}); the network or its data is numerically broken\n`);
  return 1;
}

export function runCommand(opts: CliOptions, text: string, absPath: string): number {
  switch (opts.command) {
    case 'train':
      return train(opts, text, absPath);
    case 'check':
      return check(opts, text, absPath);
    case 'grad':
      return grad(opts, text, absPath);
    case 'predict':
      return predict(opts, text, absPath);
  }
}

/** What a run needs of the loaded file; the parse tree is not kept (it can be large). */
function loadForRun(opts: CliOptions, text: string, absPath: string): { spec: LoadedNet['spec']; data: Dataset; validation?: Dataset } {
  const loaded = load(opts, text, absPath);
  return { spec: loaded.spec, data: requireData(opts, loaded), validation: loaded.validation };
}

function train(opts: CliOptions, text: string, absPath: string): number {
  const { spec, data, validation } = loadForRun(opts, text, absPath);
  const requested = opts.write ? opts.file : opts.out;
  if (requested !== undefined) inspectTarget(requested); // fails early, before a long run, when it cannot possibly be written
  const training = { ...spec.training, epochs: opts.epochs ?? spec.training.epochs };
  const net = networkFor(spec, 'train');
  const parameters = net.layers.reduce((n, l) => n + l.W.length + l.b.length, 0);
  if (requested !== undefined && parameters > LIMITS.maxValues) {
    // Said before training, not after: the trained weights could not be written anyway.
    throw new WriteError(`cannot write ${requested}: the network has ${parameters} weights and biases; a .net.json file holds at most ${LIMITS.maxValues} values, so it could not be read back`);
  }
  const trainer = new Trainer(net, data, training, spec.seed, validation, { threads: opts.threads ?? 1 });
  const progress = new Progress(process.stderr, training.epochs, !opts.quiet);
  // Bounded whatever the epoch count: every epoch up to CLI_HISTORY_POINTS / 2, then downsampled.
  const history = new LossHistory(CLI_HISTORY_POINTS);
  let first: EpochStats | undefined;
  let last: EpochStats | undefined;
  const runs = cliRunHooks(opts, { file: absPath, out: opts.out, text, spec, trainer, train: data, validation }, (m) => new InputError(m));
  const started = performance.now();
  try {
    for (let e = 0; e < training.epochs; e++) {
      const stats = trainer.runEpoch();
      history.push(stats);
      first ??= stats;
      last = stats;
      runs?.epoch(stats);
      progress.update(stats.epoch, `loss ${fmt(stats.loss)}`);
    }
  } catch (e) {
    runs?.finish(e instanceof DivergenceError ? 'diverged' : 'error', (e as Error).message);
    progress.finish();
    void trainer.dispose();
    if (e instanceof DivergenceError) {
      process.stderr.write(`${opts.file}: error: ${e.message}; nothing was written\n`);
      return 1;
    }
    throw e;
  }
  runs?.finish('done');
  progress.finish();
  void trainer.dispose(); // (the helper threads, if any; they never keep the process alive)
  if (!first || !last) throw new Error('training ran no epoch');
  const seconds = (performance.now() - started) / 1000;
  let target = requested;
  if (target !== undefined) {
    let trained: string;
    try {
      trained = writeWeights(text, net.weights()).text;
    } catch (e) {
      throw new WriteError(`${target}: ${(e as Error).message}`);
    }
    if (opts.write && changedSince(opts.file, text)) {
      // Someone edited the file while this ran: their edit wins; the trained network goes beside it.
      target = besideName(opts.file);
      process.stderr.write(`${opts.file}: warning: the file changed while training ran; it was left as it is and the trained network was written to ${target}\n`);
    }
    const result = writeFileAtomically(target, trained);
    if (result.note && !opts.quiet) process.stderr.write(`backprop: note: ${result.note}\n`);
  }
  const points: EpochPoint[] = history.points();
  const has = (key: keyof EpochPoint): boolean => points.some((h) => h[key] !== undefined);
  const summary = {
    name: spec.name ?? null,
    epochs: history.pushed,
    samples: data.inputs.length,
    seconds,
    downsampled: history.resolution > 1,
    lossEpochs: points.map((h) => h.epoch),
    loss: points.map((h) => h.loss),
    ...(has('accuracy') ? { accuracy: points.map((h) => h.accuracy ?? null) } : {}),
    ...(has('valLoss') ? { valLoss: points.map((h) => h.valLoss ?? null) } : {}),
    ...(has('valAccuracy') ? { valAccuracy: points.map((h) => h.valAccuracy ?? null) } : {}),
    final: last,
    written: target ?? null,
  };
  const final = last;
  print(opts, summary, () => {
    const rows: string[][] = [['epochs', String(history.pushed)], ['training loss', fmt(final.loss)]];
    if (final.accuracy !== undefined) rows.push(['training accuracy', `${fmt(final.accuracy * 100, 4)}%`]);
    if (final.valLoss !== undefined) rows.push(['validation loss', fmt(final.valLoss)]);
    if (final.valAccuracy !== undefined) rows.push(['validation accuracy', `${fmt(final.valAccuracy * 100, 4)}%`]);
    rows.push(['first-epoch loss', fmt(first?.loss)], ['time', `${seconds.toFixed(2)} s`]);
    rows.push(['written to', target ?? '(nothing written; use --out PATH or --write)']);
    return table(['', spec.name ?? path.basename(opts.file)], rows);
  });
  return 0;
}

/** True when `file` no longer holds `text` (or cannot be read any more). */
function changedSince(file: string, text: string): boolean {
  try {
    return readTextFile(file, LIMITS.maxFileBytes) !== text;
  } catch {
    return true;
  }
}

function entryJson(e: GradCheckEntry): Record<string, unknown> {
  return {
    name: e.name, layer: e.layer, kind: e.kind, j: e.j, ...(e.k !== undefined ? { k: e.k } : {}),
    analytic: e.analytic, numeric: e.numeric, numericError: e.numericError, relativeError: e.relativeError, tolerance: e.tolerance, status: e.status,
    ...(e.reason !== undefined ? { reason: e.reason } : {}),
  };
}

function check(opts: CliOptions, text: string, absPath: string): number {
  const loaded = load(opts, text, absPath);
  const data = requireData(opts, loaded);
  const net = networkFor(loaded.spec, 'exact');
  let progress: Progress | undefined;
  const onProgress = (done: number, total: number): void => {
    progress ??= new Progress(process.stderr, total, !opts.quiet, opts.maxPerLayer === undefined ? `backprop: ${total} parameters take a while; --max-per-layer N checks a seeded sample of N per layer` : undefined);
    progress.update(done, 'parameters checked');
  };
  const report = gradientCheck(net, data, loaded.spec.training.l2, { maxPerLayer: opts.maxPerLayer, seed: loaded.spec.seed, onProgress });
  progress?.finish();
  const count = (s: GradCheckEntry['status']): number => report.entries.filter((e) => e.status === s).length;
  const failing = report.entries.filter((e) => e.status === 'fail');
  const uncheckable = report.entries.filter((e) => e.status === 'cannot-check');
  const json = {
    passed: report.passed,
    maxRelativeError: report.maxRelativeError,
    parameters: report.parameters,
    failed: count('fail'),
    warnings: count('warn'),
    kinks: count('kink'),
    cannotCheck: count('cannot-check'),
    thresholds: report.thresholds,
    seconds: report.seconds,
    parametersPerSecond: report.parameters / Math.max(report.seconds, 1e-9),
    worst: report.worst.map(entryJson),
    failures: failing.map(entryJson),
    cannotCheckEntries: uncheckable.map(entryJson),
  };
  print(opts, json, () => {
    const verdict = report.passed ? 'PASSED' : 'FAILED';
    const lines = [
      `gradient check ${verdict}: ${report.parameters} parameters, max relative error ${fmt(report.maxRelativeError, 3)}` +
        ` (pass below ${fmt(report.thresholds.pass, 1)}, fail above ${fmt(report.thresholds.fail, 1)})`,
      `${count('ok')} ok, ${count('warn')} warn, ${count('fail')} failed, ${count('kink')} at a kink (not counted), ${count('cannot-check')} cannot be checked (not counted)`,
      ...(failing.length > 0 || report.worst.length > 0
        ? [
            '',
            table(
              ['parameter', 'analytic', 'numeric', 'relative error', 'tolerance', 'status'],
              (failing.length > 0 ? failing : report.worst).map((e) => [e.name, fmt(e.analytic, 10), fmt(e.numeric, 10), fmt(e.relativeError, 3), fmt(e.tolerance, 3), e.status]),
            ),
          ]
        : []),
      ...uncheckable.slice(0, 10).map((e) => `cannot check ${e.name}: ${e.reason ?? ''}`),
    ];
    return lines.join('\n');
  });
  return report.passed ? 0 : 1;
}

function grad(opts: CliOptions, text: string, absPath: string): number {
  const loaded = load(opts, text, absPath);
  const data = requireData(opts, loaded);
  const net = networkFor(loaded.spec, 'exact');
  const l2 = loaded.spec.training.l2;
  let inputs = data.inputs;
  let targets = data.targets;
  if (opts.sample !== undefined) {
    if (opts.sample >= data.inputs.length) {
      process.stderr.write(`backprop: --sample ${opts.sample} is out of range: the training data has ${data.inputs.length} samples (0-based)\n`);
      return 2;
    }
    inputs = [data.inputs[opts.sample]];
    targets = [data.targets[opts.sample]];
  }
  const loss = net.lossAndGradient(inputs, targets, l2);
  const layers = [null, ...net.layers.map((layer) => ({
    weights: Array.from({ length: layer.units }, (_, j) => Array.from(layer.dW.subarray(j * layer.inputs, (j + 1) * layer.inputs))),
    biases: Array.from(layer.db),
  }))];
  const json: Record<string, unknown> = { loss, layers };
  if (opts.sample !== undefined) {
    const t = net.trace(data.inputs[opts.sample], data.targets[opts.sample]);
    json.sample = opts.sample;
    json.trace = { net: t.net.map((a) => Array.from(a)), out: t.out.map((a) => Array.from(a)), delta: t.delta.map((a) => Array.from(a)), loss: t.loss };
  }
  print(opts, json, () => {
    const rows: string[][] = [];
    net.layers.forEach((layer, i) => {
      let sq = 0;
      for (const g of layer.dW) sq += g * g;
      for (const g of layer.db) sq += g * g;
      rows.push([String(i + 1), `${layer.units}x${layer.inputs}`, layer.activation, fmt(Math.sqrt(sq)), fmt(maxAbs(layer.dW))]);
    });
    const scope = opts.sample !== undefined ? `sample ${opts.sample}` : `${inputs.length} training samples`;
    return `loss over ${scope}: ${fmt(loss, 10)}\n\n${table(['layer', 'weights', 'activation', 'gradient norm', 'max |dE/dw|'], rows)}\n\nUse --json for every gradient.`;
  });
  function* gradValues(): Generator<number> {
    yield loss;
    for (const layer of net.layers) {
      yield* layer.dW;
      yield* layer.db;
    }
  }
  return nonFinite(opts, 'loss and gradient values', gradValues());
}

function predict(opts: CliOptions, text: string, absPath: string): number {
  const loaded = load(opts, text, absPath);
  const net = networkFor(loaded.spec, 'exact');
  let inputs: Float64Array[];
  if (opts.inputs.length > 0) {
    const bad = opts.inputs.find((row) => row.length !== net.sizes[0]);
    if (bad) {
      process.stderr.write(`backprop: --input has ${bad.length} numbers but the network has ${net.sizes[0]} inputs\n`);
      return 2;
    }
    inputs = opts.inputs.map((row) => Float64Array.from(row));
  } else {
    inputs = requireData(opts, loaded).inputs;
  }
  const outputs = inputs.map((x) => Array.from(net.predict(x)));
  const last = loaded.spec.layers[loaded.spec.layers.length - 1];
  const classify = last.activation === 'softmax' || loaded.train?.labels !== undefined;
  const classOf = (y: number[]): number => {
    if (y.length === 1) return y[0] >= 0.5 ? 1 : 0;
    let best = 0;
    for (let k = 1; k < y.length; k++) if (y[k] > y[best]) best = k;
    return best;
  };
  const names = loaded.train?.classNames;
  const json: Record<string, unknown> = { outputs };
  if (classify) {
    json.classes = outputs.map(classOf);
    if (names) json.classNames = names;
  }
  print(opts, json, () =>
    table(
      ['input', 'output', ...(classify ? ['class'] : [])],
      inputs.map((x, i) => [
        Array.from(x, (v) => fmt(v, 4)).join(', '),
        outputs[i].map((v) => fmt(v)).join(', '),
        ...(classify ? [names ? names[classOf(outputs[i])] : String(classOf(outputs[i]))] : []),
      ]),
    ),
  );
  return nonFinite(opts, 'outputs', outputs.flat());
}
