/**
 * The inference graph of a network as an ONNX model (docs/export.md): for every layer a Gemm
 * (Y = X·Wᵀ + b, transB = 1; initialisers `layerN/W`, `layerN/b`) and its activation node; linear
 * layers have none. Opset 13, IR version 7.
 *
 * Element type: float32 by default, float64 on request. Every operator used here accepts double in
 * the ONNX specification (Gemm-13, Sigmoid-13, Tanh-13, Relu-13, LeakyRelu-6, Elu-6, Softplus-1,
 * Softmax-13), but ONNX Runtime's CPU provider has no double kernel for LeakyRelu, Elu and Softplus,
 * and LeakyRelu's `alpha` is a float32 attribute (0.01 would become 0.009999999776). A float64
 * export of a network with those activations is refused with the alternative named
 * (`UnsupportedExport.alternative`), never written as a different model.
 *
 * Names: a CSV file's input columns become one graph input each ([N, 1], joined by a Concat), its
 * target columns one output each (a Split at the end), a label column one output [N, classes]
 * named after it (the class names in its doc string); otherwise one input "input" [N, inputs] and
 * one output "output" [N, outputs].
 */
import type { ActivationName, NetSpec } from '../spec';
import type { LayerParameters } from '../init';
import { ProtoWriter } from './protobuf';

export const ONNX_OPSET = 13;
export const ONNX_IR_VERSION = 7;
export const ONNX_FLOAT = 1;
export const ONNX_DOUBLE = 11;

export type OnnxDtype = 'float32' | 'float64';

/** Activations whose ONNX operator has no float64 kernel in ONNX Runtime (CPU), or no exact float64 form. */
export const NO_FLOAT64: Partial<Record<ActivationName, string>> = {
  'leaky-relu': "ONNX's LeakyRelu has no float64 kernel in ONNX Runtime, and its alpha is a float32 attribute (0.01 would become 0.009999999776)",
  elu: "ONNX's Elu has no float64 kernel in ONNX Runtime",
  softplus: "ONNX's Softplus has no float64 kernel in ONNX Runtime",
};

/** An export that would not be the same model; `alternative` says what the user may choose instead. */
export class UnsupportedExport extends Error {
  constructor(
    message: string,
    /** A short description of the alternative, e.g. 'export as float32 instead'. */
    readonly alternative: string,
    /** The CLI flag that accepts the alternative, e.g. '--dtype float32'. */
    readonly flag: string,
  ) {
    super(message);
  }
}

export interface OnnxNames {
  inputs: string[] | undefined;
  outputs: string[] | undefined;
  /** Doc string of the single output (class names of a label column). */
  outputDoc?: string;
}

/** Column names to use as graph input/output names, when the file's data is a CSV file with distinct names. */
export function onnxNames(spec: NetSpec, classNames?: readonly string[]): OnnxNames {
  const d = spec.data;
  if (d?.kind !== 'csv') return { inputs: undefined, outputs: undefined };
  const outs = d.label !== undefined ? [d.label] : (d.targets ?? []);
  const all = [...d.inputs, ...outs];
  // distinct, non-empty, and none of the graph's own names (layerN/..., inputs/joined, outputs/joined)
  const internal = /^(layer\d+\/(W|b|net|out)|inputs\/joined|outputs\/joined)$/;
  const distinct = new Set(all).size === all.length && all.every((n) => n.length > 0 && !internal.test(n));
  if (!distinct) return { inputs: undefined, outputs: undefined };
  const outputDoc = d.label !== undefined && classNames !== undefined ? `class probabilities, in this order: ${classNames.join(', ')}` : undefined;
  return { inputs: d.inputs.slice(), outputs: outs.slice(), outputDoc };
}

function opOf(a: ActivationName): { op: string; attrs: (w: ProtoWriter) => void } | undefined {
  const f = (name: string, v: number) => (w: ProtoWriter) => w.message(5, (a) => a.string(1, name).float32(2, v).int(20, 1));
  const i = (name: string, v: number) => (w: ProtoWriter) => w.message(5, (a) => a.string(1, name).int(3, v).int(20, 2));
  const none = (): void => undefined;
  switch (a) {
    case 'sigmoid': return { op: 'Sigmoid', attrs: none };
    case 'tanh': return { op: 'Tanh', attrs: none };
    case 'relu': return { op: 'Relu', attrs: none };
    case 'leaky-relu': return { op: 'LeakyRelu', attrs: f('alpha', 0.01) };
    case 'elu': return { op: 'Elu', attrs: f('alpha', 1) };
    case 'softplus': return { op: 'Softplus', attrs: none };
    case 'softmax': return { op: 'Softmax', attrs: i('axis', 1) };
    case 'linear': return undefined;
  }
}

function tensorBytes(values: Float64Array, dtype: OnnxDtype): Uint8Array {
  const size = dtype === 'float64' ? 8 : 4;
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    if (dtype === 'float64') view.setFloat64(i * 8, values[i], true);
    else view.setFloat32(i * 4, values[i], true);
  }
  return out;
}

