/**
 * The Python (PyTorch) code of an exported network, in sections that the script (pytorch.ts) joins
 * into one file and the notebook (notebook.ts) puts into cells. docs/export.md describes what the
 * code does; the conventions it makes explicit are the engine's own:
 *   - activations with the engine's derivatives (relu' (0) = 1, the right side at the kink;
 *     softplus as max(x, 0) + log1p(e^-|x|) with derivative sigmoid(x));
 *   - the loss per sample as in losses.ts (log(y) with y raised to 5e-324 only where it is 0), the
 *     batch loss the mean over the batch, plus (l2/2)·Σ w² over weights only;
 *   - softmax + cross-entropy and sigmoid + binary cross-entropy back-propagate the engine's
 *     delta (y·Σt - t, and y - t) directly;
 *   - sgd w += -lr·g; momentum v = mu·v - lr·g, w += v; adam as optimizers.ts (bias correction,
 *     ε added to √v̂);
 *   - the shuffle: the engine's seeded generator (rng.ts, sfc32 seeded by splitmix32) ported to
 *     Python integer arithmetic, so every epoch's order is the engine's for any data size.
 */
import type { LayerParameters } from '../init';
import type { NetSpec } from '../spec';

/** Where the script takes its training data from. */
export type PythonData =
  | { kind: 'embed'; inputs: readonly Float64Array[]; targets: readonly Float64Array[] }
  | {
      kind: 'csv';
      /** The CSV file's path relative to the script's folder (or absolute). */
      path: string;
      inputs: readonly string[];
      targets?: readonly string[];
      label?: string;
      classNames?: readonly string[];
      /** Rows of the file (0-based, after the header) that are the training set, in order; undefined = all. */
      rows?: readonly number[];
    };

export interface PythonExportInput {
  spec: NetSpec;
  /** The `.net.json` file's name, for the header. */
  sourceName: string;
  /** Starting parameters of layers 1..L. */
  params: readonly LayerParameters[];
  /** What the engine computed at the starting parameters over the whole training set (float64). */
  expected: { loss: number; grads: readonly { W: Float64Array; b: Float64Array }[] };
  /** Number of training samples (for the self-check's message and a guard on the data). */
  samples: number;
  data: PythonData;
}

/** A float literal that Python reads back to the same double. */
export function pyNum(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`cannot write the non-finite number ${x} into Python code`);
  const s = String(x);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

const pyStr = (s: string): string => JSON.stringify(s); // a JSON string is a valid Python string literal

function pyRow(a: ArrayLike<number>): string {
  return `[${Array.from(a, pyNum).join(', ')}]`;
}

function pyMatrix(W: Float64Array, rows: number, cols: number, indent: string): string {
  const lines: string[] = [];
  for (let j = 0; j < rows; j++) lines.push(`${indent}  ${pyRow(W.subarray(j * cols, (j + 1) * cols))},`);
  return `[\n${lines.join('\n')}\n${indent}]`;
}

function pyParams(blocks: readonly { W: Float64Array; b: Float64Array }[], sizes: readonly number[]): string {
  const parts = blocks.map((p, i) => `  (  # layer ${i + 1}: weights ${sizes[i + 1]}x${sizes[i]}, biases\n    ${pyMatrix(p.W, sizes[i + 1], sizes[i], '    ')},\n    ${pyRow(p.b)},\n  ),`);
  return `[\n${parts.join('\n')}\n]`;
}

export function headerDoc(input: PythonExportInput, kind: 'script' | 'notebook'): string {
  const { spec } = input;
  const t = spec.training;
  const sizes = [spec.inputs, ...spec.layers.map((l) => l.units)];
  const lines = [
    `${spec.name ?? input.sourceName}: exported by Backprop Studio from ${input.sourceName}.`,
    '',
    `Network ${sizes.join('-')} (${spec.layers.map((l) => l.activation).join(', ')}), loss ${spec.loss}, ${t.optimizer} (learning rate ${t.learningRate}), ${t.epochs} epochs, batch size ${t.batchSize ?? 'all'}, seed ${spec.seed}.`,
    'Float64 throughout. The conventions are Backprop Studio\'s, written out below (docs/export.md).',
  ];
  if (t.precision === 'float32') lines.push('Note: the file trains with float32 products in Backprop Studio; this code trains in float64, so the runs agree only to float32 rounding.');
  if (kind === 'script') {
    lines.push('', 'Run alone:            python3 SCRIPT.py [--epochs N] [--save-weights OUT.json]');
    lines.push('On N processes:       torchrun --nproc_per_node=N SCRIPT.py   (DistributedDataParallel: gloo on CPU, nccl on GPU)');
  }
  return lines.join('\n');
}

