/**
 * The step-through of one forward and backward pass, in the notes' words and symbols, built from
 * the engine's trace of one sample. Pure (no DOM): the stepper view typesets what this returns,
 * and the unit tests check that every number in it is the engine's own.
 *
 * The notes write the delta rule with the opposite sign of the engine: their
 *   Delta_k = (y_k - a_k) g'(in_k)   (y the target, a the output, in the net input)
 * is -delta_k, where the engine's delta_k = dE/dnet_k. This model shows the notes' Delta, obtained
 * from the engine's delta by the exact sign flip Delta = -delta; every other number shown is a
 * number of the trace (net, out, fprime, backSum, dEdy, loss, W, b, uW, ub), never recomputed.
 * The only arithmetic here is negation, which is exact in float64.
 */
import type { LayerView, NetworkView, TraceView } from '../src/shared/protocol';
import { formatFull, formatLatex, formatNumber, latexFactor, paramName } from './format';

/** Which quantity a shown number is; with `layer`, `unit` (and `k`) it names the number exactly. */
export type Quantity =
  | 'x' | 't' | 'net' | 'out' | 'fprime' | 'negdEdy' | 'Delta' | 'sumWDelta' | 'loss' | 'w' | 'b' | 'uW' | 'ub' | 'newW' | 'newB' | 'learningRate' | 'l2';

export interface Shown {
  quantity: Quantity;
  /** 0 = input layer; 0 for the loss and the learning rate. */
  layer: number;
  /** 0-based unit j (row), or 0 when not per unit. */
  unit: number;
  /** 0-based k (column) for weights. */
  k?: number;
  value: number;
  /** formatNumber(value): what the student reads. */
  text: string;
  /** formatFull(value): the exact float64, for the title. */
  full: string;
}

/** One formula instance with its numbers, e.g. the delta of one unit. */
export interface StepLine {
  latex: string;
  shown: Shown[];
  /** The unit (layer, 0-based index) this line is about, for highlighting in the graph. */
  layer: number;
  unit: number;
}

export type Phase = 'start' | 'forward' | 'loss' | 'backward' | 'update';

export interface Step {
  id: string;
  phase: Phase;
  /** The layer the step works on (0 for the start, L for the loss). */
  layer: number;
  title: string;
  /** Plain-text explanation, one paragraph per entry. */
  text: string[];
  /** The general rule(s), KaTeX source. */
  general: string[];
  lines: StepLine[];
}

export interface StepInput {
  trace: TraceView;
  /** The network's layers 1..L (index 0 = layer 1): activations and shapes. */
  layers: readonly Pick<LayerView, 'layer' | 'units' | 'inputs' | 'activation'>[];
  loss: string;
  optimizer?: string;
  batchSize?: number;
}

/** Sums with at most this many terms are written out term by term. */
export const MAX_TERMS = 6;

const IN = '\\mathrm{in}';

function shown(quantity: Quantity, layer: number, unit: number, value: number, k?: number): Shown {
  const s: Shown = { quantity, layer, unit, value, text: formatNumber(value), full: formatFull(value) };
  if (k !== undefined) s.k = k;
  return s;
}

/** LaTeX names in the notes' symbols; unit numbers 1-based. */
const sym = {
  a: (l: number, j: number): string => `a^{${l}}_{${j + 1}}`,
  in: (l: number, j: number): string => `${IN}^{${l}}_{${j + 1}}`,
  D: (l: number, j: number): string => `\\Delta^{${l}}_{${j + 1}}`,
  y: (j: number): string => `y_{${j + 1}}`,
  w: (l: number, j: number, k: number): string => paramName(l, 'w', j, k).latex,
  b: (l: number, j: number): string => paramName(l, 'b', j).latex,
};

function gName(activation: string): string {
  return `\\operatorname{${activation.replace(/-/g, '\\text{-}')}}`;
}

/** The steps of a trace of `network`, from the worker's snapshot of it (what the stepper shows). */
export function stepsOf(network: Pick<NetworkView, 'layers' | 'loss' | 'optimizer' | 'batchSize'>, trace: TraceView): Step[] {
  return buildSteps({ trace, layers: network.layers, loss: network.loss, optimizer: network.optimizer, batchSize: network.batchSize });
}

