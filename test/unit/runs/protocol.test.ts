/**
 * The Runs tab's messages from the webview are checked field by field (the trust boundary): its
 * sub-protocol alone, wrapped in the inspector's protocol, and the inspector's image exports.
 */
import assert from 'node:assert/strict';
import { parseFromWebview } from '../../../src/shared/protocol';
import { parseFromRuns } from '../../../src/shared/runsProtocol';

/** What parseFromWebview makes of `raw`: the message, or undefined when it refuses it. */
const parsed = (raw: unknown): unknown => {
  const r = parseFromWebview(raw);
  return r.ok ? r.message : undefined;
};

describe('runs tab protocol', () => {
  it('accepts the messages as typed', () => {
    assert.deepEqual(parseFromRuns({ type: 'pick', id: '0mx3g9sj4-z6k81j', on: true, extra: 1 }), { type: 'pick', id: '0mx3g9sj4-z6k81j', on: true });
    assert.deepEqual(parseFromRuns({ type: 'scrub', id: 'a-1', epoch: 40 }), { type: 'scrub', id: 'a-1', epoch: 40 });
    assert.deepEqual(parseFromRuns({ type: 'restore', id: 'a-1', epoch: 0 }), { type: 'restore', id: 'a-1', epoch: 0 });
    assert.deepEqual(parseFromRuns({ type: 'pin', id: 'a', pinned: false }), { type: 'pin', id: 'a', pinned: false });
    assert.deepEqual(parseFromRuns({ type: 'exportCsv', id: 'a-1' }), { type: 'exportCsv', id: 'a-1' });
  });

  it('the inspector carries them as { type: runs, message }, and its image exports from either tab', () => {
    assert.deepEqual(parsed({ type: 'runs', message: { type: 'scrub', id: 'a-1', epoch: 40, extra: 1 } }), { type: 'runs', message: { type: 'scrub', id: 'a-1', epoch: 40 } });
    assert.deepEqual(parsed({ type: 'exportImage', from: 'runs', what: 'chart', format: 'svg', data: '<svg xmlns="x"></svg>' }), { type: 'exportImage', from: 'runs', what: 'chart', format: 'svg', data: '<svg xmlns="x"></svg>' });
    assert.deepEqual(parsed({ type: 'exportImage', from: 'training', what: 'boundary', format: 'png', data: 'data:image/png;base64,AAAA' }), { type: 'exportImage', from: 'training', what: 'boundary', format: 'png', data: 'data:image/png;base64,AAAA' });
    assert.deepEqual(parsed({ type: 'exportHistory', points: [1] }), { type: 'exportHistory' });
  });

  it("a trace asked for from the step-by-step tab says so (the walkthrough's step); nothing else passes", () => {
    assert.deepEqual(parsed({ kind: 'request', id: 3, type: 'trace', params: { sample: 1, stepThrough: true } }), { kind: 'request', id: 3, type: 'trace', params: { sample: 1, stepThrough: true } });
    assert.deepEqual(parsed({ kind: 'request', id: 3, type: 'trace', params: { sample: 1, stepThrough: false } }), { kind: 'request', id: 3, type: 'trace', params: { sample: 1 } });
    assert.equal(parsed({ kind: 'request', id: 3, type: 'trace', params: { sample: 1, stepThrough: 'yes' } }), undefined);
  });

  it('refuses what does not fit: ids that could name other files, bad epochs, images of the wrong kind', () => {
    for (const bad of [
      null,
      'ready',
      { type: 'nope' },
      { type: 'pick', id: '../index', on: true },
      { type: 'pick', id: 'a', on: 'yes' },
      { type: 'scrub', id: 'a', epoch: -1 },
      { type: 'scrub', id: 'a', epoch: 1.5 },
      { type: 'restore', id: 'a', epoch: NaN },
      { type: 'remove', id: 'A/B' },
      { type: 'ready' }, // (the inspector's own ready, not the tab's)
    ]) {
      assert.equal(parseFromRuns(bad), undefined, JSON.stringify(bad));
      assert.equal(parsed({ type: 'runs', message: bad }), undefined, JSON.stringify(bad));
    }
    for (const bad of [
      { type: 'exportImage', from: 'runs', what: 'chart', format: 'png', data: '<svg></svg>' },
      { type: 'exportImage', from: 'runs', what: 'chart', format: 'svg', data: 'data:image/png;base64,AAAA' },
      { type: 'exportImage', from: 'runs', what: 'table', format: 'svg', data: '<svg></svg>' },
      { type: 'exportImage', what: 'chart', format: 'svg', data: '<svg></svg>' },
      { type: 'exportImage', from: 'training', what: 'chart', format: 'svg', data: 42 },
      { type: 'control', action: 'runs' },
    ]) {
      assert.equal(parsed(bad), undefined, JSON.stringify(bad));
    }
  });
});