/** Imports and every constant: sizes, activations, loss, training settings, starting weights, the engine's numbers. */
export function constantsCode(input: PythonExportInput): string {
  const { spec } = input;
  const t = spec.training;
  const sizes = [spec.inputs, ...spec.layers.map((l) => l.units)];
  return `import csv
import json
import math
import os
import sys

import torch

DTYPE = torch.float64
SIZES = ${JSON.stringify(sizes)}
ACTIVATIONS = ${JSON.stringify(spec.layers.map((l) => l.activation))}
LOSS = ${pyStr(spec.loss)}
SEED = ${spec.seed}
TRAINING = {
    "optimizer": ${pyStr(t.optimizer)},
    "learning_rate": ${pyNum(t.learningRate)},
    "epochs": ${t.epochs},
    "batch_size": ${t.batchSize === undefined ? "None,  # all samples" : `${t.batchSize},`}
    "momentum": ${pyNum(t.momentum)},
    "beta1": ${pyNum(t.beta1)},
    "beta2": ${pyNum(t.beta2)},
    "epsilon": ${pyNum(t.epsilon)},
    "l2": ${pyNum(t.l2)},
    "shuffle": ${t.shuffle ? 'True' : 'False'},
}

# The starting weights and biases (the file's, or drawn from its seed by Backprop Studio).
INITIAL_PARAMETERS = ${pyParams(input.params, sizes)}

# What Backprop Studio computed at these weights over the ${input.samples} training samples (float64):
# the loss (mean over the samples, plus the l2 term) and its gradient for every weight and bias.
EXPECTED_LOSS = ${pyNum(input.expected.loss)}
EXPECTED_GRADIENTS = ${pyParams(input.expected.grads, sizes)}
EXPECTED_SAMPLES = ${input.samples}
`;
}