/** Builds every step for the trace: start, forward per layer, loss, output deltas, hidden deltas, updates. */
export function buildSteps(input: StepInput): Step[] {
  const { trace, layers } = input;
  const L = layers.length;
  if (trace.net.length !== L + 1 || trace.delta.length !== L + 1) {
    throw new Error(`trace has ${trace.net.length - 1} layers, the network ${L}`);
  }
  const steps: Step[] = [startStep(input)];
  for (let l = 1; l <= L; l++) steps.push(forwardStep(input, l));
  steps.push(lossStep(input));
  steps.push(outputDeltaStep(input));
  for (let l = L - 1; l >= 1; l--) steps.push(hiddenDeltaStep(input, l));
  for (let l = L; l >= 1; l--) steps.push(updateStep(input, l));
  return steps;
}

function startStep({ trace }: StepInput): Step {
  const lines: StepLine[] = [];
  trace.x.forEach((x, k) => {
    lines.push({ latex: `${sym.a(0, k)} = x_{${k + 1}} = ${formatLatex(x)}`, shown: [shown('x', 0, k, x)], layer: 0, unit: k });
  });
  trace.t.forEach((t, k) => {
    lines.push({ latex: `${sym.y(k)} = ${formatLatex(t)}`, shown: [shown('t', trace.net.length - 1, k, t)], layer: trace.net.length - 1, unit: k });
  });
  return {
    id: 'start',
    phase: 'start',
    layer: 0,
    title: `Sample ${trace.sample + 1}: the input and its target`,
    text: [
      'The notes\' symbols: in = the net input of a unit, a = its output (activation), g = the layer\'s activation function, y = the target, α = the learning rate.',
      'The input units just pass the sample\'s values on: a⁰ₖ = xₖ. The targets y are what the output layer should produce.',
      'Sign convention: this view shows the notes\' Δ = −δ, where δ = ∂E/∂in is the engine\'s delta (what the gradient check and the CLI report). Both give the same weight update.',
    ],
    general: [],
    lines,
  };
}

function forwardStep({ trace, layers }: StepInput, l: number): Step {
  const layer = layers[l - 1];
  const n = layer.inputs;
  const W = trace.W[l];
  const lines: StepLine[] = [];
  for (let j = 0; j < layer.units; j++) {
    const netV = trace.net[l][j];
    const outV = trace.out[l][j];
    const parts: string[] = [];
    const nums: Shown[] = [];
    if (n <= MAX_TERMS) {
      for (let k = 0; k < n; k++) {
        const w = W[j * n + k];
        const a = trace.out[l - 1][k];
        parts.push(`${latexFactor(w)}\\cdot${latexFactor(a)}`);
        nums.push(shown('w', l, j, w, k), shown('out', l - 1, k, a));
      }
      parts.push(latexFactor(trace.b[l][j]));
      nums.push(shown('b', l, j, trace.b[l][j]));
    }
    const sum = n <= MAX_TERMS ? ` = ${parts.join(' + ')}` : '';
    nums.push(shown('net', l, j, netV), shown('out', l, j, outV));
    lines.push({
      latex:
        `\\begin{aligned} ${sym.in(l, j)} &= \\textstyle\\sum_k w^{${l}}_{${pair(String(j + 1), 'k')}}\\, a^{${l - 1}}_k + ${sym.b(l, j)}${sum} = ${formatLatex(netV)} \\\\ ` +
        `${sym.a(l, j)} &= ${gName(layer.activation)}(${sym.in(l, j)}) = ${formatLatex(outV)} \\end{aligned}`,
      shown: nums,
      layer: l,
      unit: j,
    });
  }
  const isOut = l === layers.length;
  return {
    id: `forward-${l}`,
    phase: 'forward',
    layer: l,
    title: `Forward: layer ${l} (${isOut ? 'output' : 'hidden'}, ${layer.activation})`,
    text: [
      `Each unit j of layer ${l} adds up its inputs a${supDigits(l - 1)}ₖ weighted by w${supDigits(l)}ⱼₖ (the weight from unit k of layer ${l - 1} to unit j), plus its bias, and passes the sum through ${layer.activation}.`,
      ...(layer.activation === 'softmax' ? ['Softmax is applied to the layer as a whole: aⱼ = e^{inⱼ} / Σᵢ e^{inᵢ}.'] : []),
    ],
    general: [`${IN}_j = \\sum_k w_{jk}\\, a_k + b_j \\qquad a_j = g(${IN}_j)`],
    lines,
  };
}

