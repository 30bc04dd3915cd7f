/**
 * `backprop`: the command line on the same engine as the extension, for scripts, CI and tests.
 * Contract (docs/cli.md): exit 0 on success, 1 when a check fails, training diverges or an output
 * is not finite, 2 on bad input or usage, 3 when a file cannot be read or written, 4 on an
 * internal error; bad input prints `FILE:LINE:COL: error: message` on stderr and nothing on
 * stdout; every other error is one line on stderr, never a stack trace.
 */
import * as path from 'node:path';
import { FileReadError, LIMITS, readTextFile } from '../engine/format';
import { COMMANDS, parseCli, UsageError, USAGE, type CliOptions } from './args';
import { runCommand, InputError } from './commands';
import { runExportCli } from './export';
import { WriteError } from '../engine/format/writeFile';

const VERSION = '0.1.0';

function main(argv: string[]): number {
  if (argv[0] === 'export' || argv[0] === 'import') return runExportCli(argv); // docs/export.md
  let opts: CliOptions | 'help' | 'version';
  try {
    opts = parseCli(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`backprop: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
  if (opts === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (opts === 'version') {
    process.stdout.write(`backprop ${VERSION} (commands: ${COMMANDS.join(', ')})\n`);
    return 0;
  }
  let text: string;
  try {
    text = readTextFile(opts.file, LIMITS.maxFileBytes);
  } catch (e) {
    const why = e instanceof FileReadError ? e.message : (e as Error).message;
    process.stderr.write(`${opts.file}: error: cannot read the file: ${why}\n`);
    return 3;
  }
  try {
    return runCommand(opts, text, path.resolve(opts.file));
  } catch (e) {
    if (e instanceof InputError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    if (e instanceof WriteError) {
      process.stderr.write(`backprop: error: ${e.message}\n`);
      return 3;
    }
    throw e;
  }
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  // A bug (or an exhausted resource) is one line, never a stack trace, and never exit 1 ("diverged").
  const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  process.stderr.write(`backprop: internal error: ${msg.split('\n')[0].slice(0, 300)}\n`);
  process.exitCode = 4;
}