export function dataCode(input: PythonExportInput): string {
  const d = input.data;
  if (d.kind === 'embed') {
    const rows = (a: readonly Float64Array[]): string => `[\n${a.map((r) => `    ${pyRow(r)},`).join('\n')}\n]`;
    return `# The training data, as Backprop Studio loaded it (inputs and targets, one row per sample).
DATA_INPUTS = ${rows(d.inputs)}
DATA_TARGETS = ${rows(d.targets)}


def load_data(device="cpu"):
    """The training inputs X and targets T as float64 tensors."""
    X = torch.tensor(DATA_INPUTS, dtype=DTYPE, device=device).reshape(len(DATA_INPUTS), SIZES[0])
    T = torch.tensor(DATA_TARGETS, dtype=DTYPE, device=device).reshape(len(DATA_TARGETS), SIZES[-1])
    return X, T
`;
  }
  const numericClasses = d.classNames !== undefined && d.classNames.every((n) => /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(n));
  return `# The training data is read from the CSV file, as Backprop Studio reads it: a header row of
# column names, then one sample per non-empty line, cells trimmed.
DATA_FILE = ${pyStr(d.path)}
DATA_INPUT_COLUMNS = ${JSON.stringify(d.inputs)}
DATA_TARGET_COLUMNS = ${d.targets !== undefined ? JSON.stringify(d.targets) : 'None'}
DATA_LABEL_COLUMN = ${d.label !== undefined ? pyStr(d.label) : 'None'}
# A label column's classes in Backprop Studio's class order (${numericClasses ? 'numeric' : 'code-unit'} order); the targets are one-hot.
DATA_CLASSES = ${d.classNames !== undefined ? JSON.stringify(d.classNames) : 'None'}
DATA_NUMERIC_CLASSES = ${numericClasses ? 'True' : 'False'}
# The rows (0-based, after the header) that are the training set${d.rows !== undefined ? ': the file holds out a seeded validation fraction' : ''}.
DATA_ROWS = ${d.rows !== undefined ? `[${d.rows.join(', ')}]` : 'None  # all rows'}


def load_data(device="cpu"):
    """The training inputs X and targets T as float64 tensors."""
    base = os.path.dirname(os.path.abspath(__file__)) if "__file__" in globals() else os.getcwd()
    path = DATA_FILE if os.path.isabs(DATA_FILE) else os.path.join(base, DATA_FILE)
    with open(path, newline="", encoding="utf-8-sig") as f:
        records = [[c.strip() for c in r] for r in csv.reader(f)]
    records = [r for r in records if any(c != "" for c in r)]
    header, body = records[0], records[1:]
    col = {}
    for i, name in enumerate(header):
        col.setdefault(name, i)
    X = [[float(r[col[c]]) for c in DATA_INPUT_COLUMNS] for r in body]
    if DATA_LABEL_COLUMN is not None:
        key = (lambda s: float(s)) if DATA_NUMERIC_CLASSES else (lambda s: s)
        index = {key(name): i for i, name in enumerate(DATA_CLASSES)}
        T = []
        for r in body:
            row = [0.0] * len(DATA_CLASSES)
            row[index[key(r[col[DATA_LABEL_COLUMN]])]] = 1.0
            T.append(row)
    else:
        T = [[float(r[col[c]]) for c in DATA_TARGET_COLUMNS] for r in body]
    if DATA_ROWS is not None:
        X = [X[i] for i in DATA_ROWS]
        T = [T[i] for i in DATA_ROWS]
    X = torch.tensor(X, dtype=DTYPE, device=device).reshape(len(X), SIZES[0])
    T = torch.tensor(T, dtype=DTYPE, device=device).reshape(len(T), SIZES[-1])
    return X, T
`;
}

export const MODEL_CODE = `TINY = 5e-324  # log(y) is log(max(y, 5e-324)): y is raised only where it underflowed to 0


def _elementwise(name, f, df):
    """An activation with Backprop Studio's derivative df(net, out), as an autograd function."""

    class Activation(torch.autograd.Function):
        @staticmethod
        def forward(ctx, z):
            y = f(z)
            ctx.save_for_backward(z, y)
            return y

        @staticmethod
        def backward(ctx, g):
            z, y = ctx.saved_tensors
            return g * df(z, y)

    Activation.__name__ = name
    return Activation.apply


ACTIVATION_FUNCTIONS = {
    # sigmoid' = y (1 - y) and tanh' = 1 - y^2: PyTorch's own derivatives are these formulas.
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    # relu and leaky-relu: the derivative at the kink 0 is the right side's, 1 (PyTorch's relu uses 0).
    "relu": _elementwise("Relu", lambda z: torch.where(z > 0, z, torch.zeros_like(z)), lambda z, y: (z >= 0).to(z.dtype)),
    "leaky-relu": _elementwise(
        "LeakyRelu", lambda z: torch.where(z >= 0, z, 0.01 * z), lambda z, y: torch.where(z >= 0, torch.ones_like(z), torch.full_like(z, 0.01))
    ),
    "elu": _elementwise(
        "Elu", lambda z: torch.where(z >= 0, z, torch.expm1(torch.clamp(z, max=0.0))), lambda z, y: torch.where(z >= 0, torch.ones_like(z), y + 1)
    ),
    # softplus = max(x, 0) + log1p(e^-|x|) for every x (PyTorch's switches to x above 20), derivative sigmoid(x).
    "softplus": _elementwise(
        "Softplus", lambda z: torch.clamp(z, min=0.0) + torch.log1p(torch.exp(-torch.abs(z))), lambda z, y: torch.sigmoid(z)
    ),
    "linear": lambda z: z,
    "softmax": lambda z: torch.softmax(z, dim=1),
}


class Network(torch.nn.Module):
    """The network: layer l computes o_l = f_l(o_{l-1} W_l^T + b_l), W_l of shape (units, inputs)."""

    def __init__(self, parameters=INITIAL_PARAMETERS):
        super().__init__()
        self.layers = torch.nn.ModuleList(torch.nn.Linear(SIZES[i], SIZES[i + 1], dtype=DTYPE) for i in range(len(SIZES) - 1))
        with torch.no_grad():
            for layer, (W, b) in zip(self.layers, parameters):
                layer.weight.copy_(torch.tensor(W, dtype=DTYPE).reshape(layer.weight.shape))
                layer.bias.copy_(torch.tensor(b, dtype=DTYPE))

    def forward(self, x, output_net_input=False):
        """The outputs y; with output_net_input=True the output layer's net input instead (for the loss)."""
        last = len(self.layers) - 1
        for l, (layer, act) in enumerate(zip(self.layers, ACTIVATIONS)):
            x = layer(x)
            if l < last or not output_net_input:
                x = ACTIVATION_FUNCTIONS[act](x)
        return x
`;

