/**
 * The PyTorch script of a network (python.ts has the code and its conventions): constants, data,
 * model, self-check, training, and a `main` that runs alone under `python3` or on N processes
 * under `torchrun --nproc_per_node=N` (DistributedDataParallel).
 */
import { constantsCode, dataCode, headerDoc, MAIN_CODE, MODEL_CODE, TRAINING_CODE, type PythonExportInput } from './python';

export function toPytorchScript(input: PythonExportInput): string {
  const doc = headerDoc(input, 'script').replace(/\\/g, '\\\\').replace(/"""/g, '\\"\\"\\"');
  return [`#!/usr/bin/env python3\n"""${doc}\n"""\n`, constantsCode(input), dataCode(input), MODEL_CODE, TRAINING_CODE, MAIN_CODE].join('\n\n');
}
