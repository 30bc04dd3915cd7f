/**
 * `backprop export FILE --to pytorch|onnx|ipynb [--out PATH] [--dtype float32|float64] [--data-csv]`
 * and `backprop import MODEL.onnx --out FILE.net.json` (docs/export.md). Its own argument parsing,
 * so the other commands' options stay theirs. Exit codes as the rest of the CLI: 0 written,
 * 2 bad input or usage (including an export that would change the model: the message names the
 * flag that accepts the alternative), 3 a file cannot be read or written (nothing is left behind).
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { formatProblem, loadNet } from '../engine';
import {
  EXPORT_TARGETS,
  ExportError,
  defaultExportPath,
  exportNetwork,
  importOnnx,
  ImportError,
  MAX_ONNX_BYTES,
  UnsupportedExport,
  type ExportTarget,
} from '../engine/export';
import { writeFilesAtomically } from '../engine/export/write';
import { FileReadError, ioReason, LIMITS, readTextFile } from '../engine/format';
import { readBoundedFile } from '../engine/format/files';
import { WriteError } from '../engine/format/writeFile';

/** The one-line reason of a failed write (a WriteError already names the file and says nothing changed). */
const writeReason = (e: unknown): string => (e instanceof WriteError ? e.message : `cannot write: ${ioReason(e)}; nothing was written`);

export const EXPORT_USAGE = `Usage: backprop export FILE.net.json --to pytorch|onnx|ipynb [--out PATH] [options]
       backprop import MODEL.onnx --out FILE.net.json

Export options:
  --to T              pytorch (.py script), onnx (.onnx inference graph) or ipynb (Jupyter notebook)
  --out PATH          where to write (default: FILE with .py, .onnx or .ipynb in place of .net.json)
  --dtype D           (onnx) float32 (default) or float64
  --data-csv          (pytorch, ipynb) write the training data to PATH.data.csv beside it instead of embedding it
  --allow-outside-data  read a data file outside the network file's folder (as train does)
  -q, --quiet         no summary line

See docs/export.md.`;

function fail(message: string, code: number): number {
  process.stderr.write(`${message}\n`);
  return code;
}


/** Runs `export` or `import` (argv[0]); returns the exit code. */
export function runExportCli(argv: string[]): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        to: { type: 'string' },
        out: { type: 'string' },
        dtype: { type: 'string' },
        'data-csv': { type: 'boolean', default: false },
        'allow-outside-data': { type: 'boolean', default: false },
        quiet: { type: 'boolean', short: 'q', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    return fail(`backprop: ${(e as Error).message}\n\n${EXPORT_USAGE}`, 2);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${EXPORT_USAGE}\n`);
    return 0;
  }
  const [command, file, ...rest] = positionals;
  if (file === undefined) return fail(`backprop: '${command}' needs a ${command === 'import' ? 'MODEL.onnx' : 'FILE.net.json'}\n\n${EXPORT_USAGE}`, 2);
  if (rest.length > 0) return fail(`backprop: unexpected argument '${rest[0]}'`, 2);
  return command === 'import' ? runImport(file, values) : runExport(file, values);
}

function runExport(file: string, values: { to?: string; out?: string; dtype?: string; 'data-csv'?: boolean; 'allow-outside-data'?: boolean; quiet?: boolean }): number {
  if (values.to === undefined) return fail(`backprop: export needs --to ${EXPORT_TARGETS.join('|')}`, 2);
  if (!(EXPORT_TARGETS as readonly string[]).includes(values.to)) return fail(`backprop: --to must be one of ${EXPORT_TARGETS.join(', ')}, got '${values.to}'`, 2);
  const to = values.to as ExportTarget;
  if (values.dtype !== undefined && to !== 'onnx') return fail(`backprop: --dtype is an option of --to onnx (the PyTorch script and notebook are float64)`, 2);
  if (values.dtype !== undefined && values.dtype !== 'float32' && values.dtype !== 'float64') return fail(`backprop: --dtype must be float32 or float64, got '${values.dtype}'`, 2);
  if (values['data-csv'] === true && to === 'onnx') return fail('backprop: --data-csv is an option of --to pytorch and --to ipynb (ONNX holds no data)', 2);
  let text: string;
  try {
    text = readTextFile(file, LIMITS.maxFileBytes);
  } catch (e) {
    return fail(`${file}: error: cannot read the file: ${ioReason(e)}`, 3);
  }
  const abs = path.resolve(file);
  const loaded = loadNet(text, abs, undefined, { allowOutside: values['allow-outside-data'] === true });
  if (!loaded.spec) {
    return fail(loaded.problems.filter((p) => p.severity === 'error').map((p) => formatProblem(file, p)).join('\n'), 2);
  }
  const out = path.resolve(values.out ?? defaultExportPath(abs, to));
  let files;
  try {
    files = exportNetwork(loaded, abs, { to, out, dtype: values.dtype as 'float32' | 'float64' | undefined, dataCsv: values['data-csv'] === true });
  } catch (e) {
    if (e instanceof UnsupportedExport) return fail(`${file}: error: ${e.message}; nothing was written. To ${e.alternative}, run again with ${e.flag}`, 2);
    if (e instanceof ExportError) return fail(`${file}: error: ${e.message}; nothing was written`, 2);
    throw e;
  }
  try {
    writeFilesAtomically(files);
  } catch (e) {
    return fail(`backprop: error: ${writeReason(e)}`, 3);
  }
  if (values.quiet !== true) process.stderr.write(`wrote ${files.map((f) => path.relative(process.cwd(), f.path) || f.path).join(', ')}\n`);
  return 0;
}

function runImport(file: string, values: { out?: string; to?: string; dtype?: string; 'data-csv'?: boolean; 'allow-outside-data'?: boolean; quiet?: boolean }): number {
  if (values.to !== undefined || values.dtype !== undefined || values['data-csv'] === true || values['allow-outside-data'] === true) return fail('backprop: import takes only --out FILE.net.json', 2);
  if (values.out === undefined) return fail('backprop: import needs --out FILE.net.json', 2);
  let bytes: Uint8Array;
  try {
    bytes = readBoundedFile(file, MAX_ONNX_BYTES);
  } catch (e) {
    if (e instanceof FileReadError && e.code === 'EFBIG') return fail(`${file}: error: the model is larger than import reads (${MAX_ONNX_BYTES} bytes)`, 2);
    return fail(`${file}: error: cannot read the file: ${ioReason(e)}`, 3);
  }
  const name = path.basename(file).replace(/\.onnx$/i, '');
  let text: string;
  try {
    text = importOnnx(bytes, name).text;
  } catch (e) {
    if (e instanceof ImportError) return fail(`${file}: error: ${e.message}; nothing was written`, 2);
    throw e;
  }
  try {
    writeFilesAtomically([{ path: path.resolve(values.out), content: text }]);
  } catch (e) {
    return fail(`backprop: error: ${writeReason(e)}`, 3);
  }
  if (values.quiet !== true) process.stderr.write(`wrote ${values.out}\n`);
  return 0;
}