/** The engine's generator (rng.ts) in Python: needs only `math`. */
export const RNG_CODE = `class Rng:
    """Backprop Studio's seeded generator (sfc32 seeded by splitmix32, src/engine/rng.ts), in Python."""

    M = 0xFFFFFFFF

    def __init__(self, seed, stream=""):
        h = 0x811C9DC5
        units = stream.encode("utf-16-le")  # FNV-1a over the UTF-16 code units, as in JavaScript
        for i in range(0, len(units), 2):
            h = ((h ^ (units[i] | (units[i + 1] << 8))) * 0x01000193) & Rng.M
        s = (int(seed) & Rng.M) ^ h
        state = []
        for _ in range(4):
            s = (s + 0x9E3779B9) & Rng.M
            z = s
            z = ((z ^ (z >> 16)) * 0x85EBCA6B) & Rng.M
            z = ((z ^ (z >> 13)) * 0xC2B2AE35) & Rng.M
            state.append((z ^ (z >> 16)) & Rng.M)
        self.a, self.b, self.c, self.d = state
        for _ in range(12):
            self.next_uint32()

    def next_uint32(self):
        M = Rng.M
        t = (self.a + self.b + self.d) & M
        self.d = (self.d + 1) & M
        self.a = self.b ^ (self.b >> 9)
        self.b = (self.c + (self.c << 3)) & M
        self.c = ((self.c << 21) | (self.c >> 11)) & M
        self.c = (self.c + t) & M
        return t

    def next(self):
        hi = self.next_uint32() >> 5
        lo = self.next_uint32() >> 6
        return (hi * 67108864 + lo) / 9007199254740992

    def int(self, n):
        return math.floor(self.next() * n)

    def shuffle(self, items):
        for i in range(len(items) - 1, 0, -1):
            j = self.int(i + 1)
            items[i], items[j] = items[j], items[i]
`;

