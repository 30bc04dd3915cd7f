/**
 * What the CodeLenses of a `.net.json` file say, as plain data: the lenses at the top of the
 * file (Train / Stop / live epoch and loss / gradient-check verdict / Inspect) and one above each
 * layer after a run (gradient norm, dead and saturated units). Pure, so it is tested in plain
 * Node; `lens.ts` turns it into `vscode.CodeLens`es.
 */
import type { EpochPoint, GradCheckView, TrainingState } from '../../shared/protocol';
import type { LayerStatsView, RunEnd } from '../worker/protocol';
import { isReluFamily } from '../../engine/spec';
import { formatShort as formatNumber } from '../../shared/format';

export { formatNumber };

export interface LensCommand {
  title: string;
  /** A command id; every lens command takes the document URI as its argument. */
  command: string;
  tooltip?: string;
}

export interface LensInput {
  /** Errors in the document now (syntax, validation, data). */
  errors: number;
  /** Number of entries of `layers` in the document (0 when there is no such array). */
  layerCount: number;
  session?: {
    state: TrainingState;
    running: boolean;
    epoch: number;
    totalEpochs: number;
    last?: EpochPoint;
    lastRun?: RunEnd;
    lastCheck?: GradCheckView;
    checkRunning: boolean;
    /** Statistics at the document's current weights (shown only when they are up to date). */
    stats?: LayerStatsView[];
  };
}

export interface LensModel {
  top: LensCommand[];
  /** Lenses above `layers[layer]` (layer >= 1). */
  layers: { layer: number; lens: LensCommand }[];
}

export const CMD = {
  train: 'backprop.train',
  stop: 'backprop.stopTraining',
  pause: 'backprop.pauseTraining',
  resume: 'backprop.resumeTraining',
  check: 'backprop.gradientCheck',
  inspect: 'backprop.openInspector',
  export: 'backprop.export',
  problems: 'workbench.actions.view.problems',
} as const;

/** Numbers for people: 4 significant digits, exponent form for very small or large values. */

export function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

export function buildLenses(input: LensInput): LensModel {
  const inspect: LensCommand = { title: '$(graph) Inspect', command: CMD.inspect, tooltip: 'Open the inspector: loss chart, weights, gradients, backward pass step by step' };
  const s = input.session;
  const top: LensCommand[] = [];
  if (s?.running) {
    const progress = `epoch ${s.epoch}/${s.totalEpochs}${s.last ? ` · loss ${formatNumber(s.last.loss)}` : ''}`;
    if (s.state === 'paused') {
      top.push({ title: '$(debug-continue) Resume', command: CMD.resume, tooltip: 'Resume training' });
      top.push({ title: '$(debug-stop) Stop', command: CMD.stop, tooltip: 'Stop training (the file is not changed)' });
      top.push({ title: `paused at ${progress}`, command: CMD.inspect });
    } else {
      top.push({ title: '$(debug-stop) Stop', command: CMD.stop, tooltip: 'Stop training (the file is not changed)' });
      top.push({ title: '$(debug-pause) Pause', command: CMD.pause, tooltip: 'Pause training between epochs' });
      top.push({ title: `$(pulse) ${progress}`, command: CMD.inspect, tooltip: 'Training; click to watch it in the inspector' });
    }
    top.push(inspect);
    return { top, layers: [] };
  }
  if (input.errors > 0) {
    top.push({
      title: `$(error) ${input.errors === 1 ? '1 problem' : `${input.errors} problems`}: fix to train`,
      command: CMD.problems,
      tooltip: 'Show the Problems panel',
    });
    top.push(inspect);
    return { top, layers: [] };
  }
  top.push({ title: '$(play) Train', command: CMD.train, tooltip: 'Train this network (in a worker thread) for its training.epochs' });
  if (s?.checkRunning) {
    top.push({ title: '$(sync~spin) Gradient check…', command: CMD.inspect });
  } else if (s?.lastCheck) {
    const c = s.lastCheck;
    const worst = c.worst[0];
    top.push({
      title: c.passed
        ? `$(pass) Gradient check passed · max rel. error ${formatNumber(c.maxRelativeError)}`
        : `$(error) Gradient check failed · max rel. error ${formatNumber(c.maxRelativeError)}${worst ? ` (${worst.name})` : ''}`,
      command: CMD.check,
      tooltip: `${c.parameters} parameters checked against centred differences in ${c.seconds.toFixed(2)} s; pass below ${c.thresholds.pass}, fail above ${c.thresholds.fail}. Click to check again.`,
    });
  } else {
    top.push({ title: '$(beaker) Gradient check', command: CMD.check, tooltip: 'Compare backpropagation with centred differences for every parameter' });
  }
  top.push(inspect);
  const run = s?.lastRun;
  if (run) {
    if (run.reason === 'diverged') {
      const d = run.divergence;
      top.push({
        title: `$(warning) diverged at epoch ${d?.epoch ?? run.epoch + 1}${d && d.batch > 0 ? `, batch ${d.batch}` : ''}${d && d.layer > 0 ? `, layer ${d.layer}` : ''}`,
        command: CMD.inspect,
        tooltip: run.message,
      });
    } else if (run.reason === 'error') {
      top.push({ title: '$(error) training failed', command: CMD.inspect, tooltip: run.message });
    } else if (run.last) {
      top.push({
        title: `${run.reason === 'stopped' ? 'stopped' : 'trained'}: epoch ${run.epoch} · loss ${formatNumber(run.last.loss)}${run.last.accuracy !== undefined ? ` · accuracy ${percent(run.last.accuracy)}` : ''}`,
        command: CMD.inspect,
      });
    }
  }
  top.push({ title: '$(export) Export...', command: CMD.export, tooltip: 'Export to a PyTorch script, an ONNX model or a Jupyter notebook (docs/export.md)' });
  const layers: LensModel['layers'] = [];
  for (const st of s?.stats ?? []) {
    if (st.layer >= input.layerCount) continue;
    layers.push({ layer: st.layer, lens: { title: layerTitle(st), command: CMD.inspect, tooltip: layerTooltip(st) } });
  }
  return { top, layers };
}

export function layerTitle(st: LayerStatsView): string {
  const parts = [`layer ${st.layer}`, `‖∇‖ ${formatNumber(st.gradientNorm)}`];
  if (isReluFamily(st.activation)) parts.push(`${percent(st.deadShare)} dead`);
  if (st.activation === 'sigmoid' || st.activation === 'tanh') parts.push(`${percent(st.saturatedShare)} saturated`);
  return parts.join(' · ');
}

function layerTooltip(st: LayerStatsView): string {
  const lines = [`Norm of the gradient of this layer's weights and biases over the training data: ${st.gradientNorm}`];
  if (isReluFamily(st.activation)) {
    lines.push(`Dead units: ${Math.round(st.deadShare * st.units)} of ${st.units} (net input <= 0 for every sample: no gradient flows through them)`);
  }
  if (st.activation === 'sigmoid' || st.activation === 'tanh') {
    lines.push(`Saturated units: ${Math.round(st.saturatedShare * st.units)} of ${st.units} (f' below 1% of its maximum on 95% of the samples)`);
  }
  return lines.join('\n');
}