function lossStep({ trace, loss, layers }: StepInput): Step {
  const L = layers.length;
  const K = layers[L - 1].units;
  const general: Record<string, string> = {
    'half-squared-error': 'E = \\tfrac12 \\sum_k (y_k - a_k)^2',
    mse: 'E = \\tfrac1K \\sum_k (y_k - a_k)^2',
    'cross-entropy': 'E = -\\sum_k y_k \\log a_k',
    'binary-cross-entropy': 'E = -\\sum_k \\left[y_k \\log a_k + (1 - y_k)\\log(1 - a_k)\\right]',
  };
  const nums: Shown[] = [];
  let expanded = '';
  if (K <= MAX_TERMS && (loss === 'half-squared-error' || loss === 'mse')) {
    const terms: string[] = [];
    for (let k = 0; k < K; k++) {
      terms.push(`(${formatLatex(trace.t[k])} - ${latexFactor(trace.out[L][k])})^2`);
      nums.push(shown('t', L, k, trace.t[k]), shown('out', L, k, trace.out[L][k]));
    }
    expanded = ` = ${loss === 'mse' ? `\\tfrac1{${K}}` : '\\tfrac12'}\\left(${terms.join(' + ')}\\right)`;
  }
  nums.push(shown('loss', 0, 0, trace.loss));
  return {
    id: 'loss',
    phase: 'loss',
    layer: L,
    title: `The loss of this sample (${loss})`,
    text: ['The loss measures how far the outputs a are from the targets y. Backpropagation computes how it changes with every weight.'],
    general: [general[loss] ?? 'E'],
    lines: [{ latex: `E${expanded} = ${formatLatex(trace.loss)}`, shown: nums, layer: L, unit: 0 }],
  };
}

function outputDeltaStep({ trace, layers, loss }: StepInput): Step {
  const L = layers.length;
  const act = layers[L - 1].activation;
  const lines: StepLine[] = [];
  const fused = (loss === 'cross-entropy' && act === 'softmax') || (loss === 'binary-cross-entropy' && act === 'sigmoid');
  let general: string;
  let text: string;
  if (fused) {
    general = `\\Delta_k = y_k - a_k`;
    text = `With ${act} outputs and ${loss}, the factor g'(inₖ) cancels against the loss's derivative: the output delta is simply target minus output.`;
  } else if (act === 'softmax') {
    general = `\\Delta_k = -\\frac{\\partial E}{\\partial ${IN}_k}`;
    text = 'Softmax couples the outputs, so the delta goes through its whole Jacobian; shown is the engine\'s result with the notes\' sign.';
  } else if (loss === 'half-squared-error') {
    general = `\\Delta_k = (y_k - a_k)\\, g'(${IN}_k)`;
    text = 'The notes\' output rule: the error (target minus output) times the slope of the activation at the unit\'s net input.';
  } else {
    general = `\\Delta_k = -\\frac{\\partial E}{\\partial a_k}\\, g'(${IN}_k)`;
    text = `For ${loss}, the error term is −∂E/∂aₖ${loss === 'mse' ? ' = (2/K)(yₖ − aₖ)' : ''}; it is multiplied by the slope of the activation.`;
  }
  for (let k = 0; k < layers[L - 1].units; k++) {
    const Delta = -trace.delta[L][k];
    const y = trace.t[k];
    const a = trace.out[L][k];
    const fp = trace.fprime[L][k];
    const nums: Shown[] = [];
    let middle: string;
    if (fused) {
      middle = ` = ${sym.y(k)} - ${sym.a(L, k)} = ${formatLatex(y)} - ${latexFactor(a)}`;
      nums.push(shown('t', L, k, y), shown('out', L, k, a));
    } else if (act === 'softmax') {
      middle = '';
    } else if (loss === 'half-squared-error') {
      middle = ` = (${sym.y(k)} - ${sym.a(L, k)})\\, g'(${sym.in(L, k)}) = (${formatLatex(y)} - ${latexFactor(a)})\\cdot ${latexFactor(fp)}`;
      nums.push(shown('t', L, k, y), shown('out', L, k, a), shown('fprime', L, k, fp));
    } else {
      const e = -trace.dEdy[k];
      middle = ` = -\\tfrac{\\partial E}{\\partial ${sym.a(L, k)}}\\, g'(${sym.in(L, k)}) = ${latexFactor(e)}\\cdot ${latexFactor(fp)}`;
      nums.push(shown('negdEdy', L, k, e), shown('fprime', L, k, fp));
    }
    nums.push(shown('Delta', L, k, Delta));
    lines.push({ latex: `${sym.D(L, k)}${middle} = ${formatLatex(Delta)}`, shown: nums, layer: L, unit: k });
  }
  return {
    id: 'output-delta',
    phase: 'backward',
    layer: L,
    title: `Backward: output deltas (layer ${L})`,
    text: [text, 'Δ is the notes\' delta, −δ of the engine: positive Δ means the output should grow.'],
    general: [general],
    lines,
  };
}

