/** The Runs panel's messages from the webview are checked field by field (the trust boundary). */
import assert from 'node:assert/strict';
import { parseFromRuns } from '../../../src/shared/runsProtocol';

describe('runs panel protocol', () => {
  it('accepts the messages as typed', () => {
    assert.deepEqual(parseFromRuns({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseFromRuns({ type: 'pick', id: '0mx3g9sj4-z6k81j', on: true, extra: 1 }), { type: 'pick', id: '0mx3g9sj4-z6k81j', on: true });
    assert.deepEqual(parseFromRuns({ type: 'scrub', id: 'a-1', epoch: 40 }), { type: 'scrub', id: 'a-1', epoch: 40 });
    assert.deepEqual(parseFromRuns({ type: 'restore', id: 'a-1', epoch: 0 }), { type: 'restore', id: 'a-1', epoch: 0 });
    assert.deepEqual(parseFromRuns({ type: 'pin', id: 'a', pinned: false }), { type: 'pin', id: 'a', pinned: false });
    assert.deepEqual(parseFromRuns({ type: 'exportImage', what: 'chart', format: 'svg', data: '<svg xmlns="x"></svg>' }), { type: 'exportImage', what: 'chart', format: 'svg', data: '<svg xmlns="x"></svg>' });
    assert.deepEqual(parseFromRuns({ type: 'exportImage', what: 'boundary', format: 'png', data: 'data:image/png;base64,AAAA' }), { type: 'exportImage', what: 'boundary', format: 'png', data: 'data:image/png;base64,AAAA' });
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
      { type: 'exportImage', what: 'chart', format: 'png', data: '<svg></svg>' },
      { type: 'exportImage', what: 'chart', format: 'svg', data: 'data:image/png;base64,AAAA' },
      { type: 'exportImage', what: 'table', format: 'svg', data: '<svg></svg>' },
    ]) {
      assert.equal(parseFromRuns(bad), undefined, JSON.stringify(bad));
    }
  });
});
