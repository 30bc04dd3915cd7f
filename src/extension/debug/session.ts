/**
 * The `backprop` debug adapter: translates the Debug Adapter Protocol into requests to the debug
 * worker (channel.ts) and its events back. It runs inline in the extension host
 * (`vscode.DebugAdapterInlineImplementation`) or as its own process (adapterMain.ts, for tests);
 * it never imports `vscode`.
 *
 * Stepping: Step Over = the next batch, Step Into = the next stage, Step Out = the end of the
 * epoch; Step Back and Reverse Continue travel back in time. The call stack is
 * "layer (stage) > batch > epoch", each frame on its line of the `.net.json`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  Handles, InitializedEvent, LoggingDebugSession, OutputEvent, Scope, Source, StackFrame, StoppedEvent, TerminatedEvent, Thread,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { FILTER_DEFAULTS, type FilterId } from '../../engine/debug/checks';
import { WorkerChannel, type DebugChannel } from './channel';
import { NetFileMap } from './fileMap';
import type { DebugEvent, DebugParams, DebugRequestType, DebugResult, FrameInfo, MatrixSource, MatrixValue, ResumeHow, RunPosition, VarInfo, VarRef, WatchSpec } from './protocol';

/** What the inspector follows of a session: where it stopped, that it runs again, that it ended. */
export type FollowEvent =
  | { kind: 'stopped'; position: RunPosition; description: string; reason: string }
  | { kind: 'running' }
  | { kind: 'ended' };

/**
 * The Variables context value of a matrix or vector (`debugProtocolVariableMenuContext`, read by
 * VS Code from `__vscodeVariableMenuContext`): the "Open as Heatmap" item shows for these only.
 */
export const MATRIX_MENU_CONTEXT = 'backpropMatrix';

export interface LaunchArguments extends DebugProtocol.LaunchRequestArguments {
  /** The `.net.json` file to train. */
  program: string;
  stopOnEntry?: boolean;
  /**
   * Data files outside the `.net.json`'s folder may be read. In VS Code the extension sets it from
   * `backprop.data.allowOutsideFolder` (trusted workspace only), whatever launch.json says.
   */
  allowOutsideData?: boolean;
}

const THREAD = 1;

export const EXCEPTION_FILTERS: (DebugProtocol.ExceptionBreakpointsFilter & { filter: FilterId })[] = [
  { filter: 'nan', label: 'NaN or Infinity', default: true, description: 'Stop where a NaN or ±Infinity first appears: in a net input, an output, the loss, a delta, a gradient or a weight.' },
  { filter: 'vanishing', label: 'Vanishing gradient', default: false, supportsCondition: true, conditionDescription: `‖dW‖ of a layer below this (default ${FILTER_DEFAULTS.vanishing})`, description: 'Stop after a layer\'s backward pass when the norm of its weight gradient is below the threshold.' },
  { filter: 'exploding', label: 'Exploding gradient', default: false, supportsCondition: true, conditionDescription: `‖dW‖ of a layer above this (default ${FILTER_DEFAULTS.exploding})`, description: 'Stop after a layer\'s backward pass when the norm of its weight gradient is above the threshold.' },
  { filter: 'deadRelu', label: 'Dead ReLU units', default: false, supportsCondition: true, conditionDescription: 'share of dead units above this, 0..1 (default 0: any)', description: 'Stop after a ReLU layer\'s forward pass when units output 0 for every sample of the batch.' },
  { filter: 'lossIncreased', label: 'Loss increased', default: false, supportsCondition: true, conditionDescription: 'relative rise above this (default 0)', description: 'Stop at the end of an epoch whose loss is higher than the previous epoch\'s.' },
];