/** Throws UnsupportedExport when a float64 export would need an operator that cannot run it exactly. */
export function checkOnnxDtype(spec: NetSpec, dtype: OnnxDtype): void {
  if (dtype !== 'float64') return;
  spec.layers.forEach((l, i) => {
    const why = NO_FLOAT64[l.activation];
    if (why !== undefined) {
      throw new UnsupportedExport(
        `cannot export layer ${i + 1} (${l.activation}) to ONNX in float64: ${why}`,
        'export as float32 instead',
        '--dtype float32',
      );
    }
  });
}

/** The ONNX model (serialised ModelProto) of a network with the given parameters. */
export function toOnnx(spec: NetSpec, params: readonly LayerParameters[], options: { dtype: OnnxDtype; names?: OnnxNames; docString?: string }): Uint8Array {
  checkOnnxDtype(spec, options.dtype);
  const elem = options.dtype === 'float64' ? ONNX_DOUBLE : ONNX_FLOAT;
  const names = options.names ?? { inputs: undefined, outputs: undefined };
  const n0 = spec.inputs;
  const K = spec.layers[spec.layers.length - 1].units;
  const valueInfo = (w: ProtoWriter, field: number, name: string, cols: number, doc?: string): void => {
    w.message(field, (vi) => {
      vi.string(1, name);
      vi.message(2, (tp) =>
        tp.message(1, (tt) => {
          tt.int(1, elem);
          tt.message(2, (sh) => {
            sh.message(1, (d) => d.string(2, 'N'));
            sh.message(1, (d) => d.int(1, cols));
          });
        }),
      );
      if (doc !== undefined) vi.string(3, doc);
    });
  };
  const node = (w: ProtoWriter, op: string, inputs: string[], outputs: string[], name: string, attrs?: (w: ProtoWriter) => void): void => {
    w.message(1, (n) => {
      for (const i of inputs) n.string(1, i);
      for (const o of outputs) n.string(2, o);
      n.string(3, name);
      n.string(4, op);
      attrs?.(n);
    });
  };
  const outputNames = names.outputs ?? ['output'];
  const splitOut = outputNames.length > 1;
  const graph = (g: ProtoWriter): void => {
    let x = 'input';
    if (names.inputs !== undefined) {
      x = 'inputs/joined';
      node(g, 'Concat', names.inputs, [x], 'inputs/Concat', (w) => w.message(5, (a) => a.string(1, 'axis').int(3, 1).int(20, 2)));
    }
    spec.layers.forEach((layer, i) => {
      const l = i + 1;
      const last = l === spec.layers.length;
      const act = opOf(layer.activation);
      const finalName = last ? (splitOut ? 'outputs/joined' : outputNames[0]) : `layer${l}/out`;
      const z = act === undefined ? finalName : `layer${l}/net`;
      node(g, 'Gemm', [x, `layer${l}/W`, `layer${l}/b`], [z], `layer${l}/Gemm`, (w) => w.message(5, (a) => a.string(1, 'transB').int(3, 1).int(20, 2)));
      if (act !== undefined) node(g, act.op, [z], [finalName], `layer${l}/${act.op}`, act.attrs);
      x = finalName;
    });
    if (splitOut) {
      // opset 13: without the optional 'split' input, equal parts (one column each)
      node(g, 'Split', [x], outputNames, 'outputs/Split', (w) => w.message(5, (a) => a.string(1, 'axis').int(3, 1).int(20, 2)));
    }
    g.string(2, spec.name ?? 'network');
    let inputs = n0;
    spec.layers.forEach((layer, i) => {
      const p = params[i];
      g.message(5, (t) => {
        t.int(1, layer.units).int(1, inputs).int(2, elem).string(8, `layer${i + 1}/W`).bytes(9, tensorBytes(p.W, options.dtype));
      });
      g.message(5, (t) => {
        t.int(1, layer.units).int(2, elem).string(8, `layer${i + 1}/b`).bytes(9, tensorBytes(p.b, options.dtype));
      });
      inputs = layer.units;
    });
    if (names.inputs !== undefined) for (const n of names.inputs) valueInfo(g, 11, n, 1);
    else valueInfo(g, 11, 'input', n0);
    if (splitOut) for (const n of outputNames) valueInfo(g, 12, n, 1);
    else valueInfo(g, 12, outputNames[0], K, names.outputDoc);
  };
  const model = new ProtoWriter();
  model.int(1, ONNX_IR_VERSION);
  model.string(2, 'Backprop Studio');
  model.string(3, '0.1.0');
  if (options.docString !== undefined) model.string(6, options.docString);
  model.message(7, graph);
  model.message(8, (o) => o.string(1, '').int(2, ONNX_OPSET));
  model.message(14, (m) => m.string(1, 'backprop.loss').string(2, spec.loss));
  return model.finish();
}
