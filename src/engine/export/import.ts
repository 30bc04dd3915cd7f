/**
 * ONNX -> `.net.json`: a dense ONNX model (a chain of Gemm, or MatMul + Add, layers, each followed
 * by at most one supported activation; float32 or float64 weights) becomes a network file with its
 * weights. Anything else is an ImportError naming the first node that is not supported, and why.
 *
 * Accepted, in graph order:
 *   [Concat(axis 1) of the graph inputs]            (one input per column, as onnx.ts writes)
 *   ( Gemm(x, W, b; alpha 1, beta 1, transA 0, transB 0|1)  |  MatMul(x, W) then Add(·, b) )
 *   [ Sigmoid | Tanh | Relu | LeakyRelu(alpha 0.01) | Elu(alpha 1) | Softplus | Softmax(axis 1|-1) ]
 *   ... repeated per layer ...
 *   [Split(axis 1) of the output into the graph outputs]
 * Float32 values become the doubles they are exactly; LeakyRelu's alpha is accepted within float32
 * rounding of 0.01.
 *
 * The model file is untrusted: its size is bounded (MAX_ONNX_BYTES), every length is checked
 * (protobuf.ts), nodes, tensors and their dimensions are bounded by the format's LIMITS, and no
 * nested message is decoded that the import does not need (subgraphs in attributes are skipped).
 */
import { LIMITS, defaultLoss, parseNet } from '../format';
import { LOSSES, type ActivationName, type LossName } from '../spec';
import { ONNX_DOUBLE, ONNX_FLOAT } from './onnx';
import { ProtoError, asBytes, asFloat32, asInt, asInts, asString, readFields, type ProtoValue } from './protobuf';

export const MAX_ONNX_BYTES = 256 * 1024 * 1024;
const MAX_NODES = 10_000;

export class ImportError extends Error {}

interface Tensor {
  name: string;
  dims: number[];
  values: Float64Array;
  dtype: 'float32' | 'float64';
}

interface Attribute {
  name: string;
  f?: number;
  i?: number;
  ints?: number[];
}

interface OnnxNode {
  index: number;
  name: string;
  op: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attrs: Map<string, Attribute>;
}

interface ValueInfo {
  name: string;
  dims: (number | undefined)[];
}

function fields(buf: Uint8Array, what: string): Map<number, ProtoValue[]> {
  const m = new Map<number, ProtoValue[]>();
  for (const { field, v } of readFields(buf, what)) {
    const list = m.get(field);
    if (list) list.push(v);
    else m.set(field, [v]);
  }
  return m;
}

const one = (m: Map<number, ProtoValue[]>, f: number): ProtoValue | undefined => {
  const l = m.get(f);
  return l === undefined ? undefined : l[l.length - 1];
};

function readTensor(buf: Uint8Array, what: string): Tensor {
  const m = fields(buf, what);
  const name = one(m, 8) ? asString(one(m, 8) as ProtoValue, what) : '';
  const where = `initializer '${name}'`;
  const dims = (m.get(1) ?? []).flatMap((v) => asInts(v, where));
  if (dims.length > 8) throw new ImportError(`${where} has ${dims.length} dimensions`);
  let count = 1;
  for (const d of dims) {
    if (d < 0 || d > LIMITS.maxParameters) throw new ImportError(`${where} has a dimension of ${d}`);
    count *= d;
    if (count > LIMITS.maxParameters) throw new ImportError(`${where} has more than ${LIMITS.maxParameters} values`);
  }
  const typeV = one(m, 2);
  const type = typeV ? asInt(typeV, where) : 0;
  if (one(m, 14) !== undefined && asInt(one(m, 14) as ProtoValue, where) === 1) throw new ImportError(`${where} keeps its values in an external file, which import does not read`);
  if (type !== ONNX_FLOAT && type !== ONNX_DOUBLE) throw new ImportError(`${where} has element type ${type}; only float32 (1) and float64 (11) weights are supported`);
  const size = type === ONNX_DOUBLE ? 8 : 4;
  const chunks: Uint8Array[] = [];
  const raw = one(m, 9);
  if (raw !== undefined) chunks.push(asBytes(raw, where));
  else {
    for (const v of m.get(type === ONNX_DOUBLE ? 10 : 4) ?? []) {
      if (v.wire === 2 || v.wire === (size === 8 ? 1 : 5)) chunks.push(v.bytes);
      else throw new ImportError(`${where}: malformed ${size === 8 ? 'double_data' : 'float_data'}`);
    }
  }
  const total = chunks.reduce((s, c) => s + c.length, 0);
  if (total !== count * size) throw new ImportError(`${where} has ${total / size} values but its shape [${dims.join(', ')}] needs ${count}`);
  const values = new Float64Array(count);
  let at = 0;
  for (const c of chunks) {
    const view = new DataView(c.buffer, c.byteOffset, c.length);
    for (let o = 0; o < c.length; o += size) values[at++] = size === 8 ? view.getFloat64(o, true) : view.getFloat32(o, true);
  }
  return { name, dims, values, dtype: size === 8 ? 'float64' : 'float32' };
}