function hiddenDeltaStep({ trace, layers }: StepInput, l: number): Step {
  const layer = layers[l - 1];
  const above = layers[l];
  const Wn = trace.W[l + 1];
  const lines: StepLine[] = [];
  for (let j = 0; j < layer.units; j++) {
    const fp = trace.fprime[l][j];
    const sumWD = -trace.backSum[l][j];
    const Delta = -trace.delta[l][j];
    const nums: Shown[] = [shown('fprime', l, j, fp)];
    let expanded = '';
    if (above.units <= MAX_TERMS) {
      const terms: string[] = [];
      for (let k = 0; k < above.units; k++) {
        const w = Wn[k * layer.units + j];
        const Dk = -trace.delta[l + 1][k];
        terms.push(`${latexFactor(w)}\\cdot${latexFactor(Dk)}`);
        nums.push(shown('w', l + 1, k, w, j), shown('Delta', l + 1, k, Dk));
      }
      expanded = ` = ${latexFactor(fp)}\\cdot\\left(${terms.join(' + ')}\\right)`;
    }
    nums.push(shown('sumWDelta', l, j, sumWD), shown('Delta', l, j, Delta));
    lines.push({
      latex:
        `${sym.D(l, j)} = g'(${sym.in(l, j)})\\textstyle\\sum_k w^{${l + 1}}_{${pair('k', String(j + 1))}}\\Delta^{${l + 1}}_k${expanded}` +
        ` = ${latexFactor(fp)}\\cdot ${latexFactor(sumWD)} = ${formatLatex(Delta)}`,
      shown: nums,
      layer: l,
      unit: j,
    });
  }
  return {
    id: `hidden-delta-${l}`,
    phase: 'backward',
    layer: l,
    title: `Backward: hidden deltas (layer ${l})`,
    text: [
      `Each hidden unit j gets its share of the blame: the deltas of layer ${l + 1}, weighted by the weights w${supDigits(l + 1)}ₖⱼ that connect unit j to them, summed, and multiplied by the slope g'(inⱼ) of its own activation.`,
    ],
    general: [`\\Delta_j = g'(${IN}_j) \\sum_k w_{kj}\\, \\Delta_k`],
    lines,
  };
}

