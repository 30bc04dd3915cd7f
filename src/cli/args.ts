/**
 * Command-line arguments of `backprop`: parsed with Node's own `util.parseArgs`, with usage text.
 * A usage error is a `UsageError` (exit code 2).
 */
import { parseArgs } from 'node:util';

export const COMMANDS = ['train', 'check', 'grad', 'predict'] as const;
export type Command = (typeof COMMANDS)[number];

export interface CliOptions {
  command: Command;
  file: string;
  json: boolean;
  quiet: boolean;
  epochs?: number;
  out?: string;
  write: boolean;
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
  --out PATH          (train) write the trained network to PATH (same format, comments kept)
  --write             (train) write the trained weights back into FILE
  --max-per-layer N   (check) check a seeded sample of N parameters per layer instead of all
  --sample I          (grad) the gradient and the full trace of sample I (0-based) alone
  --input a,b,...     (predict) predict for this input instead of the data (repeatable)
  -q, --quiet         no progress output
  -h, --help          this text
  -v, --version       the version

Exit status: 0 success, 1 a check failed or training diverged, 2 bad input or usage.
Errors in FILE are printed as FILE:LINE:COL: error: message.`;

function positiveInt(name: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} needs an integer >= ${min}, got '${raw}'`);
  return n;
}

/** Returns the options, or 'help' / 'version' when those were asked for. */
export function parseCli(argv: string[]): CliOptions | 'help' | 'version' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean', default: false },
        quiet: { type: 'boolean', short: 'q', default: false },
        epochs: { type: 'string' },
        out: { type: 'string' },
        write: { type: 'boolean', default: false },
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
  only('--out', values.out !== undefined, 'train');
  only('--write', values.write === true, 'train');
  only('--max-per-layer', values['max-per-layer'] !== undefined, 'check');
  only('--sample', values.sample !== undefined, 'grad');
  only('--input', values.input !== undefined, 'predict');
  if (values.out !== undefined && values.write) throw new UsageError('give --out PATH or --write, not both');
  const inputs = (values.input ?? []).map((s) => {
    const row = s.split(',').map((x) => Number(x.trim()));
    if (row.length === 0 || row.some((x) => !Number.isFinite(x))) {
      throw new UsageError(`--input needs comma-separated finite numbers, got '${s}'`);
    }
    return row;
  });
  return {
    command: cmd,
    file,
    json: values.json === true,
    quiet: values.quiet === true,
    epochs: positiveInt('--epochs', values.epochs, 1),
    out: values.out,
    write: values.write === true,
    maxPerLayer: positiveInt('--max-per-layer', values['max-per-layer'], 1),
    sample: positiveInt('--sample', values.sample, 0),
    inputs,
  };
}