function readAttribute(buf: Uint8Array, what: string): Attribute {
  const m = fields(buf, what);
  const a: Attribute = { name: one(m, 1) ? asString(one(m, 1) as ProtoValue, what) : '' };
  const f = one(m, 2);
  if (f !== undefined) a.f = asFloat32(f, what);
  const i = one(m, 3);
  if (i !== undefined) a.i = asInt(i, what);
  const ints = m.get(8);
  if (ints !== undefined) a.ints = ints.flatMap((v) => asInts(v, what));
  return a;
}

function readNode(buf: Uint8Array, index: number): OnnxNode {
  const what = `node ${index + 1}`;
  const m = fields(buf, what);
  const str = (f: number): string[] => (m.get(f) ?? []).map((v) => asString(v, what));
  const attrs = new Map<string, Attribute>();
  for (const v of m.get(5) ?? []) {
    const a = readAttribute(asBytes(v, what), what);
    attrs.set(a.name, a);
  }
  return { index, name: str(3)[0] ?? '', op: str(4)[0] ?? '', domain: str(7)[0] ?? '', inputs: str(1), outputs: str(2), attrs };
}

function readValueInfo(buf: Uint8Array, what: string): ValueInfo {
  const m = fields(buf, what);
  const name = one(m, 1) ? asString(one(m, 1) as ProtoValue, what) : '';
  const dims: (number | undefined)[] = [];
  const type = one(m, 2);
  if (type !== undefined) {
    const tensorType = one(fields(asBytes(type, what), what), 1);
    const shape = tensorType === undefined ? undefined : one(fields(asBytes(tensorType, what), what), 2);
    if (shape !== undefined) {
      for (const d of fields(asBytes(shape, what), what).get(1) ?? []) {
        const dv = one(fields(asBytes(d, what), what), 1);
        dims.push(dv === undefined ? undefined : asInt(dv, what));
      }
    }
  }
  return { name, dims };
}

/** Describes a node for messages: its name (or position) and operator. */
function label(n: OnnxNode): string {
  return `node ${n.index + 1}${n.name ? ` '${n.name}'` : ''} (${n.op || 'no op_type'})`;
}

const ACTIVATION_OPS: Record<string, ActivationName> = {
  Sigmoid: 'sigmoid', Tanh: 'tanh', Relu: 'relu', LeakyRelu: 'leaky-relu', Elu: 'elu', Softplus: 'softplus', Softmax: 'softmax',
};

export interface ImportedNet {
  /** The `.net.json` text (validated by the format's own parser). */
  text: string;
  /** Element type of the weights in the model. */
  dtype: 'float32' | 'float64';
  layers: { units: number; activation: ActivationName; weights: number[][]; biases: number[] }[];
  inputs: number;
  loss: LossName;
}

