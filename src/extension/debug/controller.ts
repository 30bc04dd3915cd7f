/**
 * The debug worker's logic (no `vscode`, no thread): loads a `.net.json`, runs its training
 * stage by stage (engine/debug), decides where to stop (exception filters, breakpoints with
 * conditions, hit counts and logpoints, data breakpoints, steps, pause), and answers the
 * adapter's questions about the stopped state. worker.ts connects it to the thread's port; tests
 * drive it directly.
 *
 * While running it works in slices of a few milliseconds, so a `pause` arriving meanwhile is seen
 * (the run stops at the next batch boundary).
 */
import { checkStage, type Filters, type Finding } from '../../engine/debug/checks';
import { compileCondition, compileTemplate, evaluate, ExprError, isMatrix, matrix, parse, summarize, type ExprScope, type Matrix, type Value } from '../../engine/debug/expr';
import { DebugRun, stageName, type EpochResult } from '../../engine/debug/run';
import { batchValues, layerReached, layerValues, runScope, runValues } from '../../engine/debug/scope';
import { Timeline } from '../../engine/debug/timeline';
import { loadNet, networkFor } from '../../engine/load';
import type { Network } from '../../engine/network';
import { RunRecorder, type RecordedTrainer, type RunRecord, type Snapshot } from '../../engine/runs';
import type { EpochPoint } from '../../engine/history';
import { reducePoints } from '../../engine/history';
import { boundaryView, snapshot, summarize as summarizeNet, traceView } from '../worker/views';
import type { NetSummary } from '../worker/protocol';
import { firstNonFinite } from '../../engine/trainer';
import { formatProblem } from '../../engine/format';
import type { NetSpec } from '../../engine/spec';
import { parameterName } from '../../engine/spec';
import { formatFull, formatNumber, formatRow, formatSummary } from '../../shared/format';
import { replyOf, type ReplyEnvelope } from '../../shared/rpc';
import type {
  BreakpointSpec, BreakpointStatus, DebugEvent, DebugParams, DebugRequest, DebugRequestType, DebugResult, FrameInfo, MatrixSource, MatrixValue, ResumeHow, RunPosition, StopReason, VarInfo, VarRef, WatchSpec,
} from './protocol';

/** Most entries a matrix opened as a heatmap may have (each stop sends them all to the inspector). */
export const MAX_HEATMAP_ENTRIES = 65536;

/** Most loss points the inspector's chart is sent of the debugger's epochs (its history's limit). */
const HISTORY_POINTS = 2000;

const SLICE_MS = 15;

interface Breakpoint {
  id: number;
  spec: BreakpointSpec;
  condition?: ReturnType<typeof compileCondition>;
  log?: ReturnType<typeof compileTemplate>;
  hit?: (n: number) => boolean;
  hits: number;
}

interface Stop {
  reason: StopReason;
  description: string;
  text?: string;
  breakpoints?: number[];
}

type Mode = { how: Exclude<ResumeHow, 'stepBack' | 'reverseContinue'>; from: RunPosition };

export class DebugController {
  private timeline: Timeline | undefined;
  private spec: NetSpec | undefined;
  private launchArgs: DebugParams<'launch'> | undefined;
  private breakpoints: Breakpoint[] = [];
  private byLayer = new Map<number, Breakpoint[]>();
  private filters: Filters = { nan: 0 };
  /** The filters other than NaN/Infinity, when any is on (checked at every stage). */
  private otherFilters: Filters | undefined;
  private watches: { spec: WatchSpec; last: number }[] = [];
  private mode: Mode | undefined;
  private pauseRequested = false;
  private ended = false;
  private scheduled = false;
  private readonly scopes = new Map<number, ExprScope>();
  private scopesTick = -1;
  /**
   * A copy of the run's network for the inspector's views: THE snapshot computes the full-set
   * gradient and the boundary runs forward passes, which would overwrite the stopped batch's
   * values (its dW, net inputs, deltas) in the run's own network.
   */
  private mirror: { net: Network; summary: NetSummary; learningRate: number } | undefined;

  constructor(
    private readonly emit: (e: DebugEvent) => void,
    private readonly readFile?: (path: string) => string,
  ) {}

  /** Answers one request from the adapter (the worker's envelope) with its reply. */
  reply(m: DebugRequest): ReplyEnvelope {
    try {
      return replyOf(m.id, { result: this.answer(m) });
    } catch (error) {
      return replyOf(m.id, { error });
    }
  }

  /** The same, typed and in process (tests, the bench); throws the reply's error. */
  request<K extends DebugRequestType>(type: K, params: DebugParams<K>): DebugResult<K> {
    // (the answer to a request of type K is that entry's result, see DebugRequests)
    return this.answer({ kind: 'request', id: 0, type, params } as DebugRequest) as DebugResult<K>;
  }

