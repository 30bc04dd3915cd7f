/**
 * The shared request/reply layer (src/shared/rpc.ts), used between the host and the worker and
 * between the webview and the host: replies matched by id in any order, errors by id, a reply to
 * a cancelled request dropped, everything pending rejected when the other side ends.
 */
import { strict as assert } from 'node:assert';
import { CancelledError, EndedError, Requester, isReply, replyOf, type RequestEnvelope } from '../../../src/shared/rpc';

type Map = { double: { params: { x: number }; result: number }; name: { params: Record<string, never>; result: string } };

function setup(): { r: Requester<Map>; sent: RequestEnvelope<Map>[]; logs: string[] } {
  const sent: RequestEnvelope<Map>[] = [];
  const logs: string[] = [];
  return { r: new Requester<Map>((m) => sent.push(m), (s) => logs.push(s)), sent, logs };
}

describe('request/reply layer (src/shared/rpc.ts)', () => {
  it('gives every request its own id and settles each from the reply with that id, in any order', async () => {
    const { r, sent } = setup();
    const a = r.request('double', { x: 2 });
    const b = r.request('name', {});
    assert.deepEqual(sent.map((m) => [m.type, m.id]), [['double', 1], ['name', 2]]);
    r.receive(replyOf(2, { result: 'n' }));
    r.receive(replyOf(1, { result: 4 }));
    assert.equal(await a, 4);
    assert.equal(await b, 'n');
    assert.equal(r.pendingCount, 0);
  });

  it('rejects a request with the error of its own reply only', async () => {
    const { r, sent } = setup();
    const a = r.request('double', { x: 1 });
    const b = r.request('double', { x: 3 });
    r.receive(replyOf(sent[1].id, { error: new Error('too big') }));
    await assert.rejects(b, /too big/);
    r.receive(replyOf(sent[0].id, { result: 2 }));
    assert.equal(await a, 2);
  });

  it('drops the reply to a cancelled request; the request rejects with CancelledError at once', async () => {
    const { r, sent, logs } = setup();
    const first = r.send('double', { x: 1 });
    const second = r.send('double', { x: 5 });
    r.cancel(first.id);
    await assert.rejects(first.result, CancelledError);
    r.receive(replyOf(sent[0].id, { result: 2 })); // late: dropped
    r.receive(replyOf(sent[1].id, { result: 10 }));
    assert.equal(await second.result, 10);
    assert.equal(logs.length, 1);
    assert.match(logs[0], /unknown request id 1 dropped/);
  });

  it('rejects everything pending when the other side ends, and every later request at once', async () => {
    const { r } = setup();
    const a = r.request('name', {});
    r.end('the worker exited');
    await assert.rejects(a, (e: Error) => e instanceof EndedError && e.message === 'name: the worker exited');
    await assert.rejects(r.request('double', { x: 1 }), EndedError);
  });

  it('tells replies from events', () => {
    assert.equal(isReply(replyOf(3, { result: 1 })), true);
    assert.equal(isReply({ type: 'progress', points: [] }), false);
    assert.equal(isReply({ kind: 'reply' }), false);
  });
});
