/**
 * The inspector page: header, training controls, and six tabs (Training, Network, Weights,
 * Backprop step by step, Gradient check, Runs). Receives the host's messages, keeps the user's choices
 * and the chart history in the webview state, and asks the host for what it shows (a sample's
 * pass, a gradient check) — it computes no network quantity itself.
 */
import type { EpochPoint, FromWebview, NetworkView, ToWebview, TraceView, TrainingState, WebviewRequests } from '../src/shared/protocol';
import { CancelledError, Requester, isReply } from '../src/shared/rpc';
import { button, el, replaceChildren } from './dom';
import type { Host } from './host';
import { readSavedState, type SavedState, type Tab } from './state';
import { readTheme, watchTheme, type Theme } from './theme';
import { BoundaryPanel } from './views/boundary';
import { Controls } from './views/controls';
import { DebugStateView } from './views/debugState';
import { GradCheckPanel } from './views/gradcheck';
import { LossChart } from './views/lossChart';
import { NetworkTab } from './views/network';
import { Stepper } from './views/stepper';
import { Tooltip } from './views/tooltip';
import type { View } from './views/view';
import { WeightsView } from './views/weights';
import { RunsApp } from './runs/app';
import type { ImageFormat } from '../src/shared/protocol';

const TAB_LABELS: Record<Tab, string> = {
  training: 'Training',
  network: 'Network',
  weights: 'Weights',
  step: 'Backprop step by step',
  gradcheck: 'Gradient check',
  runs: 'Runs',
};

const SAVE_DELAY_MS = 500;

const MESSAGE_TYPES = new Set(['init', 'progress', 'network', 'gradcheck', 'boundary', 'state', 'problem', 'debug', 'note', 'runs']);

const DEBUG_LOCK = 'Off while the debugger runs this file: the inspector shows the debugger\'s state (step with the debug toolbar; set the learning rate in the Debug Console: lr = 0.1)';

