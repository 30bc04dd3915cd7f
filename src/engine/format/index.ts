/**
 * The `.net.json` format, version 1: parsing with positions, validation into a `NetSpec`,
 * data loading (inline, CSV, generated, validation split) and writing weights back.
 * Pure TypeScript; the only I/O is `loadData`'s default file reader.
 */
export { formatProblem, hasErrors, positionAt, sortProblems, makeProblem, LineIndex } from './problems';
export type { Problem, ProblemFix, Severity } from './problems';
export { parseNet } from './parse';
export type { ParsedNet } from './parse';
export { DEFAULT_GENERATOR, DEFAULT_SEED, DEFAULT_TRAINING, FORMAT_VERSION, LIMITS, TWO_CLASS_GENERATORS, defaultInit, defaultLoss } from './defaults';
export { TOP_KEYS, TRAINING_KEYS } from './validate';
export { loadData, readDataFile, splitDataset, subset } from './data';
export type { LoadedData, LoadOptions, ReadFile } from './data';
export { FileReadError, ioReason, isOutside, readTextFile } from './files';
export { limitProblem } from './scan';
export { parseCsv, parseNumber, classOrder } from './csv';
export type { CsvTable } from './csv';
export { generateData } from './generators';
export { writeWeights, checkWriteBack, removeLayerWeights } from './writeback';
export type { LayerValues, TextEdit, WriteOptions } from './writeback';
export { JSONC_OPTIONS, maskBom } from './syntax';
export { suggest, editDistance } from './checker';