function updateStep({ trace, layers, optimizer, batchSize }: StepInput, l: number): Step {
  const layer = layers[l - 1];
  const n = layer.inputs;
  const learningRate = trace.learningRate;
  const l2 = trace.l2;
  const lines: StepLine[] = [];
  for (let j = 0; j < layer.units; j++) {
    const Delta = -trace.delta[l][j];
    for (let k = 0; k < n; k++) {
      const w = trace.W[l][j * n + k];
      const a = trace.out[l - 1][k];
      const u = trace.uW[l][j * n + k];
      const after = trace.newW[l][j * n + k];
      const name = sym.w(l, j, k);
      const shownW: Shown[] = [shown('w', l, j, w, k), shown('learningRate', 0, 0, learningRate), shown('out', l - 1, k, a), shown('Delta', l, j, Delta)];
      let rule: string;
      let numbers: string;
      if (l2 > 0) {
        // The l2 term: training adds λ·w to each weight's gradient, so the notes' rule gains −αλw.
        rule = `${name} + \\alpha\\,(${sym.a(l - 1, k)} ${sym.D(l, j)} - \\lambda\\, ${name})`;
        numbers = `${formatLatex(w)} + ${latexFactor(learningRate)}\\cdot(${latexFactor(a)}\\cdot${latexFactor(Delta)} - ${latexFactor(l2)}\\cdot${latexFactor(w)})`;
        shownW.push(shown('l2', 0, 0, l2));
      } else {
        rule = `${name} + \\alpha\\, ${sym.a(l - 1, k)} ${sym.D(l, j)}`;
        numbers = `${formatLatex(w)} + ${latexFactor(learningRate)}\\cdot${latexFactor(a)}\\cdot${latexFactor(Delta)}`;
      }
      shownW.push(shown('uW', l, j, u, k), shown('newW', l, j, after, k));
      lines.push({
        latex: `${name} \\leftarrow ${rule} = ${numbers} = ${formatLatex(w)} + ${latexFactor(u)} = ${formatLatex(after)}`,
        shown: shownW,
        layer: l,
        unit: j,
      });
    }
    const b = trace.b[l][j];
    const ub = trace.ub[l][j];
    const bAfter = trace.newB[l][j];
    const bn = sym.b(l, j);
    lines.push({
      latex: `${bn} \\leftarrow ${bn} + \\alpha\\, ${sym.D(l, j)} = ${formatLatex(b)} + ${latexFactor(learningRate)}\\cdot${latexFactor(Delta)} = ${formatLatex(b)} + ${latexFactor(ub)} = ${formatLatex(bAfter)}`,
      shown: [shown('b', l, j, b), shown('learningRate', 0, 0, learningRate), shown('Delta', l, j, Delta), shown('ub', l, j, ub), shown('newB', l, j, bAfter)],
      layer: l,
      unit: j,
    });
  }
  const training =
    optimizer && (optimizer !== 'sgd' || (batchSize !== undefined && batchSize > 1))
      ? ` Training itself uses ${optimizer}${batchSize !== undefined && batchSize > 1 ? ` on batches of ${batchSize} samples (the mean of these changes)` : ''}, so its steps differ from this one.`
      : '';
  const decay = l2 > 0
    ? ` With l2 = ${formatNumber(l2)} (λ), training adds λ·w to each weight's gradient, so each weight also shrinks by α·λ·w; biases have no l2 term.`
    : '';
  return {
    id: `update-${l}`,
    phase: 'update',
    layer: l,
    title: `Update: the weights into layer ${l}`,
    text: [
      `Each weight moves by α · (the output of the unit it comes from) · (the Δ of the unit it goes to); each bias by α · Δ. This is the notes' rule for one sample (plain stochastic gradient descent, α = ${formatNumber(learningRate)}).${decay}${training}`,
    ],
    general: [
      l2 > 0
        ? `w_{jk} \\leftarrow w_{jk} + \\alpha\\,(a_k\\, \\Delta_j - \\lambda\\, w_{jk}) \\qquad b_j \\leftarrow b_j + \\alpha\\, \\Delta_j`
        : `w_{jk} \\leftarrow w_{jk} + \\alpha\\, a_k\\, \\Delta_j \\qquad b_j \\leftarrow b_j + \\alpha\\, \\Delta_j`,
    ],
    lines,
  };
}

/** Two indices as one subscript, comma-separated when either has two digits (as in paramName). */
function pair(a: string, b: string): string {
  return a.length > 1 || b.length > 1 ? `${a},${b}` : `${a}${b}`;
}

const SUP = '⁰¹²³⁴⁵⁶⁷⁸⁹';
function supDigits(n: number): string {
  return String(n)
    .split('')
    .map((d) => SUP[Number(d)])
    .join('');
}