  private answer(r: DebugRequest): DebugResult<DebugRequestType> {
    switch (r.type) {
      case 'launch':
        return this.launch(r.params);
      case 'setBreakpoints':
        return this.setBreakpoints(r.params.breakpoints);
      case 'setFilters': {
        this.filters = r.params.filters;
        const { nan: _nan, ...others } = r.params.filters;
        this.otherFilters = Object.keys(others).length > 0 ? others : undefined;
        return { ok: true };
      }
      case 'setWatches':
        this.watches = r.params.watches.map((spec) => ({ spec, last: this.weight(spec) }));
        return { ok: true };
      case 'resume':
        this.resume(r.params.how);
        return { ok: true };
      case 'pause':
        if (this.mode === undefined) this.stopped({ reason: 'pause', description: 'Paused' });
        else this.pauseRequested = true;
        return { ok: true };
      case 'restart':
        if (this.launchArgs === undefined) throw new Error('nothing was launched');
        this.mode = undefined;
        this.launch(this.launchArgs);
        return { ok: true };
      case 'stack':
        return { frames: this.frames(), position: this.position() };
      case 'variables':
        return this.variables(r.params.ref, r.params.start, r.params.count);
      case 'evaluate':
        return this.evaluate(r.params.expression, r.params.layer, r.params.context);
      case 'inline':
        return this.inline();
      case 'inspect':
        return this.inspect(r.params.boundarySize);
      case 'trace': {
        // the weights the inspector's views show: those of the last inspect (the run may be running)
        const net = this.mirrored(false);
        return traceView(net, this.run.train, r.params.sample, this.mirror?.learningRate ?? this.run.learningRate, this.spec?.training.l2 ?? 0);
      }
      case 'matrix':
        return this.matrixValue(r.params.source);
      case 'record':
        return this.record(r.params.file, r.params.text, r.params.now);
    }
  }

  private get run(): DebugRun {
    if (this.timeline === undefined) throw new Error('nothing was launched');
    return this.timeline.run;
  }

  private launch(args: DebugParams<'launch'>): DebugResult<'launch'> {
    const loaded = loadNet(args.text, args.file, this.readFile, { allowOutside: args.allowOutside === true });
    if (loaded.spec === undefined) {
      throw new Error(loaded.problems.filter((p) => p.severity === 'error').map((p) => formatProblem(args.file, p)).join('\n'));
    }
    if (loaded.train === undefined || loaded.train.inputs.length === 0) throw new Error(`${args.file}: the file has no "data" to train on`);
    const spec = loaded.spec;
    const notes: string[] = [];
    if (spec.training.precision === 'float32') notes.push('The file trains in float32; the debugger runs in float64 so that every number it shows is exact.');
    const run = new DebugRun(networkFor(spec, 'exact'), loaded.train, spec.training, spec.seed, loaded.validation);
    this.timeline = new Timeline(run);
    this.mirror = undefined;
    this.scopes.clear();
    this.scopesTick = -1;
    this.spec = spec;
    this.launchArgs = args;
    this.ended = false;
    for (const b of this.breakpoints) b.hits = 0;
    this.watches = this.watches.map((w) => ({ spec: w.spec, last: this.weight(w.spec) }));
    if (args.stopOnEntry) {
      this.timeline.step();
      this.stopped({ reason: 'entry', description: 'Stopped at the first stage' });
    }
    return { layers: spec.layers.length, epochs: spec.training.epochs, notes };
  }

  private setBreakpoints(specs: BreakpointSpec[]): BreakpointStatus[] {
    const old = new Map(this.breakpoints.map((b) => [`${b.spec.layer}|${b.spec.condition ?? ''}|${b.spec.hitCondition ?? ''}`, b.hits]));
    const statuses: BreakpointStatus[] = [];
    const list: Breakpoint[] = [];
    specs.forEach((spec, i) => {
      const depth = this.spec?.layers.length;
      if (spec.layer < 1 || (depth !== undefined && spec.layer > depth)) {
        statuses.push({ verified: false, message: 'Breakpoints go on the line of a layer (not the input layer): the run stops after that layer\'s backward pass' });
        return;
      }
      const b: Breakpoint = { id: i, spec, hits: old.get(`${spec.layer}|${spec.condition ?? ''}|${spec.hitCondition ?? ''}`) ?? 0 };
      try {
        if (spec.condition !== undefined && spec.condition.trim() !== '') b.condition = compileCondition(spec.condition);
        if (spec.logMessage !== undefined && spec.logMessage !== '') b.log = compileTemplate(spec.logMessage, formatValue);
        if (spec.hitCondition !== undefined && spec.hitCondition.trim() !== '') b.hit = hitTest(spec.hitCondition);
      } catch (e) {
        statuses.push({ verified: false, message: e instanceof Error ? e.message : String(e) });
        return;
      }
      list.push(b);
      statuses.push({ verified: true });
    });
    this.breakpoints = list;
    this.byLayer = new Map();
    for (const b of list) this.byLayer.set(b.spec.layer, [...(this.byLayer.get(b.spec.layer) ?? []), b]);
    return statuses;
  }

