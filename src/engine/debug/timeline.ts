/**
 * Time travel for the debugger: a DebugRun plus its history. Runs are seeded, so any earlier
 * state is found again by restoring the last snapshot before it and running forward to it; the
 * learning-rate changes the user made are replayed at the ticks they were made.
 *
 * Snapshots are taken at tick 0 and at every epoch's end; when they would hold more than
 * `budgetBytes`, every other one is dropped (the first is kept), so memory stays bounded and a
 * step back replays at most a few epochs.
 */
import { DebugRun, type RunSnapshot } from './run';

export class Timeline {
  private readonly snaps: RunSnapshot[] = [];
  /** Learning-rate changes: made while stopped at tick t, in effect from stage t + 1. */
  private readonly lrLog = new Map<number, number>();
  private readonly snapBytes: number;

  constructor(
    readonly run: DebugRun,
    private readonly budgetBytes = 64 * 1024 * 1024,
  ) {
    if (run.position.tick !== 0) throw new Error('a timeline starts before the first stage');
    this.snaps.push(run.snapshot());
    const params = run.net.parameters().reduce((s, p) => s + p.value.length, 0);
    this.snapBytes = 8 * params * 4 + 4 * run.train.inputs.length + 1024; // values + (at most) u, m, v + the order
  }

  get tick(): number {
    return this.run.position.tick;
  }

  /** Runs the next stage (as DebugRun.step) and keeps the history. */
  step(): void {
    this.run.step();
    const t = this.tick;
    const lr = this.lrLog.get(t);
    if (lr !== undefined) this.run.setLearningRate(lr);
    if (this.run.atEpochEnd && t > this.snaps[this.snaps.length - 1].pos.tick) this.keep(this.run.snapshot());
  }

  /** Sets the learning rate from the next stage on; the history after now is forgotten (it changes). */
  setLearningRate(lr: number): void {
    this.run.setLearningRate(lr);
    const t = this.tick;
    for (const k of [...this.lrLog.keys()]) if (k > t) this.lrLog.delete(k);
    while (this.snaps.length > 1 && this.snaps[this.snaps.length - 1].pos.tick > t) this.snaps.pop();
    this.lrLog.set(t, lr);
  }

  /**
   * Brings the run to the state right after stage `tick` ran (0: before the first), bit for bit as it was:
   * restores the last snapshot before it and runs forward. `visit` is called after each stage
   * that runs on the way (for reverse continue's search).
   */
  goTo(tick: number, visit?: () => void): void {
    if (tick < 0) throw new Error('there is no state before tick 0');
    let i = this.snaps.length - 1;
    while (i > 0 && this.snaps[i].pos.tick >= tick) i--;
    if (this.tick >= tick || this.tick < this.snaps[i].pos.tick) {
      this.run.restore(this.snaps[i]);
      const lr = this.lrLog.get(this.tick);
      if (lr !== undefined) this.run.setLearningRate(lr);
    }
    while (this.tick < tick) {
      this.step();
      visit?.();
    }
  }

  /**
   * The last tick before `before` for which `stopsHere` is true, searching backwards a snapshot
   * interval at a time; undefined when there is none. Leaves the run at `before`.
   */
  findLast(before: number, stopsHere: () => boolean): number | undefined {
    let end = before; // search ticks in [start + 1, end - 1]
    for (let i = this.snaps.length - 1; i >= 0; i--) {
      const start = this.snaps[i].pos.tick;
      if (start >= end - 1) continue;
      let found: number | undefined;
      this.run.restore(this.snaps[i]);
      const lr = this.lrLog.get(this.tick);
      if (lr !== undefined) this.run.setLearningRate(lr);
      while (this.tick < end - 1) {
        this.step();
        if (stopsHere()) found = this.tick;
      }
      if (found !== undefined) {
        this.goTo(before);
        return found;
      }
      end = start + 1;
    }
    this.goTo(before);
    return undefined;
  }

  private keep(s: RunSnapshot): void {
    this.snaps.push(s);
    if (this.snaps.length * this.snapBytes > this.budgetBytes && this.snaps.length > 3) {
      const kept = this.snaps.filter((_, i) => i === 0 || i % 2 === 1 || i === this.snaps.length - 1);
      this.snaps.length = 0;
      this.snaps.push(...kept);
    }
  }

  /** The learning rate the user set while stopped at `tick`, if any (in effect from the stage after it). */
  learningRateSetAt(tick: number): number | undefined {
    return this.lrLog.get(tick);
  }

  /** How many snapshots are kept (for tests and the log). */
  get snapshots(): number {
    return this.snaps.length;
  }
}