/** The network of an ONNX model file's bytes; throws ImportError (or says why it is not a model). */
export function importOnnx(bytes: Uint8Array, name: string): ImportedNet {
  if (bytes.length > MAX_ONNX_BYTES) throw new ImportError(`the model is ${bytes.length} bytes; import reads at most ${MAX_ONNX_BYTES}`);
  try {
    return importModel(bytes, name);
  } catch (e) {
    if (e instanceof ProtoError) throw new ImportError(`this is not a valid ONNX model (${e.message})`);
    throw e;
  }
}

function importModel(bytes: Uint8Array, name: string): ImportedNet {
  const model = fields(bytes, 'the model');
  const graphV = one(model, 7);
  if (graphV === undefined) throw new ImportError('this is not an ONNX model: it has no graph (ModelProto field 7)');
  const opsets = (model.get(8) ?? []).map((v) => fields(asBytes(v, 'opset_import'), 'opset_import'));
  if (!opsets.some((o) => { const d = one(o, 1); return d === undefined || asString(d, 'opset_import') === '' || asString(d, 'opset_import') === 'ai.onnx'; })) {
    throw new ImportError('this is not a complete ONNX model: it imports no operator set of the standard domain (ModelProto field 8)');
  }
  let loss: string | undefined;
  for (const p of model.get(14) ?? []) {
    const kv = fields(asBytes(p, 'metadata'), 'metadata');
    const k = one(kv, 1);
    const v = one(kv, 2);
    if (k && v && asString(k, 'metadata') === 'backprop.loss') loss = asString(v, 'metadata');
  }
  const graph = fields(asBytes(graphV, 'the graph'), 'the graph');
  const nodeBufs = graph.get(1) ?? [];
  if (nodeBufs.length > MAX_NODES) throw new ImportError(`the graph has ${nodeBufs.length} nodes; import reads at most ${MAX_NODES}`);
  const nodes = nodeBufs.map((v, i) => readNode(asBytes(v, `node ${i + 1}`), i));
  const inits = new Map<string, Tensor>();
  for (const v of graph.get(5) ?? []) {
    const t = readTensor(asBytes(v, 'an initializer'), 'an initializer');
    inits.set(t.name, t);
  }
  const inputs = (graph.get(11) ?? []).map((v) => readValueInfo(asBytes(v, 'a graph input'), 'a graph input')).filter((vi) => !inits.has(vi.name));
  const outputs = (graph.get(12) ?? []).map((v) => readValueInfo(asBytes(v, 'a graph output'), 'a graph output'));
  if (inputs.length === 0) throw new ImportError('the graph has no input');
  if (outputs.length === 0) throw new ImportError('the graph has no output');

  let pos = 0;
  const unsupported = (n: OnnxNode, why: string): ImportError => new ImportError(`${label(n)} is not supported: ${why}`);
  const weight = (n: OnnxNode, input: string | undefined, role: string): Tensor => {
    const t = input === undefined ? undefined : inits.get(input);
    if (t === undefined) throw unsupported(n, `its ${role} '${input ?? ''}' is not a constant initializer (import reads dense layers with stored weights)`);
    return t;
  };
  const attrInt = (n: OnnxNode, a: string, dflt: number): number => n.attrs.get(a)?.i ?? dflt;
  const attrFloat = (n: OnnxNode, a: string, dflt: number): number => n.attrs.get(a)?.f ?? dflt;
  for (const n of nodes) if (n.domain !== '' && n.domain !== 'ai.onnx') throw unsupported(n, `its operator is from the domain '${n.domain}', not the standard one`);

  // the input: one [N, n] tensor, or one [N, 1] tensor per column joined by a Concat
  let x: string;
  let n0: number | undefined;
  if (inputs.length === 1) {
    x = inputs[0].name;
    n0 = inputs[0].dims[1];
  } else {
    const c = nodes[0];
    if (c === undefined || c.op !== 'Concat' || attrInt(c, 'axis', 0) !== 1 || c.inputs.join('\u0000') !== inputs.map((i) => i.name).join('\u0000')) {
      throw new ImportError(`the graph has ${inputs.length} inputs; import needs one input, or one per column joined by a Concat on axis 1 as its first node`);
    }
    x = c.outputs[0];
    n0 = inputs.length;
    pos = 1;
  }
  const layers: ImportedNet['layers'] = [];
  const dtypes = new Set<string>();
  let fanIn = n0;
  while (pos < nodes.length) {
    const n = nodes[pos];
    if (n.op === 'Split' && pos === nodes.length - 1 && layers.length > 0) break;
    if (!n.inputs.includes(x)) throw unsupported(n, `it does not take the previous layer's output '${x}' (import reads a chain of dense layers)`);
    let W: Float64Array;
    let units: number;
    let cols: number;
    let b: Tensor;
    if (n.op === 'Gemm') {
      if (n.inputs[0] !== x) throw unsupported(n, 'its first input must be the previous layer');
      if (attrInt(n, 'transA', 0) !== 0) throw unsupported(n, 'transA = 1');
      if (attrFloat(n, 'alpha', 1) !== 1 || attrFloat(n, 'beta', 1) !== 1) throw unsupported(n, 'alpha and beta must be 1');
      const w = weight(n, n.inputs[1], 'weight B');
      if (w.dims.length !== 2) throw unsupported(n, `its weight has shape [${w.dims.join(', ')}], not a matrix`);
      const transB = attrInt(n, 'transB', 0) === 1;
      [units, cols] = transB ? [w.dims[0], w.dims[1]] : [w.dims[1], w.dims[0]];
      W = transB ? w.values : transpose(w.values, w.dims[0], w.dims[1]);
      dtypes.add(w.dtype);
      if (n.inputs[2] === undefined || n.inputs[2] === '') b = { name: '', dims: [units], values: new Float64Array(units), dtype: w.dtype };
      else b = weight(n, n.inputs[2], 'bias C');
      x = n.outputs[0];
      pos++;
    } else if (n.op === 'MatMul') {
      if (n.inputs[0] !== x) throw unsupported(n, 'its first input must be the previous layer');
      const w = weight(n, n.inputs[1], 'weight');
      if (w.dims.length !== 2) throw unsupported(n, `its weight has shape [${w.dims.join(', ')}], not a matrix`);
      [cols, units] = w.dims;
      W = transpose(w.values, cols, units);
      dtypes.add(w.dtype);
      const add = nodes[pos + 1];
      const mm = n.outputs[0];
      if (add === undefined || add.op !== 'Add' || !add.inputs.includes(mm)) {
        throw unsupported(add ?? n, add === undefined ? 'a MatMul must be followed by an Add of the bias' : `after MatMul ${label(n)} import expects an Add of the bias`);
      }
      b = weight(add, add.inputs[0] === mm ? add.inputs[1] : add.inputs[0], 'bias');
      x = add.outputs[0];
      pos += 2;
    } else {
      throw unsupported(n, ACTIVATION_OPS[n.op] !== undefined ? 'an activation must follow a Gemm or MatMul + Add layer' : `the operator ${n.op} is not a dense layer or a supported activation (Gemm, MatMul + Add, ${Object.keys(ACTIVATION_OPS).join(', ')})`);
    }
    const bLen = b.values.length;
    if (bLen !== units || !(b.dims.length === 1 || (b.dims.length === 2 && b.dims[0] === 1))) {
      throw unsupported(nodes[pos - 1], `its bias has shape [${b.dims.join(', ')}]; a layer of ${units} units needs [${units}]`);
    }
    dtypes.add(b.dtype);
    if (fanIn !== undefined && cols !== fanIn) throw unsupported(nodes[pos - 1], `its weight expects ${cols} inputs but the previous layer has ${fanIn}`);
    if (units < 1 || units > LIMITS.maxUnits) throw unsupported(nodes[pos - 1], `a layer of ${units} units`);
    let activation: ActivationName = 'linear';
    const a = nodes[pos];
    if (a !== undefined && ACTIVATION_OPS[a.op] !== undefined && a.inputs[0] === x) {
      activation = ACTIVATION_OPS[a.op];
      if (a.op === 'LeakyRelu' && Math.abs(attrFloat(a, 'alpha', 0.01) - 0.01) > 1e-9) throw unsupported(a, `LeakyRelu with alpha ${attrFloat(a, 'alpha', 0.01)}; Backprop Studio's leaky-relu has slope 0.01`);
      if (a.op === 'Elu' && attrFloat(a, 'alpha', 1) !== 1) throw unsupported(a, `Elu with alpha ${attrFloat(a, 'alpha', 1)}; Backprop Studio's elu has alpha 1`);
      if (a.op === 'Softmax' && ![1, -1].includes(attrInt(a, 'axis', -1))) throw unsupported(a, 'Softmax over an axis other than the units (axis 1)');
      x = a.outputs[0];
      pos++;
    }
    for (const v of [...W, ...b.values]) if (!Number.isFinite(v)) throw unsupported(nodes[pos - 1], 'a weight or bias is not a finite number');
    const weights: number[][] = [];
    for (let j = 0; j < units; j++) weights.push(Array.from(W.subarray(j * cols, (j + 1) * cols)));
    layers.push({ units, activation, weights, biases: Array.from(b.values) });
    fanIn = units;
    if (n0 === undefined) n0 = cols;
  }
  if (layers.length === 0) throw new ImportError('the graph has no dense layer (Gemm or MatMul + Add)');
  const last = nodes[pos];
  const finalOutputs = last !== undefined ? last.outputs : [x];
  if (last !== undefined) {
    if (attrInt(last, 'axis', 0) !== 1 || last.inputs[0] !== x || last.outputs.length !== layers[layers.length - 1].units) {
      throw unsupported(last, 'a final Split must split the output units one per graph output (axis 1)');
    }
  }
  if (finalOutputs.join('\u0000') !== outputs.map((o) => o.name).join('\u0000')) {
    throw new ImportError(`the graph's outputs (${outputs.map((o) => o.name).join(', ')}) are not the output of its last layer ('${finalOutputs.join(', ')}')`);
  }
  layers.forEach((l, i) => {
    if (l.activation === 'softmax' && i !== layers.length - 1) throw new ImportError(`layer ${i + 1} is a Softmax; Backprop Studio allows softmax only in the output layer`);
  });
  const outAct = layers[layers.length - 1].activation;
  const lossOk = (l: string): l is LossName =>
    (LOSSES as readonly string[]).includes(l) && (l !== 'cross-entropy' || outAct === 'softmax') && (l !== 'binary-cross-entropy' || outAct === 'sigmoid');
  const lossName: LossName = loss !== undefined && lossOk(loss) ? loss : defaultLoss(outAct);
  const inputsN = n0 as number;
  const text = netJsonText(name, inputsN, layers, lossName);
  const parsed = parseNet(text, `${name}.net.json`);
  const err = parsed.problems.find((p) => p.severity === 'error');
  if (err !== undefined || parsed.spec === undefined) throw new ImportError(`the imported network is not valid: ${err?.message ?? 'unknown problem'}`);
  return { text, dtype: dtypes.has('float32') ? 'float32' : 'float64', layers, inputs: inputsN, loss: lossName };
}

function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c];
  return out;
}

/** A readable `.net.json`: one weight row per line; numbers in the shortest form that reads back exactly. */
function netJsonText(name: string, inputs: number, layers: ImportedNet['layers'], loss: LossName): string {
  const num = (v: number): string => JSON.stringify(v);
  const row = (r: number[]): string => `[${r.map(num).join(', ')}]`;
  const parts = layers.map((l) => {
    const rows = l.weights.map((r) => `        ${row(r)}`).join(',\n');
    return `    {\n      "units": ${l.units},\n      "activation": "${l.activation}",\n      "weights": [\n${rows}\n      ],\n      "biases": ${row(l.biases)}\n    }`;
  });
  return `{\n  "name": ${JSON.stringify(name)},\n  "layers": [\n    { "units": ${inputs} },\n${parts.join(',\n')}\n  ],\n  "loss": "${loss}"\n}\n`;
}