export const TRAINING_CODE = `class _SoftmaxCrossEntropy(torch.autograd.Function):
    """Per-sample -sum_k t_k log y_k with y = softmax(z); backward: Backprop Studio's delta y * sum(t) - t."""

    @staticmethod
    def forward(ctx, z, t):
        y = torch.softmax(z, dim=1)
        ctx.save_for_backward(y, t)
        return -(t * torch.log(torch.clamp(y, min=TINY))).sum(dim=1)

    @staticmethod
    def backward(ctx, g):
        y, t = ctx.saved_tensors
        return g[:, None] * (y * t.sum(dim=1, keepdim=True) - t), None


class _SigmoidBinaryCrossEntropy(torch.autograd.Function):
    """Per-sample -sum_k [t log y + (1 - t) log(1 - y)] with y = sigmoid(z); backward: the delta y - t."""

    @staticmethod
    def forward(ctx, z, t):
        y = torch.sigmoid(z)
        ctx.save_for_backward(y, t)
        return -(t * torch.log(torch.clamp(y, min=TINY)) + (1 - t) * torch.log(torch.clamp(1 - y, min=TINY))).sum(dim=1)

    @staticmethod
    def backward(ctx, g):
        y, t = ctx.saved_tensors
        return g[:, None] * (y - t), None


def sample_losses(model, x, t):
    """E for each sample (no l2 term), Backprop Studio's loss functions."""
    if LOSS == "cross-entropy" and ACTIVATIONS[-1] == "softmax":
        return _SoftmaxCrossEntropy.apply(model(x, output_net_input=True), t)
    if LOSS == "binary-cross-entropy" and ACTIVATIONS[-1] == "sigmoid":
        return _SigmoidBinaryCrossEntropy.apply(model(x, output_net_input=True), t)
    y = model(x)
    if LOSS == "half-squared-error":
        return 0.5 * ((t - y) ** 2).sum(dim=1)  # E = 1/2 sum_k (t_k - y_k)^2, dE/dy = y - t
    if LOSS == "mse":
        return ((t - y) ** 2).sum(dim=1) / y.shape[1]  # E = (1/K) sum_k (t_k - y_k)^2
    if LOSS == "cross-entropy":
        return -(t * torch.log(torch.clamp(y, min=TINY))).sum(dim=1)
    if LOSS == "binary-cross-entropy":
        return -(t * torch.log(torch.clamp(y, min=TINY)) + (1 - t) * torch.log(torch.clamp(1 - y, min=TINY))).sum(dim=1)
    raise ValueError("unknown loss " + LOSS)


def l2_term(model):
    """(l2 / 2) * sum of all squared weights (not biases); exactly 0 when l2 is 0."""
    if TRAINING["l2"] == 0:
        return 0.0
    s = sum((layer.weight**2).sum() for layer in model.layers)
    return (TRAINING["l2"] / 2) * s


def full_loss(model, X, T):
    """The mean loss over all samples plus the l2 term (Backprop Studio's epoch loss)."""
    return sample_losses(model, X, T).sum() / X.shape[0] + l2_term(model)


${RNG_CODE}

class Optimizer:
    """Backprop Studio's optimizers; the gradient already holds l2 * w for the weights.

    sgd:      w <- w - lr g
    momentum: v <- momentum v - lr g;  w <- w + v
    adam:     m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;  u = -lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps);  w <- w + u
    """

    def __init__(self, parameters):
        self.parameters = list(parameters)
        self.t = 0
        self.m = [torch.zeros_like(p) for p in self.parameters]
        self.v = [torch.zeros_like(p) for p in self.parameters]

    @torch.no_grad()
    def step(self):
        self.t += 1
        kind, lr = TRAINING["optimizer"], TRAINING["learning_rate"]
        for i, p in enumerate(self.parameters):
            g = p.grad
            if kind == "sgd":
                p.add_(-lr * g)
            elif kind == "momentum":
                self.v[i] = TRAINING["momentum"] * self.v[i] - lr * g
                p.add_(self.v[i])
            else:
                b1, b2, eps = TRAINING["beta1"], TRAINING["beta2"], TRAINING["epsilon"]
                self.m[i] = b1 * self.m[i] + (1 - b1) * g
                self.v[i] = b2 * self.v[i] + (1 - b2) * g * g
                m_hat = self.m[i] / (1 - b1**self.t)
                v_hat = self.v[i] / (1 - b2**self.t)
                p.add_((-lr * m_hat) / (torch.sqrt(v_hat) + eps))


def parameter_name(l, kind, index, shape):
    if kind == "weights":
        j, k = divmod(index, shape[1])
        return "layer %d weight w[%d][%d] (unit %d, input %d)" % (l, j, k, j + 1, k + 1)
    return "layer %d bias b[%d]" % (l, index)


def self_check(model, X, T):
    """Loss and every gradient at the starting weights must equal Backprop Studio's numbers."""
    if X.shape[0] != EXPECTED_SAMPLES:
        raise SystemExit("self-check failed: the data has %d samples, Backprop Studio had %d" % (X.shape[0], EXPECTED_SAMPLES))
    model.zero_grad()
    loss = full_loss(model, X, T)
    loss.backward()
    scale = max([abs(v) for W, b in EXPECTED_GRADIENTS for v in [x for row in W for x in row] + list(b)] + [0.0])

    def close(a, b, floor):
        return abs(a - b) <= 1e-10 * max(abs(a), abs(b)) or abs(a - b) <= floor

    if not close(loss.item(), EXPECTED_LOSS, 0.0):
        raise SystemExit("self-check failed: the loss is %r here but %r in Backprop Studio" % (loss.item(), EXPECTED_LOSS))
    for l, (layer, (W, b)) in enumerate(zip(model.layers, EXPECTED_GRADIENTS), start=1):
        for kind, got, want in (("weights", layer.weight.grad, W), ("biases", layer.bias.grad, b)):
            flat_want = [x for row in want for x in row] if kind == "weights" else list(want)
            flat_got = got.reshape(-1).tolist()
            for i, (g, w) in enumerate(zip(flat_got, flat_want)):
                if not close(g, w, 1e-13 * scale):
                    name = parameter_name(l, kind, i, tuple(got.shape))
                    raise SystemExit("self-check failed: dE/d %s is %r here but %r in Backprop Studio" % (name, g, w))
    model.zero_grad()
    return loss.item()


def train(model, X, T, epochs=None, log=print, ddp_model=None, rank=0, world=1):
    """Backprop Studio's training loop; returns the loss after each epoch.

    One epoch: shuffle the order (one Rng(SEED, "shuffle") stream for the run, each epoch shuffling the
    previous order in place), cut it into batches of batch_size (the last may be smaller), one update per
    batch with the gradient of the batch's mean loss plus the l2 term.
    With world > 1 (torchrun), each process takes its contiguous shard of every batch and its loss is
    scaled by world / B, so DistributedDataParallel's average of the gradients is exactly the gradient of
    the whole batch's mean (also when the shards are uneven or empty).
    """
    epochs = TRAINING["epochs"] if epochs is None else epochs
    N = X.shape[0]
    B0 = max(1, min(TRAINING["batch_size"] or N, N))
    order = list(range(N))
    rng = Rng(SEED, "shuffle")
    optimizer = Optimizer(model.parameters())
    forward = ddp_model if ddp_model is not None else model
    history = []
    for epoch in range(1, epochs + 1):
        if TRAINING["shuffle"]:
            rng.shuffle(order)
        for start in range(0, N, B0):
            batch = order[start : start + B0]
            B = len(batch)
            shard = batch[rank * B // world : (rank + 1) * B // world]
            model.zero_grad()
            losses = sample_losses(forward, X[shard], T[shard])
            loss = losses.sum() * world / B + l2_term(model)
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            epoch_loss = full_loss(model, X, T).item()
        history.append(epoch_loss)
        if rank == 0 and log is not None:
            log("epoch %d/%d  loss %.10g" % (epoch, epochs, epoch_loss))
    return history


def weights_of(model):
    return [{"weights": layer.weight.tolist(), "biases": layer.bias.tolist()} for layer in model.layers]
`;