export class App {
  private readonly saved: SavedState;
  private theme: Theme;
  private readonly tooltip = new Tooltip();
  private readonly title = el('h1', { testid: 'network-name' });
  private readonly subtitle = el('div', { class: 'subtitle', testid: 'network-summary' });
  private readonly banner = el('div', { class: 'banner', testid: 'problem', attrs: { role: 'alert', hidden: true } });
  private readonly controls: Controls;
  /** The debugger's banner and the matrices opened from its Variables. */
  private readonly debugState: DebugStateView;
  private readonly chart: LossChart;
  private readonly boundary: BoundaryPanel;
  private readonly networkTab: NetworkTab;
  private readonly weights: WeightsView;
  private readonly stepper: Stepper;
  private readonly gradcheck: GradCheckPanel;
  /** The Runs tab (webview/runs/app.ts), with its own sub-protocol. */
  private readonly runs: RunsApp;
  /** Every view, for what they all get alike: the theme, their tab's visibility, the network. */
  private readonly views: View[];
  private readonly tabButtons = new Map<Tab, HTMLButtonElement>();
  private readonly panels = new Map<Tab, HTMLElement>();
  private network?: NetworkView;
  private training: TrainingState = 'idle';
  /** THE epoch shown, in the header and the status line alike (from progress while training, else the network). */
  private epoch = 0;
  /** The header's summary of the network, without the epoch. */
  private summary = '';
  private saveTimer?: ReturnType<typeof setTimeout>;
  /** The webview's questions to the host, by id (src/shared/rpc.ts). */
  private readonly requests: Requester<WebviewRequests>;
  /** The id of the trace request in flight, if any. */
  private traceInFlight?: number;
  private traceQueued = false;
  private stepperWantsTrace = true;
  /** The chart shows history from the saved state that no init has confirmed yet. */
  private restoredHistory: boolean;
  /**
   * The file's loss history while the chart shows a debug run's epochs: what the webview state
   * saves meanwhile, so that a page restored later (the panel shown again, a window reload) never
   * takes the debugger's losses for the file's.
   */
  private fileHistory: EpochPoint[] | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly host: Host,
  ) {
    this.saved = readSavedState(host.getState());
    this.requests = new Requester<WebviewRequests>((m) => host.post(m));
    this.theme = readTheme();
    const s = this.saved;
    this.controls = new Controls((m) => this.post(m));
    this.debugState = new DebugStateView(this.theme, this.tooltip, (id) => this.post({ type: 'closeDebugHeatmap', id }));
    this.chart = new LossChart(this.theme, s.logScale);
    if (s.history.length > 0) this.chart.replace(s.history);
    this.restoredHistory = s.history.length > 0;
    this.chart.element.setAttribute('data-restored-points', String(s.history.length));
    this.boundary = new BoundaryPanel(this.theme);
    const reveal = (layer: number, kind: 'w' | 'b', j: number, k?: number): void => {
      this.post(kind === 'w' ? { type: 'reveal', layer, kind, j, k } : { type: 'reveal', layer, kind, j });
    };
    this.networkTab = new NetworkTab(this.theme, s.edgeMode, s.sample, (x) => this.pickSample(x), (m) => {
      s.edgeMode = m;
      this.save();
    });
    this.weights = new WeightsView(this.tooltip, this.theme, s.heatmapMode, (m) => {
      s.heatmapMode = m;
      this.save();
    }, reveal);
    this.stepper = new Stepper(
      this.theme,
      s.step,
      s.sample,
      (x) => this.pickSample(x),
      (i) => {
        s.step = i;
        this.save();
      },
      () => this.requestTrace(true),
    );
    this.gradcheck = new GradCheckPanel(this.tooltip, this.theme, () => this.runGradCheck(), reveal);
    this.views = [this.chart, this.boundary, this.networkTab, this.weights, this.stepper, this.gradcheck];
    this.runs = new RunsApp({
      post: (m) => this.post({ type: 'runs', message: m }),
      exportImage: (what, format, data) => this.post({ type: 'exportImage', from: 'runs', what, format, data }),
      show: () => this.selectTab('runs'),
    });
    this.boundary.addActions(this.exportButtons('boundary', ['png', 'svg']));
    this.build();
    watchTheme(() => this.onTheme());
  }

  /** A message from the host (anything else posted to the window is ignored). */
  receive(data: unknown): void {
    if (isReply(data)) {
      this.requests.receive(data);
      return;
    }
    if (typeof data !== 'object' || data === null || !MESSAGE_TYPES.has((data as { type?: unknown }).type as string)) return;
    const m = data as ToWebview;
    switch (m.type) {
      case 'init':
        this.chart.setCapacity(m.historyCapacity);
        this.onInit(m.uri, m.network, m.state);
        // The first init after a window reload comes from a fresh session with no history: keep
        // the one saved in the webview state. Any other init is the session's word.
        if (m.history.length > 0 || !this.restoredHistory) {
          this.chart.replace(m.history);
          this.statusFromHistory();
        } else {
          this.controls.setStatus({ message: `The chart shows the run before the window was reloaded (up to epoch ${this.chart.lastEpoch}); the weights are the file's again.` });
        }
        this.restoredHistory = false;
        // the file's history; while following, the debug message that comes next shows the debug run's again
        this.fileHistory = this.debugState.following ? this.chart.points() : undefined;
        break;
      case 'progress':
        this.chart.append(m.points);
        this.showEpoch(m.epoch, m.totalEpochs);
        this.save(true);
        break;
      case 'network':
        this.onNetwork(m.network);
        break;
      case 'gradcheck':
        this.gradcheck.setReport(m.report);
        break;
      case 'boundary':
        this.boundary.set(m.boundary);
        break;
      case 'state':
        this.setState(m.state, m.message);
        if (m.message && (m.state === 'diverged' || m.state === 'error')) this.showProblem(m.message);
        else this.statusFromHistory(m.message);
        break;
      case 'problem':
        this.showProblem(m.message);
        break;
      case 'debug':
        this.debugState.set(m);
        this.controls.setLocked(this.debugState.following ? DEBUG_LOCK : undefined);
        // the debug run's epochs on the chart (the file's history comes back with the init at the end)
        if (m.state === 'stopped' && m.history !== undefined) {
          if (this.fileHistory === undefined) this.fileHistory = this.chart.points();
          this.chart.replace(m.history);
        }
        this.statusFromHistory();
        break;
      case 'note':
        this.controls.setStatus({ message: m.message });
        break;
      case 'runs':
        this.runs.receive(m.message);
        break;
    }
  }

  /** Export buttons for the Training tab's chart or boundary (and the history as CSV). */
  private exportButtons(what: 'chart' | 'boundary', formats: readonly (ImageFormat | 'csv')[]): HTMLElement {
    const name = what === 'chart' ? 'loss chart' : 'decision boundary';
    const buttons = formats.map((f) =>
      button(f.toUpperCase(), () => this.exportTraining(what, f), {
        class: 'link-button',
        testid: `export-${what === 'chart' && f === 'csv' ? 'history' : what}-${f}`,
        title: f === 'csv' ? 'Save the loss history (every epoch the chart holds) as CSV' : `Save the ${name} as ${f.toUpperCase()}`,
      }),
    );
    return el('span', { class: 'export-actions' }, 'Export: ', ...buttons);
  }

  private exportTraining(what: 'chart' | 'boundary', format: ImageFormat | 'csv'): void {
    if (format === 'csv') {
      this.post({ type: 'exportHistory' });
      return;
    }
    const data = what === 'chart' ? this.chart.image(format, this.title.textContent ?? 'Loss per epoch') : this.boundary.image(format);
    if (data === undefined) {
      this.showProblem(what === 'chart' ? 'There is no loss curve to export yet: train first.' : 'There is no decision boundary to export (it needs a network with two inputs).');
      return;
    }
    this.post({ type: 'exportImage', from: 'training', what, format, data });
  }

  private post(m: FromWebview): void {
    this.host.post(m);
  }

  private build(): void {
    const tablist = el('div', { class: 'tabs', attrs: { role: 'tablist', 'aria-label': 'Inspector views' } });
    const content: Record<Tab, HTMLElement> = {
      training: el(
        'div',
        { class: 'training-grid' },
        el(
          'div',
          { class: 'card chart-card' },
          el('div', { class: 'card-head' }, el('h3', { text: 'Loss per epoch' }), el('span', {}, this.logToggle(), this.exportButtons('chart', ['png', 'svg', 'csv']))),
          this.chart.element,
        ),
        this.boundary.element,
      ),
      network: this.networkTab.element,
      weights: this.weights.element,
      step: this.stepper.element,
      gradcheck: this.gradcheck.element,
      runs: this.runs.element,
    };
    const panels: HTMLElement[] = [];
    for (const tab of Object.keys(TAB_LABELS) as Tab[]) {
      const b = button(TAB_LABELS[tab], () => this.selectTab(tab), {
        class: 'tab',
        testid: `tab-${tab}`,
        attrs: { role: 'tab', id: `tab-${tab}`, 'aria-controls': `panel-${tab}` },
      });
      b.addEventListener('keydown', (e) => this.onTabKey(e, tab));
      this.tabButtons.set(tab, b);
      tablist.appendChild(b);
      const panel = el('div', { class: 'panel', testid: `panel-${tab}`, attrs: { role: 'tabpanel', id: `panel-${tab}`, 'aria-labelledby': `tab-${tab}` } }, content[tab]);
      this.panels.set(tab, panel);
      panels.push(panel);
    }
    replaceChildren(
      this.root,
      el('header', { class: 'head' }, el('div', {}, this.title, this.subtitle)),
      this.debugState.element,
      this.banner,
      this.controls.element,
      tablist,
      ...panels,
    );
    this.title.textContent = 'Backprop Studio inspector';
    this.subtitle.textContent = 'Connecting to the extension…';
    this.selectTab(this.saved.tab, false);
  }

  private logToggle(): HTMLElement {
    const box = el('input', { testid: 'log-scale', attrs: { type: 'checkbox' } });
    box.checked = this.saved.logScale;
    box.addEventListener('change', () => {
      this.saved.logScale = box.checked;
      this.chart.setLogScale(box.checked);
      this.save();
    });
    return el('label', { class: 'check' }, box, ' log scale');
  }

  private selectTab(tab: Tab, focus = false): void {
    this.saved.tab = tab;
    for (const [t, b] of this.tabButtons) {
      const on = t === tab;
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
      this.panels.get(t)!.hidden = !on;
    }
    if (focus) this.tabButtons.get(tab)?.focus();
    for (const v of this.views) v.setVisible(v.tab === tab);
    this.runs.setVisible(tab === 'runs');
    this.tooltip.hide();
    if (tab === 'network' && this.network) this.requestTrace(false);
    if (tab === 'step' && this.network) {
      // (a fresh pass for the stepper when it has none or an old one; else one for the walkthrough's
      // "Step through" tick, which leaves the stepper as it is)
      if (!this.stepper.hasTrace || (this.stepper.isStale && this.training !== 'training')) this.requestTrace(true);
      else this.requestTrace(false);
    }
    this.save();
  }

  private onTabKey(e: KeyboardEvent, tab: Tab): void {
    const tabs = Object.keys(TAB_LABELS) as Tab[];
    const i = tabs.indexOf(tab);
    let next: Tab | undefined;
    if (e.key === 'ArrowRight') next = tabs[(i + 1) % tabs.length];
    else if (e.key === 'ArrowLeft') next = tabs[(i - 1 + tabs.length) % tabs.length];
    else if (e.key === 'Home') next = tabs[0];
    else if (e.key === 'End') next = tabs[tabs.length - 1];
    if (next) {
      e.preventDefault();
      this.selectTab(next, true);
    }
  }

  private onInit(uri: string, n: NetworkView, state: TrainingState): void {
    this.saved.uri = uri;
    this.hideProblem();
    this.setState(state);
    this.onNetwork(n, true);
    if (n.sizes[0] !== 2) this.boundary.unavailable();
    this.stepperWantsTrace = true;
    this.requestTrace(true);
    this.save();
  }

  private onNetwork(n: NetworkView, init = false): void {
    this.network = n;
    const file = n.fileName.split(/[\\/]/).pop() ?? n.fileName;
    this.title.textContent = n.name || file;
    this.title.title = n.name;
    const acts = n.layers.map((l) => l.activation).join(' → ');
    this.summary = `${file} · ${n.sizes.join('-')} units · ${acts} · ${n.loss} · ${n.samples} training sample${n.samples === 1 ? '' : 's'}`;
    this.subtitle.title = n.fileName;
    // While training, progress messages carry the epoch; a snapshot read in between must not move it.
    if (init || this.training !== 'training') {
      if (init || n.epoch !== this.epoch) this.showEpoch(n.epoch);
    } else {
      this.renderHeader();
    }
    this.controls.showLearningRate(n.learningRate);
    for (const v of this.views) v.setNetwork(n);
    if (this.saved.sample >= n.samples && n.samples > 0) this.saved.sample = n.samples - 1;
    if (this.saved.tab === 'network') this.requestTrace(false);
  }

  private runGradCheck(): void {
    this.requests.request('gradCheck', {}).then(
      (report) => this.gradcheck.setReport(report),
      (e: Error) => {
        // Only this request's own error ends the check's "running" state; no other problem does.
        this.gradcheck.failed();
        this.showProblem(e.message);
      },
    );
  }

  private onTrace(t: TraceView): void {
    if (t.sample === this.saved.sample) {
      this.networkTab.setTrace(t);
      if (this.stepperWantsTrace || !this.stepper.hasTrace) {
        this.stepper.setTrace(t, this.network?.epoch ?? 0);
        this.stepperWantsTrace = false;
      }
    }
  }

  /**
   * Asks for the pass of the selected sample; one request at a time. A refresh while one is in
   * flight is queued; a new sample (`supersede`) cancels the request in flight, whose reply the
   * request layer then drops.
   */
  private requestTrace(forStepper: boolean, supersede = false): void {
    if (!this.network || this.network.samples === 0) return;
    if (forStepper) this.stepperWantsTrace = true;
    if (this.traceInFlight !== undefined) {
      if (!supersede) {
        this.traceQueued = true;
        return;
      }
      this.requests.cancel(this.traceInFlight);
    }
    const { id, result } = this.requests.send('trace', { sample: this.saved.sample, ...(this.saved.tab === 'step' ? { stepThrough: true } : {}) });
    this.traceInFlight = id;
    result.then(
      (t) => {
        this.traceDone(id);
        this.onTrace(t);
      },
      (e: Error) => {
        if (e instanceof CancelledError) return;
        this.traceDone(id);
        this.showProblem(e.message);
      },
    );
  }

  private traceDone(id: number): void {
    if (this.traceInFlight !== id) return;
    this.traceInFlight = undefined;
    if (this.traceQueued) {
      this.traceQueued = false;
      queueMicrotask(() => this.requestTrace(false));
    }
  }

  private pickSample(sample: number): void {
    this.saved.sample = sample;
    this.networkTab.picker.set(sample);
    this.stepper.picker.set(sample);
    this.networkTab.picker.showTrace(undefined);
    this.stepper.picker.showTrace(undefined);
    this.requestTrace(true, true);
    this.save();
  }

  private setState(s: TrainingState, message?: string): void {
    this.training = s;
    this.controls.setState(s, message);
    document.body.setAttribute('data-training-state', s);
  }

  private lastLoss(): number | undefined {
    const p = this.chart.points();
    return p.length > 0 ? p[p.length - 1].loss : undefined;
  }

  private statusFromHistory(message?: string): void {
    this.controls.setStatus({ epoch: this.epoch, loss: this.lastLoss(), message });
  }

  /** Shows `epoch` in the header and the status line: one number, one source. */
  private showEpoch(epoch: number, totalEpochs?: number): void {
    this.epoch = epoch;
    this.renderHeader();
    this.controls.setStatus({ epoch, totalEpochs, loss: this.lastLoss() });
  }

  private renderHeader(): void {
    this.subtitle.textContent = `${this.summary} · epoch ${this.epoch}`;
  }

  private showProblem(message: string): void {
    replaceChildren(
      this.banner,
      el('span', { text: message }),
      button('Dismiss', () => this.hideProblem(), { class: 'link-button' }),
    );
    this.banner.hidden = false;
  }

  private hideProblem(): void {
    this.banner.hidden = true;
  }

  private onTheme(): void {
    this.theme = readTheme();
    for (const v of this.views) v.setTheme(this.theme);
    this.debugState.setTheme(this.theme);
  }

  /**
   * Saves the state: at once for the user's choices (the page may be discarded any moment when the
   * panel is hidden), soon for streamed progress (coalescing bursts).
   */
  private save(soon = false): void {
    if (!soon) {
      if (this.saveTimer !== undefined) clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
      this.writeState();
      return;
    }
    if (this.saveTimer !== undefined) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.writeState();
    }, SAVE_DELAY_MS);
  }

  private writeState(): void {
    this.host.setState({ ...this.saved, history: this.fileHistory ?? this.chart.points() });
  }
}