export class BackpropDebugSession extends LoggingDebugSession {
  private channel: DebugChannel | undefined;
  private map: NetFileMap | undefined;
  private program = '';
  private readonly handles = new Handles<VarRef>();
  private frames: FrameInfo[] = [];
  private position: RunPosition | undefined;
  private lastException: { description: string; text: string } | undefined;
  private configurationDone!: () => void;
  private readonly configured = new Promise<void>((resolve) => (this.configurationDone = resolve));
  /** Data breakpoint ids → weights, for setDataBreakpoints. */
  private readonly dataIds = new Map<string, { layer: number; j: number; k: number }>();
  /** The file's text the run was launched with (recorded with the run). */
  private text = '';
  /** Told when the run stops, runs again and ends (the inspector follows it; set by register.ts). */
  follow: ((e: FollowEvent) => void) | undefined;
  /** Called once when the session ends, while the worker still holds the run (recording it). */
  beforeEnd: (() => Promise<void>) | undefined;

  constructor(
    private readonly workerPath: string,
    private readonly openChannel: (workerPath: string) => DebugChannel = (p) => new WorkerChannel(p),
  ) {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsEvaluateForHovers: true,
      supportsStepBack: true,
      supportsRestartRequest: true,
      supportsExceptionInfoRequest: true,
      supportsExceptionFilterOptions: true,
      supportsSetVariable: true,
      supportsDataBreakpoints: true,
      supportsTerminateRequest: true,
      exceptionBreakpointFilters: EXCEPTION_FILTERS,
    };
    this.sendResponse(response);
  }

  protected override async launchRequest(response: DebugProtocol.LaunchResponse, args: LaunchArguments): Promise<void> {
    try {
      if (typeof args.program !== 'string' || args.program === '') throw new Error('the launch configuration has no "program" (the .net.json file to debug)');
      this.program = path.resolve(args.program);
      const text = fs.readFileSync(this.program, 'utf8');
      this.text = text;
      this.map = new NetFileMap(text);
      const channel = this.openChannel(this.workerPath);
      this.channel = channel;
      channel.onEvent((e) => this.onWorkerEvent(e));
      this.sendEvent(new InitializedEvent());
      await this.configured;
      const info = await channel.request('launch', { file: this.program, text, stopOnEntry: args.stopOnEntry === true, allowOutside: args.allowOutsideData === true });
      for (const note of info.notes) this.sendEvent(new OutputEvent(`${note}\n`, 'console'));
      this.sendResponse(response);
      if (args.stopOnEntry !== true) await channel.request('resume', { how: 'continue' });
    } catch (e) {
      this.sendErrorResponse(response, { id: 1001, format: e instanceof Error ? e.message : String(e), showUser: true });
      this.sendEvent(new TerminatedEvent());
    }
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.sendResponse(response);
    this.configurationDone();
  }

  private onWorkerEvent(e: DebugEvent): void {
    switch (e.type) {
      case 'stopped': {
        this.handles.reset();
        this.position = e.position;
        if (e.reason === 'exception') this.lastException = { description: e.description, text: e.text ?? e.description };
        const ev: DebugProtocol.StoppedEvent = new StoppedEvent(e.reason, THREAD, e.text);
        ev.body.description = e.description;
        if (e.breakpoints !== undefined) ev.body.hitBreakpointIds = e.breakpoints.map((i) => i + 1);
        ev.body.allThreadsStopped = true;
        this.sendEvent(ev);
        this.follow?.({ kind: 'stopped', position: e.position, description: e.description, reason: e.reason });
        break;
      }
      case 'output':
        this.sendEvent(new OutputEvent(e.text, e.category));
        break;
      case 'ended':
        if (e.reason !== 'finished') this.sendEvent(new OutputEvent(`${e.reason}\n`, 'stderr'));
        this.sendEvent(new TerminatedEvent());
        break;
    }
  }

  /** Sends a request to the worker and answers the DAP request with its result, or its error. */
  private async forward<R extends DebugProtocol.Response>(response: R, work: (c: DebugChannel) => Promise<void>): Promise<void> {
    const channel = this.channel;
    if (channel === undefined) {
      this.sendErrorResponse(response, { id: 1002, format: 'the training run has not started', showUser: false });
      return;
    }
    try {
      await work(channel);
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, { id: 1003, format: e instanceof Error ? e.message : String(e), showUser: false });
    }
  }

  protected override async setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): Promise<void> {
    const map = this.map;
    const wanted = args.breakpoints ?? [];
    const layers = wanted.map((b) => map?.layerAt(this.convertClientLineToDebugger(b.line)));
    const inThisFile = args.source.path === undefined || path.resolve(args.source.path) === this.program;
    if (this.channel === undefined) {
      // before launch or after the run ended: nothing to set, nothing to fail
      response.body = { breakpoints: wanted.map((b) => ({ verified: false, line: b.line, message: 'the training run is not running' })) };
      this.sendResponse(response);
      return;
    }
    await this.forward(response, async (c) => {
      const specs = wanted.map((b, i) => ({ layer: inThisFile ? layers[i] ?? 0 : 0, condition: b.condition, hitCondition: b.hitCondition, logMessage: b.logMessage }));
      const statuses = await c.request('setBreakpoints', { breakpoints: specs });
      response.body = {
        breakpoints: wanted.map((b, i) => {
          const layer = layers[i];
          const ok = statuses[i].verified;
          const line = ok && layer !== undefined && map ? map.lineOfLayer(layer) : b.line;
          return { id: i + 1, verified: ok, line: this.convertDebuggerLineToClient(line), message: statuses[i].message, source: args.source };
        }),
      };
    });
  }

  protected override async setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): Promise<void> {
    const filters: Partial<Record<FilterId, number>> = {};
    const statuses: DebugProtocol.Breakpoint[] = [];
    const options: DebugProtocol.ExceptionFilterOptions[] = args.filterOptions ?? args.filters.map((filterId) => ({ filterId }));
    for (const o of options) {
      const id = o.filterId as FilterId;
      if (!(id in FILTER_DEFAULTS)) {
        statuses.push({ verified: false, message: `unknown filter ${o.filterId}` });
        continue;
      }
      const text = o.condition?.trim() ?? '';
      const value = text === '' ? FILTER_DEFAULTS[id] : Number(text);
      if (!Number.isFinite(value) || value < 0) {
        statuses.push({ verified: false, message: `the threshold of "${o.filterId}" must be a number >= 0, not "${text}"` });
        continue;
      }
      filters[id] = value;
      statuses.push({ verified: true });
    }
    response.body = { breakpoints: statuses };
    await this.forward(response, async (c) => {
      await c.request('setFilters', { filters });
    });
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse): void {
    const e = this.lastException;
    response.body = { exceptionId: 'training', description: e?.text ?? 'No exception', breakMode: 'always', details: { message: e?.text } };
    this.sendResponse(response);
  }

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: [new Thread(THREAD, 'training')] };
    this.sendResponse(response);
  }

  protected override async stackTraceRequest(response: DebugProtocol.StackTraceResponse): Promise<void> {
    await this.forward(response, async (c) => {
      const { frames, position } = await c.request('stack', {});
      this.frames = frames;
      this.position = position;
      const source = new Source(path.basename(this.program), this.convertDebuggerPathToClient(this.program));
      const list = frames.map((f, i) => new StackFrame(i + 1, f.name, source, this.convertDebuggerLineToClient(this.map?.anchorLine(f.anchor, f.layer) ?? 1), 1));
      response.body = { stackFrames: list, totalFrames: list.length };
    });
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    const frame = this.frames[args.frameId - 1];
    const scopes: DebugProtocol.Scope[] = [];
    const L = this.map ? this.map.layers.length - 1 : 0;
    if (frame?.level === 'stage') {
      const layers = frame.layer >= 1 ? [frame.layer] : Array.from({ length: L }, (_, i) => i + 1);
      for (const l of layers) scopes.push(new Scope(`Layer ${l}`, this.handles.create({ kind: 'scope', scope: 'layer', layer: l }), false));
    }
    if (frame === undefined || frame.level !== 'epoch') scopes.push(new Scope('Batch', this.handles.create({ kind: 'scope', scope: 'batch' }), false));
    scopes.push(new Scope('Optimizer', this.handles.create({ kind: 'scope', scope: 'optimizer' }), false));
    scopes.push(new Scope('Run', this.handles.create({ kind: 'scope', scope: 'run' }), false));
    response.body = { scopes };
    this.sendResponse(response);
  }

  private toVariable(v: VarInfo): DebugProtocol.Variable {
    const out: DebugProtocol.Variable & { __vscodeVariableMenuContext?: string } = { name: v.name, value: v.value, type: v.type, variablesReference: v.ref === undefined ? 0 : this.handles.create(v.ref), evaluateName: v.evaluateName };
    if (v.indexed !== undefined && v.ref !== undefined) out.indexedVariables = v.indexed;
    if (v.ref?.kind === 'matrix') out.__vscodeVariableMenuContext = MATRIX_MENU_CONTEXT;
    return out;
  }

  protected override async variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): Promise<void> {
    const ref = this.handles.get(args.variablesReference);
    if (ref === undefined) {
      response.body = { variables: [] };
      this.sendResponse(response);
      return;
    }
    await this.forward(response, async (c) => {
      const vars = await c.request('variables', { ref, start: args.start, count: args.count });
      response.body = { variables: vars.map((v) => this.toVariable(v)) };
    });
  }

  protected override async setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): Promise<void> {
    if (args.name !== 'learning rate') {
      this.sendErrorResponse(response, { id: 1004, format: 'Only the learning rate can be set (or type lr = 0.1 in the Debug Console)', showUser: true });
      return;
    }
    await this.forward(response, async (c) => {
      const v = await c.request('evaluate', { expression: `lr = ${args.value}`, layer: 0, context: 'repl' });
      response.body = { value: v.value };
    });
  }

  protected override async evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): Promise<void> {
    const frame = args.frameId === undefined ? undefined : this.frames[args.frameId - 1];
    const layer = frame !== undefined && frame.layer >= 1 ? frame.layer : this.position?.layer ?? 0;
    await this.forward(response, async (c) => {
      const v = await c.request('evaluate', { expression: args.expression, layer, context: args.context ?? 'repl' });
      const variable = this.toVariable(v);
      response.body = { result: v.value, type: v.type, variablesReference: variable.variablesReference, indexedVariables: variable.indexedVariables };
    });
  }

  private resume<R extends DebugProtocol.Response>(response: R, how: ResumeHow): Promise<void> {
    this.handles.reset();
    if (how !== 'stepBack' && how !== 'reverseContinue') this.follow?.({ kind: 'running' });
    return this.forward(response, async (c) => {
      await c.request('resume', { how });
    });
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse): Promise<void> {
    response.body = { allThreadsContinued: true };
    return this.resume(response, 'continue');
  }

  protected override nextRequest(response: DebugProtocol.NextResponse): Promise<void> {
    return this.resume(response, 'next');
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse): Promise<void> {
    return this.resume(response, 'stepIn');
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse): Promise<void> {
    return this.resume(response, 'stepOut');
  }

  protected override stepBackRequest(response: DebugProtocol.StepBackResponse): Promise<void> {
    return this.resume(response, 'stepBack');
  }

  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse): Promise<void> {
    return this.resume(response, 'reverseContinue');
  }

  protected override async pauseRequest(response: DebugProtocol.PauseResponse): Promise<void> {
    await this.forward(response, async (c) => {
      await c.request('pause', {});
    });
  }

  protected override async restartRequest(response: DebugProtocol.RestartResponse): Promise<void> {
    this.handles.reset();
    this.follow?.({ kind: 'running' });
    await this.forward(response, async (c) => {
      await c.request('restart', {});
      await c.request('resume', { how: 'continue' });
    });
  }

  protected override dataBreakpointInfoRequest(response: DebugProtocol.DataBreakpointInfoResponse, args: DebugProtocol.DataBreakpointInfoArguments): void {
    // a weight: an entry [k] of a row [j] of W in a Layer scope
    const ref = args.variablesReference === undefined ? undefined : this.handles.get(args.variablesReference);
    const k = /^\[(\d+)\]$/.exec(args.name);
    if (ref?.kind === 'row' && ref.source.of === 'layer' && ref.source.name === 'W' && k) {
      const w = { layer: ref.source.layer, j: ref.row, k: Number(k[1]) - 1 };
      const id = `w:${w.layer}:${w.j}:${w.k}`;
      this.dataIds.set(id, w);
      response.body = { dataId: id, description: `w^${w.layer}_{${w.j + 1},${w.k + 1}}: stop when it changes sign (or, with a condition "> t", changes by more than t)`, accessTypes: ['write'], canPersist: false };
    } else {
      response.body = { dataId: null, description: 'Data breakpoints go on one weight: expand W in a Layer scope, then a row' };
    }
    this.sendResponse(response);
  }

  protected override async setDataBreakpointsRequest(response: DebugProtocol.SetDataBreakpointsResponse, args: DebugProtocol.SetDataBreakpointsArguments): Promise<void> {
    const watches: WatchSpec[] = [];
    const statuses: DebugProtocol.Breakpoint[] = [];
    for (const b of args.breakpoints) {
      const w = this.dataIds.get(b.dataId);
      const t = /^\s*>\s*([0-9.eE+-]+)\s*$/.exec(b.condition ?? '');
      const threshold = t ? Number(t[1]) : Number.NaN;
      if (w === undefined || (b.condition !== undefined && b.condition.trim() !== '' && !Number.isFinite(threshold))) {
        statuses.push({ verified: false, message: w === undefined ? 'unknown weight' : 'a data breakpoint condition is "> threshold"' });
        continue;
      }
      watches.push(Number.isFinite(threshold) ? { ...w, on: 'change', threshold } : { ...w, on: 'sign', threshold: 0 });
      statuses.push({ verified: true });
    }
    response.body = { breakpoints: statuses };
    await this.forward(response, async (c) => {
      await c.request('setWatches', { watches });
    });
  }

  protected override async terminateRequest(response: DebugProtocol.TerminateResponse): Promise<void> {
    await this.close();
    this.sendResponse(response);
    this.sendEvent(new TerminatedEvent());
  }

  protected override async disconnectRequest(response: DebugProtocol.DisconnectResponse): Promise<void> {
    await this.close();
    this.sendResponse(response);
  }

  private async close(): Promise<void> {
    const c = this.channel;
    const before = this.beforeEnd;
    this.beforeEnd = undefined;
    if (c !== undefined && before !== undefined) await before().catch(() => undefined);
    this.channel = undefined;
    if (c !== undefined) await c.close();
    if (c !== undefined) this.follow?.({ kind: 'ended' });
  }

  /** The launched `.net.json` (absolute path; '' before launch). */
  get file(): string {
    return this.program;
  }

  private request<K extends DebugRequestType>(type: K, params: DebugParams<K>): Promise<DebugResult<K>> {
    const c = this.channel;
    if (c === undefined) return Promise.reject(new Error('the debug session has ended'));
    return c.request(type, params);
  }

  /** The stopped state for the inspector (THE snapshot, made in the debug worker). */
  inspect(boundarySize: number): Promise<DebugResult<'inspect'>> {
    return this.request('inspect', { boundarySize });
  }

  /** One sample's pass at the stopped weights. */
  trace(sample: number): Promise<DebugResult<'trace'>> {
    return this.request('trace', { sample });
  }

  /** What a Variables entry of the current stop stands for, when it is a matrix or vector. */
  matrixSource(variablesReference: number): MatrixSource | undefined {
    const ref = this.handles.get(variablesReference);
    return ref?.kind === 'matrix' ? ref.source : undefined;
  }

  /** Every entry of a matrix of the stopped state. */
  matrix(source: MatrixSource): Promise<MatrixValue> {
    return this.request('matrix', { source });
  }

  /** The run as a record for the Runs store (see DebugController.record), or undefined (no epoch completed). */
  record(now?: number): Promise<DebugResult<'record'>> {
    return this.request('record', { file: this.program, text: this.text, now });
  }

  /** The inline values of the stopped state: a short text per layer line (for the editor). */
  async inlineValues(): Promise<{ line: number; text: string }[]> {
    const c = this.channel;
    const map = this.map;
    if (c === undefined || map === undefined) return [];
    const list = await c.request('inline', {});
    return list.map((v) => ({ line: map.lineOfLayer(v.layer), text: v.text }));
  }
}
