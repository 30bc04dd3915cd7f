// The training worker honours `backprop.threads` (the `configure` note's `threads`): a run splits
// large batches across that many threads, exactly as the engine's Trainer does with that count,
// and its helper threads end with the run (done or stopped) and when the file is reloaded.
import * as assert from 'assert';
import { Trainer } from '../../../src/engine';
import { liveHelperThreads } from '../../../src/engine/kernels/threads';
import { loadNet, networkFor } from '../../../src/engine/load';
import { WorkerCore } from '../../../src/extension/worker/core';
import type { HostToWorker, RequestResult, WorkerToHost } from '../../../src/extension/worker/protocol';
import { wideNetwork } from '../kernels/wide';

function directWeights(text: string, threads: number): number[][][] {
  const loaded = loadNet(text, '/tmp/wide.net.json');
  assert.ok(loaded.spec && loaded.train);
  const net = networkFor(loaded.spec, 'train');
  const trainer = new Trainer(net, loaded.train, loaded.spec.training, loaded.spec.seed, loaded.validation, { threads });
  trainer.run(3);
  void trainer.dispose();
  return net.weights().map((l) => [...l.weights, l.biases]);
}

async function settled(): Promise<void> {
  for (let i = 0; i < 100 && liveHelperThreads() > 0; i++) await new Promise((r) => setTimeout(r, 20));
}

describe('training worker: backprop.threads', function () {
  this.timeout(30000);
  const text = wideNetwork();

  function run(threads: number | undefined): { weights: number[][][]; helpersDuring: number } {
    const posted: WorkerToHost[] = [];
    const queue: (() => void)[] = [];
    const core = new WorkerCore((m) => posted.push(m), (fn) => queue.push(fn));
    const send = (m: HostToWorker): void => core.handle(m);
    send({ kind: 'request', id: 1, type: 'load', params: { text, fileName: '/tmp/wide.net.json' } });
    if (threads !== undefined) send({ kind: 'note', type: 'configure', progressIntervalMs: 100, maxPointsPerMessage: 100, threads });
    send({ kind: 'request', id: 2, type: 'train', params: {} });
    const helpersDuring = liveHelperThreads();
    while (queue.length > 0) (queue.shift() as () => void)();
    const end = posted.find((m) => m.kind === 'reply' && m.id === 2);
    assert.ok(end && end.kind === 'reply' && end.ok && (end.result as RequestResult<'train'>).reason === 'done');
    send({ kind: 'request', id: 3, type: 'weights', params: {} });
    const w = posted.find((m) => m.kind === 'reply' && m.id === 3);
    assert.ok(w && w.kind === 'reply' && w.ok);
    return { weights: (w.result as RequestResult<'weights'>).map((l) => [...l.weights, l.biases]), helpersDuring };
  }

  it('trains on the configured threads, as the Trainer does with that count, and ends its helpers with the run', async () => {
    await settled();
    const base = liveHelperThreads();
    const two = run(2);
    assert.strictEqual(two.helpersDuring, base + 1, 'one helper thread while the run lasts');
    assert.deepStrictEqual(two.weights, directWeights(text, 2));
    await settled();
    assert.strictEqual(liveHelperThreads(), base, 'the helper thread ended with the run');
    const one = run(undefined);
    assert.strictEqual(one.helpersDuring, base, 'no helper thread without the setting');
    assert.deepStrictEqual(one.weights, directWeights(text, 1));
    assert.notDeepStrictEqual(two.weights, one.weights, 'two threads add the batch in another order');
  });
});
