/**
 * An independent scalar reverse-mode autograd in float64, used as an oracle for the engine.
 *
 * Written from scratch in the style of micrograd: every operation creates a Value and defines its
 * local derivatives right beside it; `backward()` walks the graph in reverse topological order
 * and accumulates gradients with +=. It imports NOTHING from src/: the networks, activations and
 * losses below are rebuilt from their textbook formulas, so a shared mistake is impossible.
 */

export class Value {
  grad = 0;
  /** Pushes this node's gradient to its parents (set by the operation that made it). */
  private propagate: () => void = () => undefined;

  constructor(
    readonly data: number,
    private readonly parents: readonly Value[] = [],
  ) {}

  static of(x: number | Value): Value {
    return x instanceof Value ? x : new Value(x);
  }

  add(other: number | Value): Value {
    const o = Value.of(other);
    const out = new Value(this.data + o.data, [this, o]);
    out.propagate = () => {
      this.grad += out.grad; // d(a+b)/da = 1
      o.grad += out.grad; // d(a+b)/db = 1
    };
    return out;
  }

  mul(other: number | Value): Value {
    const o = Value.of(other);
    const out = new Value(this.data * o.data, [this, o]);
    out.propagate = () => {
      this.grad += o.data * out.grad; // d(ab)/da = b
      o.grad += this.data * out.grad; // d(ab)/db = a
    };
    return out;
  }

  neg(): Value {
    return this.mul(-1);
  }

  sub(other: number | Value): Value {
    return this.add(Value.of(other).neg());
  }

  /** a / b = a · b^-1 */
  div(other: number | Value): Value {
    return this.mul(Value.of(other).recip());
  }

  recip(): Value {
    const out = new Value(1 / this.data, [this]);
    out.propagate = () => {
      this.grad += (-1 / (this.data * this.data)) * out.grad; // d(1/a)/da = -1/a²
    };
    return out;
  }

  exp(): Value {
    const e = Math.exp(this.data);
    const out = new Value(e, [this]);
    out.propagate = () => {
      this.grad += e * out.grad; // d e^a / da = e^a
    };
    return out;
  }

  log(): Value {
    const out = new Value(Math.log(this.data), [this]);
    out.propagate = () => {
      this.grad += out.grad / this.data; // d log a / da = 1/a
    };
    return out;
  }

  tanh(): Value {
    const t = Math.tanh(this.data);
    const out = new Value(t, [this]);
    out.propagate = () => {
      this.grad += (1 - t * t) * out.grad; // d tanh a / da = 1 - tanh² a
    };
    return out;
  }

  /** max(a, c) for a constant c; derivative 1 where a >= c (the right side at the kink). */
  maxConst(c: number): Value {
    const out = new Value(this.data >= c ? this.data : c, [this]);
    out.propagate = () => {
      this.grad += (this.data >= c ? 1 : 0) * out.grad;
    };
    return out;
  }

  /** a if a >= 0 else s·a; derivative 1 or s (right side at 0). */
  leaky(s: number): Value {
    const pos = this.data >= 0;
    const out = new Value(pos ? this.data : s * this.data, [this]);
    out.propagate = () => {
      this.grad += (pos ? 1 : s) * out.grad;
    };
    return out;
  }

  /** a if a >= 0 else e^a - 1; derivative 1 or e^a. */
  elu(): Value {
    const pos = this.data >= 0;
    const e = Math.exp(this.data);
    const out = new Value(pos ? this.data : e - 1, [this]);
    out.propagate = () => {
      this.grad += (pos ? 1 : e) * out.grad;
    };
    return out;
  }

  square(): Value {
    return this.mul(this);
  }

  /** Reverse-mode sweep from this (scalar) node. */
  backward(): void {
    const order: Value[] = [];
    const seen = new Set<Value>();
    // iterative post-order DFS (graphs here are deep chains of sums)
    const stack: { node: Value; next: number }[] = [{ node: this, next: 0 }];
    seen.add(this);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.next < top.node.parents.length) {
        const p = top.node.parents[top.next++];
        if (!seen.has(p)) {
          seen.add(p);
          stack.push({ node: p, next: 0 });
        }
      } else {
        order.push(top.node);
        stack.pop();
      }
    }
    this.grad = 1;
    for (let i = order.length - 1; i >= 0; i--) order[i].propagate();
  }
}