export const MAIN_CODE = `def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=TRAINING["epochs"], help="epochs to train (default: the file's)")
    parser.add_argument("--save-weights", metavar="PATH", help="write the trained weights and biases as JSON")
    args = parser.parse_args(argv)

    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    device = "cpu"
    ddp_model = None
    if world > 1:
        import torch.distributed as dist
        from torch.nn.parallel import DistributedDataParallel

        if torch.cuda.is_available():
            dist.init_process_group("nccl")
            device = "cuda:%d" % int(os.environ.get("LOCAL_RANK", "0"))
            torch.cuda.set_device(device)
        else:
            dist.init_process_group("gloo")
        print("process %d of %d (%s, %s)" % (rank + 1, world, dist.get_backend(), device), flush=True)
    X, T = load_data(device)
    model = Network().to(device)
    loss0 = self_check(model, X, T)
    if rank == 0:
        print("self-check passed: the loss %.17g and all gradients equal Backprop Studio's" % loss0)
    if world > 1:
        ddp_model = DistributedDataParallel(model, device_ids=None if device == "cpu" else [device])
    train(model, X, T, epochs=args.epochs, ddp_model=ddp_model, rank=rank, world=world)
    if rank == 0 and args.save_weights:
        with open(args.save_weights, "w") as f:
            json.dump(weights_of(model), f)
    if world > 1:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
`;
