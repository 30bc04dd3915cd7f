/**
 * `backprop`: the command line on the same engine as the extension, for scripts, CI and tests.
 * Contract (docs/cli.md): exit 0 on success, 1 when a check fails or training diverges, 2 on bad
 * input or usage; bad input prints `FILE:LINE:COL: error: message` on stderr and nothing on stdout.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMMANDS, parseCli, UsageError, USAGE, type CliOptions } from './args';
import { runCommand, InputError } from './commands';
import { runExportCli } from './export';

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
    text = fs.readFileSync(opts.file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    process.stderr.write(`${opts.file}: error: cannot read the file: ${why}\n`);
    return 2;
  }
  try {
    return runCommand(opts, text, path.resolve(opts.file));
  } catch (e) {
    if (e instanceof InputError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

process.exitCode = main(process.argv.slice(2));
