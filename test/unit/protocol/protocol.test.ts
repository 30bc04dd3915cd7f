/**
 * The host's check of messages from the webview: every message type is accepted in its valid
 * form (and comes back with only the fields the protocol defines), and every malformed one is
 * rejected with a reason that names what is wrong.
 */
import { strict as assert } from 'node:assert';
import { parseFromWebview } from '../../../src/shared/protocol';

function ok(raw: unknown): unknown {
  const r = parseFromWebview(raw);
  if (!r.ok) assert.fail(`rejected ${JSON.stringify(raw)}: ${r.reason}`);
  return r.message;
}

function rejected(raw: unknown, reasonPart: string): void {
  const r = parseFromWebview(raw);
  assert.equal(r.ok, false, `accepted ${JSON.stringify(raw)}`);
  if (!r.ok) assert.ok(r.reason.includes(reasonPart), `reason "${r.reason}" should mention "${reasonPart}"`);
}

describe('parseFromWebview', () => {
  it('accepts every message type in its valid form', () => {
    assert.deepEqual(ok({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(ok({ kind: 'request', id: 1, type: 'gradCheck', params: {} }), { kind: 'request', id: 1, type: 'gradCheck', params: {} });
    for (const action of ['train', 'pause', 'resume', 'step', 'stop', 'reset']) {
      assert.deepEqual(ok({ type: 'control', action }), { type: 'control', action });
    }
    assert.deepEqual(ok({ type: 'setLearningRate', value: 0.05 }), { type: 'setLearningRate', value: 0.05 });
    assert.deepEqual(ok({ kind: 'request', id: 2, type: 'trace', params: { sample: 0 } }), { kind: 'request', id: 2, type: 'trace', params: { sample: 0 } });
    assert.deepEqual(ok({ type: 'reveal', layer: 2, kind: 'w', j: 0, k: 3 }), { type: 'reveal', layer: 2, kind: 'w', j: 0, k: 3 });
    assert.deepEqual(ok({ type: 'reveal', layer: 1, kind: 'b', j: 4 }), { type: 'reveal', layer: 1, kind: 'b', j: 4 });
  });

  it('drops fields the protocol does not define', () => {
    assert.deepEqual(ok({ type: 'ready', extra: '<script>' }), { type: 'ready' });
    assert.deepEqual(ok({ type: 'control', action: 'stop', force: true }), { type: 'control', action: 'stop' });
  });

  it('rejects what is not a message object', () => {
    for (const raw of [null, undefined, 42, 'ready', [{ type: 'ready' }]]) rejected(raw, 'not an object');
    rejected({}, 'unknown message type');
    rejected({ type: 'launch' }, 'unknown message type "launch"');
    rejected({ type: 7 }, 'unknown message type 7');
  });

  it('rejects unknown control actions', () => {
    rejected({ type: 'control', action: 'explode' }, 'unknown action "explode"');
    rejected({ type: 'control' }, 'control');
  });

  it('rejects learning rates that are not positive finite numbers', () => {
    for (const value of [0, -0.1, NaN, Infinity, '0.1', undefined]) rejected({ type: 'setLearningRate', value }, 'positive finite');
  });

  it('rejects sample numbers that are not non-negative integers', () => {
    for (const sample of [-1, 1.5, '2', NaN, undefined]) rejected({ kind: 'request', id: 1, type: 'trace', params: { sample } }, 'non-negative integer');
  });

  it('rejects requests without a positive integer id, or of an unknown type', () => {
    for (const id of [0, -1, 1.5, '1', undefined]) rejected({ kind: 'request', id, type: 'gradCheck', params: {} }, 'id must be a positive integer');
    rejected({ kind: 'request', id: 3, type: 'format-disk', params: {} }, 'unknown request type "format-disk"');
  });

  it('rejects reveals that do not name one parameter', () => {
    const bad = [
      { layer: 0, kind: 'w', j: 0, k: 0 }, // layer 0 has no parameters
      { layer: 1, kind: 'x', j: 0 },
      { layer: 1, kind: 'w', j: 0 }, // a weight needs k
      { layer: 1, kind: 'b', j: 0, k: 1 }, // a bias has no k
      { layer: 1, kind: 'w', j: -1, k: 0 },
      { layer: 1.5, kind: 'b', j: 0 },
    ];
    for (const m of bad) rejected({ type: 'reveal', ...m }, 'reveal');
  });
});
