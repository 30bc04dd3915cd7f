/**
 * The worker thread that checks the data of `.net.json` files for the diagnostics (reading and
 * parsing CSV files, generators, the validation split), so the extension host's main thread never
 * does. It is a `dist/worker.js` thread like a training session's, asked only `checkData`; it
 * starts on the first check, ends after `idleMs` without work (and on `dispose`), and is started
 * afresh after a crash. Requests queue in the worker and are answered in order.
 */
import { spawnWorkerClient, type WorkerClient } from '../training/workerClient';
import type { DataCheckOptions, DataCheckResult } from '../worker/dataCheck';

export class DataChecker {
  private client: WorkerClient | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private disposed = false;
  /** Checks sent to a worker thread, for tests and logs. */
  requests = 0;

  constructor(
    private readonly workerPath: string,
    private readonly log: (message: string) => void = () => undefined,
    private readonly idleMs = 30_000,
  ) {}

  /** The data problems of `text` (the document of absolute path `fileName`), from the worker. */
  async check(text: string, fileName: string, options: DataCheckOptions = {}): Promise<DataCheckResult> {
    if (this.disposed) throw new Error('the data checker has ended');
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const client = this.worker();
    this.requests++;
    try {
      return await client.request('checkData', { text, fileName, ...options });
    } finally {
      if (client.pendingCount === 0 && !this.disposed) {
        if (this.idleTimer) clearTimeout(this.idleTimer);
        this.idleTimer = setTimeout(() => {
          this.idleTimer = undefined;
          if ((this.client?.pendingCount ?? 0) === 0) this.stop('idle');
        }, this.idleMs);
      }
    }
  }

  private worker(): WorkerClient {
    if (this.client && !this.client.isEnded) return this.client;
    const client = spawnWorkerClient(this.workerPath, 'data-check worker', this.log, 'backprop data check');
    client.onEvent((e) => {
      if (e.type === 'log') this.log(`data check: ${e.message}`);
    });
    client.onEnded(() => {
      if (this.client === client) this.client = undefined;
    });
    this.client = client;
    return client;
  }

  private stop(reason: string): void {
    const client = this.client;
    this.client = undefined;
    if (client) void client.dispose(`the data-check worker ended (${reason})`);
  }

  dispose(): void {
    this.disposed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.stop('disposed');
  }
}
