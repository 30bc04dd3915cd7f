/**
 * Calls a function at most once per interval, however often it is triggered, and always once more
 * after the last trigger (trailing edge), so the last state is never lost. Used to bound the rate
 * of messages to the webview. The clock and timers are injectable for tests.
 */

export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class Throttle {
  private last = -Infinity;
  private handle: unknown;
  private disposed = false;

  constructor(
    private readonly intervalMs: number,
    private readonly fn: () => void,
    private readonly timers: Timers = realTimers,
  ) {}

  /** Runs fn now if the interval has passed since the last run, else once when it has. */
  trigger(): void {
    if (this.disposed || this.handle !== undefined) return;
    const wait = this.last + this.intervalMs - this.timers.now();
    if (wait <= 0) {
      this.run();
      return;
    }
    this.handle = this.timers.setTimeout(() => {
      this.handle = undefined;
      this.run();
    }, wait);
  }

  /** Drops a pending call. */
  cancel(): void {
    if (this.handle !== undefined) this.timers.clearTimeout(this.handle);
    this.handle = undefined;
  }

  dispose(): void {
    this.cancel();
    this.disposed = true;
  }

  private run(): void {
    if (this.disposed) return;
    this.last = this.timers.now();
    this.fn();
  }
}