export function sum(values: readonly Value[]): Value {
  let s = new Value(0);
  for (const v of values) s = s.add(v);
  return s;
}

// ---- activations, from their definitions ----

export type OracleActivation = 'sigmoid' | 'tanh' | 'relu' | 'leaky-relu' | 'elu' | 'softplus' | 'linear' | 'softmax';

/** Element-wise activation from its definition (no stabilisation tricks beyond what the range needs). */
export function activation(name: Exclude<OracleActivation, 'softmax'>, z: Value): Value {
  switch (name) {
    case 'sigmoid':
      return new Value(1).div(new Value(1).add(z.neg().exp())); // 1 / (1 + e^-z)
    case 'tanh':
      return z.tanh();
    case 'relu':
      return z.maxConst(0);
    case 'leaky-relu':
      return z.leaky(0.01);
    case 'elu':
      return z.elu();
    case 'softplus':
      return z.exp().add(1).log(); // log(1 + e^z)
    case 'linear':
      return z;
  }
}

/** softmax(z)_j = e^{z_j} / sum_k e^{z_k}, shifted by the (constant) max for range only. */
export function softmax(z: readonly Value[]): Value[] {
  const m = Math.max(...z.map((v) => v.data));
  const e = z.map((v) => v.sub(m).exp());
  const s = sum(e);
  return e.map((v) => v.div(s));
}

// ---- losses ----

export type OracleLoss = 'half-squared-error' | 'mse' | 'cross-entropy' | 'binary-cross-entropy';

export function loss(name: OracleLoss, y: readonly Value[], t: readonly number[]): Value {
  switch (name) {
    case 'half-squared-error':
      return sum(y.map((yk, k) => yk.sub(t[k]).square())).mul(0.5);
    case 'mse':
      return sum(y.map((yk, k) => yk.sub(t[k]).square())).div(y.length);
    case 'cross-entropy':
      return sum(y.map((yk, k) => yk.log().mul(t[k]))).neg();
    case 'binary-cross-entropy':
      return sum(y.map((yk, k) => yk.log().mul(t[k]).add(new Value(1).sub(yk).log().mul(1 - t[k])))).neg();
  }
}

// ---- a dense network ----

export interface OracleLayer {
  activation: OracleActivation;
  /** weights[j][k] = w_jk */
  weights: number[][];
  biases: number[];
}

export interface OracleResult {
  loss: number;
  /** gradW[l][j][k], gradB[l][j], l = 0 for the first non-input layer */
  gradW: number[][][];
  gradB: number[][];
}

/** Mean loss over the samples plus (l2/2)·Σw², and its gradient with respect to every weight and bias. */
export function networkLossAndGradient(
  layers: readonly OracleLayer[],
  lossName: OracleLoss,
  inputs: readonly number[][],
  targets: readonly number[][],
  l2: number,
): OracleResult {
  const W = layers.map((layer) => layer.weights.map((row) => row.map((w) => new Value(w))));
  const B = layers.map((layer) => layer.biases.map((b) => new Value(b)));
  const perSample = inputs.map((x, s) => {
    let o: Value[] = x.map((v) => new Value(v));
    layers.forEach((layer, l) => {
      const z = W[l].map((row, j) => sum(row.map((w, k) => w.mul(o[k]))).add(B[l][j]));
      o = layer.activation === 'softmax' ? softmax(z) : z.map((zj) => activation(layer.activation as Exclude<OracleActivation, 'softmax'>, zj));
    });
    return loss(lossName, o, targets[s]);
  });
  let total = sum(perSample).div(inputs.length);
  if (l2 !== 0) total = total.add(sum(W.flat(2).map((w) => w.square())).mul(l2 / 2));
  total.backward();
  return {
    loss: total.data,
    gradW: W.map((m) => m.map((row) => row.map((w) => w.grad))),
    gradB: B.map((v) => v.map((b) => b.grad)),
  };
}