  // ---- running ----

  private resume(how: ResumeHow): void {
    if (this.ended) throw new Error('the run has ended');
    const tl = this.timeline;
    if (tl === undefined) throw new Error('nothing was launched');
    this.pauseRequested = false;
    if (how === 'stepBack') {
      tl.goTo(Math.max(1, tl.tick - 1));
      this.refreshWatches();
      this.stopped({ reason: 'step', description: 'Stepped back' });
      return;
    }
    if (how === 'reverseContinue') {
      const found = tl.findLast(tl.tick, () => this.wouldStop());
      tl.goTo(found ?? 1);
      this.refreshWatches();
      this.stopped(found === undefined ? { reason: 'entry', description: 'Back at the first stage (no breakpoint before)' } : { reason: 'breakpoint', description: 'Reverse continue: the last stop before' });
      return;
    }
    this.mode = { how, from: this.position() };
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.slice();
    });
  }

  /** Runs stages until a stop or the end of the time slice. */
  private slice(): void {
    const tl = this.timeline;
    const mode = this.mode;
    if (tl === undefined || mode === undefined) return;
    const run = tl.run;
    const epochs = this.spec?.training.epochs ?? 0;
    const deadline = Date.now() + SLICE_MS;
    for (let n = 1; ; n++) {
      if (run.atEpochEnd && run.position.epoch >= epochs) {
        this.mode = undefined;
        this.ended = true;
        const last = run.epochResults[run.epochResults.length - 1];
        this.emit({ type: 'output', category: 'console', text: `Training finished: ${epochs} epochs, loss ${last === undefined ? '-' : formatFull(last.loss)}\n` });
        this.emit({ type: 'ended', reason: 'finished' });
        return;
      }
      tl.step();
      const stop = this.check(mode);
      if (stop !== undefined) {
        this.mode = undefined;
        this.stopped(stop);
        return;
      }
      if ((n & 63) === 0 && Date.now() >= deadline) break;
    }
    this.schedule();
  }

  /** Where to stop after the stage just run, if anywhere (runs logpoints and counts hits). */
  private check(mode: Mode): Stop | undefined {
    const run = this.run;
    const pos = run.position;
    const finding = mode.how === 'stepIn' ? checkStage(run, this.filters) : this.exception(); // one stage: scan it all
    if (finding !== undefined) return { reason: 'exception', description: this.describe(finding), text: this.describe(finding) };
    if (pos.stage.kind === 'backward') {
      const bps = this.byLayer.get(pos.stage.layer);
      if (bps !== undefined) {
        const hit: number[] = [];
        for (const b of bps) if (this.breakpointFires(b)) hit.push(b.id);
        if (hit.length > 0) return { reason: 'breakpoint', description: `Breakpoint on layer ${pos.stage.layer} (after its backward pass)`, breakpoints: hit };
      }
    }
    if (pos.stage.kind === 'update' && this.watches.length > 0) {
      const w = this.watchFires();
      if (w !== undefined) return w;
    }
    const from = mode.from;
    switch (mode.how) {
      case 'stepIn':
        return { reason: 'step', description: 'Step' };
      case 'next':
        if (run.atBatchEnd) return { reason: 'step', description: 'Next batch' };
        break;
      case 'stepOut':
        if (run.atEpochEnd && pos.tick > from.tick) return { reason: 'step', description: 'End of the epoch' };
        break;
      case 'continue':
        break;
    }
    if (this.pauseRequested && run.atBatchEnd) {
      this.pauseRequested = false;
      return { reason: 'pause', description: 'Paused at a batch boundary' };
    }
    return undefined;
  }

  /**
   * The exception filters after the stage just run. NaN and Infinity are watched cheaply, on what
   * every non-finite value reaches: each layer's net input (a saturated tanh or sigmoid turns an
   * infinite net input into a finite output, so the loss never sees it), the batch loss and the
   * new weights (the optimizer checks every w + u). When one is not finite, the batch is run again
   * from its start, bit for bit, scanning every net input, output, delta and gradient, and the
   * run stops at the stage where the first non-finite value appears.
   */
  private exception(): Finding | undefined {
    const run = this.run;
    if (this.filters.nan !== undefined) {
      const stage = run.position.stage;
      const reached =
        (stage.kind === 'forward' && firstNonFinite(run.batchBuffers().net[stage.layer], run.rows * run.net.sizes[stage.layer]) >= 0) ||
        (stage.kind === 'loss' && !Number.isFinite(run.currentBatch.loss)) ||
        (stage.kind === 'update' && !run.updateFinite);
      if (reached) return this.locateNonFinite();
    }
    return this.otherFilters === undefined ? undefined : checkStage(run, this.otherFilters);
  }

  private locateNonFinite(): Finding | undefined {
    const tl = this.timeline;
    if (tl === undefined) return undefined;
    const end = tl.tick;
    const L = tl.run.net.depth;
    const s = tl.run.position.stage;
    const index = s.kind === 'forward' ? s.layer : s.kind === 'loss' ? L + 1 : s.kind === 'backward' ? 2 * L + 2 - s.layer : 2 * L + 2;
    tl.goTo(end - index); // the end of the previous batch
    while (tl.tick < end) {
      tl.step();
      const f = checkStage(tl.run, { nan: 0 });
      if (f !== undefined) return f;
    }
    return checkStage(tl.run, this.filters);
  }

  /** Reverse continue's test: an exception filter or a breakpoint's condition (hit counts and logpoints aside). */
  private wouldStop(): boolean {
    const run = this.run;
    if (checkStage(run, this.filters) !== undefined) return true;
    const s = run.position.stage;
    if (s.kind !== 'backward') return false;
    for (const b of this.byLayer.get(s.layer) ?? []) {
      if (b.log !== undefined) continue;
      if (b.condition === undefined || this.safeTest(b)) return true;
    }
    return false;
  }

  /** The expression scope of a layer at the current stage (made once per layer; its values are read when asked). */
  private scopeOf(layer: number): ExprScope {
    let s = this.scopes.get(layer);
    if (s === undefined || this.scopesTick !== this.run.position.tick) {
      if (this.scopesTick !== this.run.position.tick) this.scopes.clear();
      this.scopesTick = this.run.position.tick;
      s = runScope(this.run, layer, (lr) => this.timeline?.setLearningRate(lr));
      this.scopes.set(layer, s);
    }
    return s;
  }

  private safeTest(b: Breakpoint): boolean {
    try {
      return b.condition === undefined || b.condition(this.scopeOf(b.spec.layer));
    } catch {
      return false;
    }
  }

  private breakpointFires(b: Breakpoint): boolean {
    if (b.condition !== undefined) {
      let ok: boolean;
      try {
        ok = b.condition(this.scopeOf(b.spec.layer));
      } catch (e) {
        this.emit({ type: 'output', category: 'stderr', text: `Breakpoint condition on layer ${b.spec.layer}: ${e instanceof Error ? e.message : String(e)}\n` });
        return true; // a condition that cannot be evaluated stops, so the user sees why
      }
      if (!ok) return false;
    }
    b.hits++;
    if (b.hit !== undefined && !b.hit(b.hits)) return false;
    if (b.log !== undefined) {
      let text: string;
      try {
        text = b.log(this.scopeOf(b.spec.layer));
      } catch (e) {
        text = `logpoint error: ${e instanceof Error ? e.message : String(e)}`;
      }
      this.emit({ type: 'output', category: 'console', text: `${text}\n` });
      return false;
    }
    return true;
  }

  private weight(w: WatchSpec): number {
    const layer = this.timeline?.run.net.layers[w.layer - 1];
    return layer === undefined ? Number.NaN : layer.weight(w.j, w.k);
  }

  private refreshWatches(): void {
    for (const w of this.watches) w.last = this.weight(w.spec);
  }

  /** After an update: a watched weight that changed sign, or by more than its threshold, in that update. */
  private watchFires(): Stop | undefined {
    let stop: Stop | undefined;
    for (const w of this.watches) {
      const now = this.weight(w.spec);
      const before = w.last;
      const name = parameterName(w.spec.layer, w.spec.j, w.spec.k);
      const fired = w.spec.on === 'sign' ? Math.sign(now) !== Math.sign(before) : Math.abs(now - before) > w.spec.threshold;
      w.last = now;
      if (fired && stop === undefined) {
        const what = w.spec.on === 'sign' ? 'changed sign' : `changed by more than ${formatFull(w.spec.threshold)}`;
        const text = `${name} ${what}: ${formatFull(before)} → ${formatFull(now)}`;
        stop = { reason: 'data breakpoint', description: text, text };
      }
    }
    return stop;
  }

  private describe(f: Finding): string {
    const where = f.param === undefined ? '' : f.param.kind === 'unit' ? `, unit ${f.param.j + 1}` : `, ${f.param.kind === 'w' ? parameterName(f.layer, f.param.j, f.param.k) : parameterName(f.layer, f.param.j)}`;
    const sample = f.sample === undefined ? '' : `, sample ${f.sample + 1}`;
    return `${findingText(f)} (layer ${f.layer}${where}${sample})`;
  }

  private stopped(s: Stop): void {
    this.emit({ type: 'stopped', reason: s.reason, description: s.description, text: s.text, position: this.position(), breakpoints: s.breakpoints });
  }

  // ---- the stopped state ----

  private position(): RunPosition {
    const run = this.run;
    const p = run.position;
    const L = run.net.depth;
    return {
      epoch: p.epoch,
      batch: p.batch,
      batches: run.batchesPerEpoch,
      epochs: this.spec?.training.epochs ?? 0,
      stage: stageName(p.stage),
      tick: p.tick,
      layer: p.stage.kind === 'forward' || p.stage.kind === 'backward' ? p.stage.layer : p.stage.kind === 'loss' ? L : 0,
    };
  }

  private frames(): FrameInfo[] {
    const p = this.position();
    const s = this.run.position.stage;
    const stage: FrameInfo =
      s.kind === 'forward' || s.kind === 'backward'
        ? { level: 'stage', name: `layer ${s.layer} (${s.kind})`, layer: s.layer, anchor: 'layer' }
        : s.kind === 'loss'
          ? { level: 'stage', name: 'loss', layer: this.run.net.depth, anchor: 'loss' }
          : { level: 'stage', name: 'update', layer: 0, anchor: 'training' };
    return [
      stage,
      { level: 'batch', name: `batch ${p.batch} of ${p.batches}`, layer: 0, anchor: 'training' },
      { level: 'epoch', name: `epoch ${p.epoch} of ${p.epochs}`, layer: 0, anchor: 'training' },
    ];
  }

  private matrixOf(source: MatrixSource): Matrix | number {
    const run = this.run;
    switch (source.of) {
      case 'layer':
        return layerValues(run, source.layer)[source.name];
      case 'batch':
        return batchValues(run)[source.name];
      case 'optimizer': {
        const s = run.optimizer.stateOf(source.layer).find((x) => x.name === source.name.split(' ')[0]);
        if (s === undefined) throw new Error(`no optimizer state ${source.name}`);
        const layer = run.net.layers[source.layer - 1];
        return source.name.endsWith(' b') ? matrix(1, layer.units, s.b) : matrix(layer.units, layer.inputs, s.W);
      }
      case 'losses': {
        const values = run.epochResults.map((r) => r[source.name] ?? Number.NaN);
        return matrix(1, values.length, Float64Array.from(values));
      }
      case 'eval':
        return evaluate(parse(source.expression), runScope(run, source.layer));
    }
  }

  private variables(ref: VarRef, start = 0, count?: number): VarInfo[] {
    const run = this.run;
    switch (ref.kind) {
      case 'scope':
        if (ref.scope === 'layer') return this.layerScope(ref.layer);
        if (ref.scope === 'batch') {
          const b = run.currentBatch;
          const vals = batchValues(run);
          return [
            ...(['inputs', 'targets', 'outputs'] as const).map((n) => this.matrixVar(n, { of: 'batch', name: n }, vals[n], n)),
            { name: 'loss', value: formatFull(b.loss), type: 'number', evaluateName: 'loss' },
            { name: 'samples', value: Array.from(b.samples, (i) => i + 1).join(', '), type: 'sample numbers (1-based)' },
          ];
        }
        if (ref.scope === 'optimizer') {
          const o = run.optimizer;
          const out: VarInfo[] = [
            { name: 'optimizer', value: o.name },
            { name: 'learning rate', value: formatFull(o.learningRate), type: 'number', evaluateName: 'lr' },
            { name: 'steps', value: String(o.steps) },
          ];
          if (o.name !== 'sgd') for (let l = 1; l <= run.net.depth; l++) out.push({ name: `layer ${l}`, value: o.stateOf(l).map((s) => s.name).join(', '), ref: { kind: 'optimizerLayer', layer: l } });
          return out;
        }
        return this.runScopeVars();
      case 'optimizerLayer': {
        const out: VarInfo[] = [];
        for (const s of run.optimizer.stateOf(ref.layer)) {
          const layer = run.net.layers[ref.layer - 1];
          out.push(this.matrixVar(`${s.name} (W)`, { of: 'optimizer', layer: ref.layer, name: `${s.name} W` }, matrix(layer.units, layer.inputs, s.W)));
          out.push(this.matrixVar(`${s.name} (b)`, { of: 'optimizer', layer: ref.layer, name: `${s.name} b` }, matrix(1, layer.units, s.b)));
        }
        return out;
      }
      case 'matrix': {
        const m = this.matrixOf(ref.source);
        if (!isMatrix(m)) return [];
        if (m.rows === 1) return this.entries(m, 0, start, count);
        const end = Math.min(m.rows, start + (count ?? m.rows));
        const out: VarInfo[] = [];
        for (let r = start; r < end; r++) {
          const row = matrix(1, m.cols, m.data.subarray(r * m.cols, (r + 1) * m.cols));
          out.push({ name: `[${r + 1}]`, value: m.cols <= 6 ? rowText(row) : formatSummary(summarize(row)), ref: { kind: 'row', source: ref.source, row: r }, indexed: m.cols });
        }
        return out;
      }
      case 'row': {
        const m = this.matrixOf(ref.source);
        if (!isMatrix(m)) return [];
        return this.entries(m, ref.row, start, count);
      }
    }
  }

  private entries(m: Matrix, row: number, start: number, count?: number): VarInfo[] {
    const end = Math.min(m.cols, start + (count ?? m.cols));
    const out: VarInfo[] = [];
    for (let c = start; c < end; c++) out.push({ name: `[${c + 1}]`, value: formatFull(m.data[row * m.cols + c]), type: 'number' });
    return out;
  }

  private matrixVar(name: string, source: MatrixSource, m: Matrix, evaluateName?: string): VarInfo {
    return { name, value: formatSummary(summarize(m)), type: `${m.rows}x${m.cols}`, ref: { kind: 'matrix', source }, indexed: m.rows === 1 ? m.cols : m.rows, evaluateName };
  }

  private layerScope(l: number): VarInfo[] {
    const run = this.run;
    const v = layerValues(run, l);
    const reached = layerReached(run, l);
    const notYet = (what: string): VarInfo => ({ name: what, value: '(not computed yet in this batch)' });
    const out: VarInfo[] = [this.matrixVar('W', { of: 'layer', layer: l, name: 'W' }, v.W, 'W'), this.matrixVar('b', { of: 'layer', layer: l, name: 'b' }, v.b, 'b')];
    for (const [label, key] of [['net input', 'net'], ['output', 'out']] as const) {
      out.push(reached.forward ? this.matrixVar(label, { of: 'layer', layer: l, name: key }, v[key], key) : notYet(label));
    }
    for (const [label, key] of [['delta', 'delta'], ['dW', 'dW'], ['db', 'db']] as const) {
      out.push(reached.backward ? this.matrixVar(label, { of: 'layer', layer: l, name: key }, v[key], key) : notYet(label));
    }
    out.push(this.matrixVar('last update W', { of: 'layer', layer: l, name: 'uW' }, v.uW, 'uW'));
    out.push(this.matrixVar('last update b', { of: 'layer', layer: l, name: 'ub' }, v.ub, 'ub'));
    return out;
  }

  private runScopeVars(): VarInfo[] {
    const run = this.run;
    const r = runValues(run);
    const p = this.position();
    const out: VarInfo[] = [
      { name: 'epoch', value: `${p.epoch} of ${p.epochs}`, evaluateName: 'epoch' },
      { name: 'batch', value: `${p.batch} of ${p.batches}`, evaluateName: 'batch' },
      { name: 'stage', value: p.stage },
      { name: 'learning rate', value: formatFull(r.lr), type: 'number', evaluateName: 'lr' },
      { name: 'epoch loss', value: formatFull(r.epochLoss), type: 'number', evaluateName: 'epochLoss' },
    ];
    const losses = run.epochResults;
    out.push(this.matrixVar('losses', { of: 'losses', name: 'loss' }, matrix(1, losses.length, Float64Array.from(losses, (x) => x.loss))));
    if (losses.some((x) => x.valLoss !== undefined)) out.push(this.matrixVar('validation losses', { of: 'losses', name: 'valLoss' }, matrix(1, losses.length, Float64Array.from(losses, (x) => x.valLoss ?? Number.NaN))));
    return out;
  }

  private evaluate(expression: string, layer: number, context: string): VarInfo {
    const run = this.run;
    const l = layer >= 1 && layer <= run.net.depth ? layer : this.position().layer || run.net.depth;
    let v: Value;
    try {
      v = evaluate(parse(expression), runScope(run, l, (lr) => this.timeline?.setLearningRate(lr)));
    } catch (e) {
      if (e instanceof ExprError) throw new Error(context === 'hover' ? e.message : `${expression}\n${' '.repeat(e.column - 1)}^ ${e.message}`);
      throw e;
    }
    if (!isMatrix(v)) return { name: expression, value: formatFull(v), type: 'number' };
    return this.matrixVar(expression, { of: 'eval', expression, layer: l }, v, expression);
  }

  /**
   * The mirror network. `copy` (inspect, at a stop): it takes the run's parameters and learning
   * rate now. Otherwise (a trace) it keeps those of the last inspect, which the inspector's views
   * show: while the run goes on, a sample's pass is of the stop the views show, not of weights the
   * running run has moved on to.
   */
  private mirrored(copy = true): Network {
    const run = this.run;
    const spec = this.spec;
    if (spec === undefined) throw new Error('nothing was launched');
    if (this.mirror === undefined) {
      const net = networkFor(spec, 'exact');
      this.mirror = { net, summary: summarizeNet(spec, net, this.launchArgs?.file ?? '', run.train, run.validation), learningRate: run.learningRate };
      copy = true;
    }
    if (copy) {
      const from = run.net.parameters();
      this.mirror.net.parameters().forEach((p, i) => p.value.set(from[i].value));
      this.mirror.learningRate = run.learningRate;
    }
    return this.mirror.net;
  }

  /** The stopped state for the inspector, made by THE snapshot (worker/views.ts) on the mirror. */
  private inspect(boundarySize: number): DebugResult<'inspect'> {
    const run = this.run;
    const spec = this.spec;
    const net = this.mirrored();
    if (spec === undefined || this.mirror === undefined) throw new Error('nothing was launched');
    const results = run.epochResults;
    const network = snapshot({
      spec,
      net,
      // the stopped run's optimizer: its learning rate, last update, and the epochs completed
      trainer: { lastUpdate: (l) => run.optimizer.lastUpdate(l), learningRate: run.learningRate, epoch: results.length },
      train: run.train,
      summary: this.mirror.summary,
      fileName: this.launchArgs?.file ?? '',
      updated: run.optimizer.steps > 0,
    });
    const history = reducePoints(results.map(epochPoint), HISTORY_POINTS);
    const boundary = boundaryView(net, run.train, boundarySize, this.mirror.summary.classification);
    return boundary === undefined ? { network, history } : { network, boundary, history };
  }

  private matrixValue(source: MatrixSource): MatrixValue {
    const m = this.matrixOf(source);
    if (!isMatrix(m)) throw new Error('the value is a number, not a matrix');
    if (m.data.length > MAX_HEATMAP_ENTRIES) throw new Error(`${m.rows}x${m.cols} = ${m.data.length} entries: too many to draw as a heatmap (at most ${MAX_HEATMAP_ENTRIES}); expand it in Variables`);
    const v = this.variableReached(source);
    if (v !== undefined) throw new Error(v);
    return { rows: m.rows, cols: m.cols, values: Array.from(m.data) };
  }

  /** Why a layer's batch value cannot be shown at this stage (not computed yet), if so. */
  private variableReached(source: MatrixSource): string | undefined {
    if (source.of !== 'layer' && !(source.of === 'batch' && source.name === 'outputs')) return undefined;
    const layer = source.of === 'layer' ? source.layer : this.run.net.depth;
    const reached = layerReached(this.run, layer);
    const forward = source.name === 'net' || source.name === 'out' || source.name === 'outputs';
    const backward = source.name === 'delta' || source.name === 'dW' || source.name === 'db';
    if ((forward && !reached.forward) || (backward && !reached.backward)) return `not computed yet in this batch (the run is at ${stageName(this.run.position.stage)})`;
    return undefined;
  }

  /**
   * The record of this run for the Runs store (engine/runs): the path from the start to the state
   * the run is in now — after Step Back, the state stepped back to; a future left behind by
   * stepping back is not part of it. The path is replayed from the start (bit for bit, with the
   * learning rates set on the way) to feed a RunRecorder at every epoch's end; it ends at the last
   * completed epoch. A learning rate set in the middle of epoch E is recorded as set after E, with
   * a snapshot at E's end, so the Runs store's replays (whole epochs) stay exact.
   */
  private record(file: string, text: string, now?: number): RunRecord | undefined {
    const tl = this.timeline;
    const spec = this.spec;
    if (tl === undefined || spec === undefined) return undefined;
    const run = tl.run;
    const end = tl.tick;
    if (run.epochResults.length === 0) return undefined;
    const started = Date.now();
    const trainer: RecordedTrainer = {
      get epoch() {
        return run.epochResults.length;
      },
      threads: 1,
      net: run.net,
      lastUpdate: (l) => run.optimizer.lastUpdate(l),
      checkpoint: () => run.checkpoint(),
    };
    tl.goTo(0);
    const recorder = new RunRecorder(trainer, { file, text, spec, train: run.train, validation: run.validation, source: 'debugger', now, clock: () => Date.now() - started });
    const atZero = tl.learningRateSetAt(0);
    if (atZero !== undefined) recorder.learningRate(atZero);
    const extra: Snapshot[] = [];
    let pending: number | undefined;
    let lastEpochEnd = 0;
    const visit = (): void => {
      const lr = tl.learningRateSetAt(tl.tick);
      if (run.atEpochEnd) {
        lastEpochEnd = tl.tick;
        recorder.epoch(epochPoint(run.epochResults[run.epochResults.length - 1]));
        if (pending !== undefined) {
          recorder.learningRate(pending);
          extra.push({ epoch: run.epochResults.length, state: run.checkpoint() });
          pending = undefined;
        }
        if (lr !== undefined) recorder.learningRate(lr);
      } else if (lr !== undefined) {
        pending = lr;
      }
    };
    // stage by stage from the start (goTo would jump to the last snapshot before the end)
    while (tl.tick < end) {
      tl.step();
      visit();
    }
    tl.goTo(lastEpochEnd);
    const finished = run.position.epoch >= spec.training.epochs;
    const record = recorder.finish(finished ? 'done' : 'stopped', finished ? undefined : `debugger: ended at epoch ${run.position.epoch}${lastEpochEnd === end ? '' : ` (recorded up to its last completed epoch; the run stood at ${stageName(run.position.stage)} of a later batch)`}`);
    tl.goTo(end);
    for (const x of extra) if (!record.snapshots.some((y) => y.epoch === x.epoch)) record.snapshots.push(x);
    record.snapshots.sort((a, b) => a.epoch - b.epoch);
    this.scopes.clear();
    this.scopesTick = -1;
    return record;
  }

  private inline(): { layer: number; text: string }[] {
    const run = this.run;
    const out: { layer: number; text: string }[] = [];
    for (let l = 1; l <= run.net.depth; l++) {
      const v = layerValues(run, l);
      const reached = layerReached(run, l);
      const parts = [`‖W‖ ${formatNumber(summarize(v.W).norm)}`];
      if (reached.forward) parts.push(`mean output ${formatNumber(sum(v.out) / Math.max(1, v.out.data.length))}`);
      if (reached.backward) parts.push(`‖dW‖ ${formatNumber(summarize(v.dW).norm)}`);
      out.push({ layer: l, text: parts.join(' · ') });
    }
    return out;
  }
}

