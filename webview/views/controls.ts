/**
 * The training controls: train, pause, resume, step one epoch, stop, reset, and the learning rate
 * (applied by the session between epochs). Buttons are enabled according to the training state;
 * the status line says what is happening (for screen readers too).
 */
import { isLearningRate } from '../../src/engine/spec';
import type { ControlAction, ControlMessage, SetLearningRateMessage, TrainingState } from '../../src/shared/protocol';
import { button, el } from '../dom';
import { formatFull, formatNumber } from '../format';

const ENABLED: Record<TrainingState, ControlAction[]> = {
  idle: ['train', 'step', 'reset'],
  training: ['pause', 'stop'],
  paused: ['resume', 'step', 'stop', 'reset'],
  done: ['train', 'step', 'reset'],
  diverged: ['train', 'step', 'reset'],
  error: ['train', 'reset'],
};

const LABELS: Record<ControlAction, [string, string]> = {
  train: ['▶ Train', 'Train for the epochs set in the file'],
  pause: ['❚❚ Pause', 'Pause after the current epoch'],
  resume: ['▶ Resume', 'Continue training'],
  step: ['Step epoch', 'Run exactly one epoch'],
  stop: ['■ Stop', 'Stop training'],
  reset: ['↺ Reset', 'Re-initialise the weights from the seed (the file is not changed)'],
};

export class Controls {
  readonly element: HTMLElement;
  private readonly buttons = new Map<ControlAction, HTMLButtonElement>();
  private readonly learningRate: HTMLInputElement;
  private readonly learningRateApply: HTMLButtonElement;
  private readonly learningRateNote: HTMLElement;
  private readonly status: HTMLElement;
  private state: TrainingState = 'idle';
  private learningRateTouched = false;
  /** Why training from here is off (a debug session of the file runs), if it is. */
  private locked: string | undefined;

  constructor(private readonly post: (m: ControlMessage | SetLearningRateMessage) => void) {
    const row = el('div', { class: 'controls', attrs: { role: 'toolbar', 'aria-label': 'Training' } });
    for (const a of Object.keys(LABELS) as ControlAction[]) {
      const [label, title] = LABELS[a];
      const b = button(label, () => this.post({ type: 'control', action: a }), { title, testid: `control-${a}`, class: a === 'train' || a === 'resume' ? 'primary' : undefined });
      this.buttons.set(a, b);
      row.appendChild(b);
    }
    this.learningRate = el('input', { class: 'lr-input', testid: 'learning-rate', attrs: { type: 'number', step: 'any', min: 0, 'aria-label': 'Learning rate' } });
    this.learningRate.addEventListener('input', () => {
      this.learningRateTouched = true;
      this.validateLearningRate();
    });
    this.learningRate.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.applyLearningRate();
    });
    this.learningRateApply = button('Apply', () => this.applyLearningRate(), { testid: 'learning-rate-apply', title: 'Use this learning rate from the next epoch on' });
    this.learningRateNote = el('span', { class: 'lr-note muted' });
    row.appendChild(el('span', { class: 'lr' }, el('label', { text: 'learning rate α ' }, this.learningRate), this.learningRateApply, this.learningRateNote));
    this.status = el('div', { class: 'status', testid: 'status', attrs: { 'aria-live': 'polite' } });
    this.element = el('div', { class: 'controls-box' }, row, this.status);
    this.setState('idle');
  }

  setState(s: TrainingState, message?: string): void {
    this.state = s;
    const on = ENABLED[s];
    for (const [a, b] of this.buttons) {
      b.disabled = !on.includes(a) || this.locked !== undefined;
      b.title = this.locked !== undefined ? this.locked : LABELS[a][1];
      // Pause/Resume and Train share a place in the user's mind: hide what cannot apply at all.
      b.hidden = (a === 'resume' && s !== 'paused') || (a === 'pause' && s === 'paused');
    }
    this.element.setAttribute('data-state', s);
    if (message !== undefined) this.status.setAttribute('data-message', message);
  }

  /**
   * Turns training from the inspector off (`reason`: a debug session of the file is stopped or
   * running; the buttons and the learning-rate field say why) or back on (undefined).
   */
  setLocked(reason: string | undefined): void {
    this.locked = reason;
    this.learningRate.disabled = reason !== undefined;
    this.element.toggleAttribute('data-locked', reason !== undefined);
    this.setState(this.state);
    this.validateLearningRate();
  }

  /** The status line: state, epoch and the latest loss. */
  setStatus(parts: { epoch?: number; totalEpochs?: number; loss?: number; message?: string }): void {
    const bits: string[] = [this.locked !== undefined ? 'Debugger' : STATE_TEXT[this.state]];
    if (parts.epoch !== undefined) bits.push(`epoch ${parts.epoch}${parts.totalEpochs ? ` of ${parts.totalEpochs}` : ''}`);
    if (parts.loss !== undefined) bits.push(`loss ${formatNumber(parts.loss)}`);
    if (parts.message) bits.push(parts.message);
    this.status.textContent = bits.join(' · ');
    if (parts.loss !== undefined) this.status.title = `training loss of the last epoch (mean over its batches) ${formatFull(parts.loss)}`;
  }

  /** Shows the learning rate the session uses (unless the user is editing the field); applying is the host's `setLearningRate`. */
  showLearningRate(v: number): void {
    if (this.learningRateTouched && document.activeElement === this.learningRate) return;
    this.learningRate.value = String(v);
    this.learningRateTouched = false;
    this.validateLearningRate();
  }

  private validateLearningRate(): boolean {
    const ok = this.learningRate.value.trim() !== '' && isLearningRate(Number(this.learningRate.value));
    this.learningRate.setAttribute('aria-invalid', String(!ok));
    this.learningRateApply.disabled = !ok || !this.learningRateTouched || this.locked !== undefined;
    this.learningRateNote.textContent = this.locked !== undefined ? 'the debugger\'s: lr = … in the Debug Console' : ok ? (this.learningRateTouched ? 'not applied yet' : '') : 'must be a positive number';
    return ok;
  }

  private applyLearningRate(): void {
    if (!this.validateLearningRate()) return;
    this.post({ type: 'setLearningRate', value: Number(this.learningRate.value) });
    this.learningRateTouched = false;
    this.learningRateApply.disabled = true;
    this.learningRateNote.textContent = this.state === 'training' ? 'applies from the next epoch' : 'applied';
  }
}

const STATE_TEXT: Record<TrainingState, string> = {
  idle: 'Idle',
  training: 'Training',
  paused: 'Paused',
  done: 'Done',
  diverged: 'Diverged',
  error: 'Error',
};
