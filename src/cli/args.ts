/**
 * Command-line arguments of `backprop`: parsed with Node's own `util.parseArgs`, with usage text.
 * A usage error is a `UsageError` (exit code 2).
 */
import { parseArgs } from 'node:util';
import { LIMITS, parseNumber } from '../engine/format';

export const COMMANDS = ['train', 'check', 'grad', 'predict'] as const;
export type Command = (typeof COMMANDS)[number];

export interface CliOptions {
  command: Command;
  file: string;
  json: boolean;
  quiet: boolean;
  epochs?: number;
  /** (train) threads that compute a batch (default 1; see docs/performance.md). */
  threads?: number;
  out?: string;
  write: boolean;
  /** Read CSV data files outside the folder tree of FILE. */
  allowOutsideData: boolean;
  /** (train) keep the run in .backprop/runs/ beside the file (src/cli/runs.ts). */
  record: boolean;
  /** (train) write the loss of every epoch to this CSV file. */
  history?: string;
  maxPerLayer?: number;
  sample?: number;
  inputs: number[][];
}

export class UsageError extends Error {}

export const USAGE = `Usage: backprop <command> FILE.net.json [options]

Commands:
  train FILE     train the network; prints the loss after each epoch
  check FILE     gradient check: analytic gradients against centred differences (float64)
  grad FILE      the loss over the training data and its gradient for every weight and bias
  predict FILE   the network's outputs for the data's inputs (or for --input)
  export FILE --to pytorch|onnx|ipynb [--out PATH]   (see backprop export --help)
  import MODEL.onnx --out FILE.net.json              a dense ONNX model as a network file

Options:
  --json              machine-readable output on stdout (progress still goes to stderr)
  --epochs N          (train) train for N epochs instead of training.epochs
  --threads N         (train) split large batches across N threads (default 1; the same
                      thread count gives the same run, bit for bit; see docs/performance.md)
  --out PATH          (train) write the trained network to PATH (same format, comments kept)
  --write             (train) write the trained weights back into FILE
  --record            (train) record the run in .backprop/runs/ beside FILE (docs/runs.md)
  --history OUT.csv   (train) write the loss of every epoch to OUT.csv
  --max-per-layer N   (check) check a seeded sample of N parameters per layer instead of all
  --sample I          (grad) the gradient and the full trace of sample I (0-based) alone
  --input a,b,...     (predict) predict for this input instead of the data (repeatable;
                      negative numbers too: --input -1.5,2)
  --allow-outside-data  read a CSV data file outside FILE's folder tree (refused by default)
  -q, --quiet         no progress output
  -h, --help          this text
  -v, --version       the version

Exit status: 0 success, 1 a check failed, training diverged or an output is NaN/infinite,
2 bad input or usage, 3 a file cannot be read or written, 4 an internal error.
Errors in FILE are printed as FILE:LINE:COL: error: message.`;

/** A whole number written in decimal digits (no exponent, hex, sign or fraction) from `min` to `max`. */
function wholeNumber(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = /^\d{1,16}$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${name} needs a whole number from ${min} to ${max} written in digits, got '${raw}'`);
  }
  return n;
}

/** Options that take a value: a value that starts with '-' (a negative number) is still theirs. */
/** The most threads `--threads` takes (more than any machine this runs on has cores). */
const VALUE_OPTIONS = new Set(['--epochs', '--threads', '--out', '--max-per-layer', '--sample', '--input']);

/** `--input -1.5,2` as `--input=-1.5,2`, so that parseArgs does not take `-1.5,2` for options. */
function joinDashValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = argv[i + 1];
    if (VALUE_OPTIONS.has(a) && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** One --input: comma-separated decimal numbers (as in a CSV cell), every one present and finite. */
function inputRow(s: string): number[] {
  const cells = s.split(',').map((x) => x.trim());
  const row = cells.map((x) => parseNumber(x));
  if (s.trim() === '' || row.some((x) => x === undefined)) {
    const bad = cells.find((x) => parseNumber(x) === undefined) ?? '';
    throw new UsageError(`--input needs comma-separated finite numbers such as 0.5,-1; ${bad === '' ? 'a number is missing' : `'${bad.slice(0, 40)}' is not a number`} in '${s.slice(0, 80)}'`);
  }
  return row as number[];
}

/** Returns the options, or 'help' / 'version' when those were asked for. */
export function parseCli(argv: string[]): CliOptions | 'help' | 'version' {
  let parsed;
  try {
    parsed = parseArgs({
      args: joinDashValues(argv),
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean', default: false },
        quiet: { type: 'boolean', short: 'q', default: false },
        epochs: { type: 'string' },
        threads: { type: 'string' },
        out: { type: 'string' },
        write: { type: 'boolean', default: false },
        'allow-outside-data': { type: 'boolean', default: false },
        record: { type: 'boolean', default: false },
        history: { type: 'string' },
        'max-per-layer': { type: 'string' },
        sample: { type: 'string' },
        input: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (values.version) return 'version';
  const [command, file, ...rest] = positionals;
  if (!command) throw new UsageError('no command given');
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new UsageError(`unknown command '${command}' (commands: ${COMMANDS.join(', ')})`);
  }
  if (!file) throw new UsageError(`'${command}' needs a FILE.net.json`);
  if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
  const cmd = command as Command;
  const only = (flag: string, set: boolean, allowed: Command): void => {
    if (set && cmd !== allowed) throw new UsageError(`${flag} is an option of '${allowed}', not of '${cmd}'`);
  };
  only('--epochs', values.epochs !== undefined, 'train');
  only('--threads', values.threads !== undefined, 'train');
  only('--out', values.out !== undefined, 'train');
  only('--write', values.write === true, 'train');
  only('--record', values.record === true, 'train');
  only('--history', values.history !== undefined, 'train');
  only('--max-per-layer', values['max-per-layer'] !== undefined, 'check');
  only('--sample', values.sample !== undefined, 'grad');
  only('--input', values.input !== undefined, 'predict');
  if (values.out !== undefined && values.write) throw new UsageError('give --out PATH or --write, not both');
  const inputs = (values.input ?? []).map(inputRow);
  return {
    command: cmd,
    file,
    json: values.json === true,
    quiet: values.quiet === true,
    epochs: wholeNumber('--epochs', values.epochs, 1, LIMITS.maxEpochs),
    threads: wholeNumber('--threads', values.threads, 1, LIMITS.maxThreads),
    out: values.out,
    write: values.write === true,
    allowOutsideData: values['allow-outside-data'] === true,
    record: values.record === true,
    history: values.history,
    maxPerLayer: wholeNumber('--max-per-layer', values['max-per-layer'], 1, LIMITS.maxParameters),
    sample: wholeNumber('--sample', values.sample, 0, LIMITS.maxSamples),
    inputs,
  };
}