/** A finding in words, with its numbers written by src/shared/format.ts. */
export function findingText(f: Finding): string {
  switch (f.filter) {
    case 'vanishing':
      return `${f.what}: ‖dW‖ = ${formatNumber(f.value)} < ${formatNumber(f.threshold ?? Number.NaN)}`;
    case 'exploding':
      return `${f.what}: ‖dW‖ = ${formatNumber(f.value)} > ${formatNumber(f.threshold ?? Number.NaN)}`;
    case 'lossIncreased':
      return `${f.what} from ${formatFull(f.previous ?? Number.NaN)} to ${formatFull(f.value)}`;
    default:
      return f.what;
  }
}

function epochPoint(r: EpochResult): EpochPoint {
  const p: EpochPoint = { epoch: r.epoch, loss: r.loss };
  if (r.accuracy !== undefined) p.accuracy = r.accuracy;
  if (r.valLoss !== undefined) p.valLoss = r.valLoss;
  if (r.valAccuracy !== undefined) p.valAccuracy = r.valAccuracy;
  return p;
}

function sum(m: Matrix): number {
  let s = 0;
  for (let i = 0; i < m.data.length; i++) s += m.data[i];
  return s;
}

function rowText(m: Matrix): string {
  return formatRow(m.data);
}

/** A value in one line (logpoints): a number exactly, a small matrix's entries exactly, a larger one's summary. */
export function formatValue(v: Value): string {
  if (!isMatrix(v)) return formatFull(v);
  if (v.data.length <= 8) {
    const row = (r: number): string => formatRow(v.data.subarray(r * v.cols, (r + 1) * v.cols));
    return v.rows === 1 ? row(0) : `[${Array.from({ length: v.rows }, (_, r) => row(r)).join(', ')}]`;
  }
  return formatSummary(summarize(v));
}

/** A hit condition: '5' or '== 5', '>= 5', '> 5', '% 5'. */
export function hitTest(text: string): (n: number) => boolean {
  const m = /^\s*(==|>=|>|%)?\s*(\d+)\s*$/.exec(text);
  if (!m) throw new ExprError(`a hit count is a number, or '>= n', '> n', '% n'`, 1);
  const k = Number(m[2]);
  switch (m[1]) {
    case '>=':
      return (n) => n >= k;
    case '>':
      return (n) => n > k;
    case '%':
      return (n) => k > 0 && n % k === 0;
    default:
      return (n) => n === k;
  }
}
