// Dev only: stands in for VS Code's webview API and the extension. Replays the scenario written
// by gen.ts (real engine numbers): init on `ready`, training as a stream of progress / network /
// boundary messages, traces and the gradient check on request. Records what the webview posts.
(function () {
  const S = window.SCENARIO;
  const params = new URLSearchParams(location.search);
  document.body.classList.add(params.get('theme') === 'light' ? 'vscode-light' : 'vscode-dark');
  if (params.get('name')) S.snapshots.forEach((s) => (s.network.name = params.get('name')));
  let snap = 0;
  let state = 'idle';
  let timer;
  let history = [];
  window.__posted = [];
  window.__revealed = [];
  const send = (m) => setTimeout(() => window.postMessage(JSON.parse(JSON.stringify(m)), '*'), 5);
  const tick = params.has('fast') ? 30 : 250;

  function advance() {
    if (snap >= S.snapshots.length - 1) return false;
    if (snap === 0) history = [];
    snap++;
    const s = S.snapshots[snap];
    history.push(...s.points);
    send({ type: 'progress', points: s.points, epoch: s.epoch, totalEpochs: S.totalEpochs });
    send({ type: 'network', network: s.network });
    if (s.boundary) send({ type: 'boundary', boundary: s.boundary });
    return true;
  }
  function setState(st, message) {
    state = st;
    send(message ? { type: 'state', state: st, message } : { type: 'state', state: st });
  }
  function play() {
    clearInterval(timer);
    setState('training');
    timer = setInterval(() => {
      if (!advance()) {
        clearInterval(timer);
        setState('done');
      }
    }, tick);
  }
  // Requests of the shared request/reply layer (src/shared/rpc.ts): exactly one reply per id.
  const reply = (id, result) => send({ kind: 'reply', type: 'reply', id, ok: true, result });
  const fail = (id, error) => send({ kind: 'reply', type: 'reply', id, ok: false, error });
  function answer(m) {
    if (m.type === 'trace') {
      const t = S.snapshots[snap].traces[m.params.sample];
      if (t) reply(m.id, t);
      else fail(m.id, `The harness has traces of the first ${S.snapshots[snap].traces.length} samples only.`);
    } else if (m.type === 'gradCheck') {
      setTimeout(() => reply(m.id, S.gradcheck), 300);
    }
  }
  function handle(m) {
    if (m.kind === 'request') return answer(m);
    switch (m.type) {
      case 'ready': {
        const s = S.snapshots[snap];
        send({ type: 'init', uri: 'file:///work/examples/' + S.file, network: s.network, history, state });
        if (s.boundary) send({ type: 'boundary', boundary: s.boundary });
        break;
      }
      case 'control':
        if (m.action === 'train') { if (snap >= S.snapshots.length - 1) { snap = 0; } play(); }
        else if (m.action === 'resume') play();
        else if (m.action === 'pause') { clearInterval(timer); setState('paused'); }
        else if (m.action === 'stop') { clearInterval(timer); setState('done'); }
        else if (m.action === 'step') { advance(); }
        else if (m.action === 'reset') {
          clearInterval(timer); snap = 0; history = [];
          send({ type: 'network', network: S.snapshots[0].network });
          if (S.snapshots[0].boundary) send({ type: 'boundary', boundary: S.snapshots[0].boundary });
          setState('idle');
        }
        break;
      case 'reveal':
        window.__revealed.push(m);
        break;
    }
  }
  window.acquireVsCodeApi = () => ({
    postMessage(m) { window.__posted.push(m); handle(m); },
    getState() { return JSON.parse(sessionStorage.getItem('inspector-state') || 'null'); },
    setState(s) { sessionStorage.setItem('inspector-state', JSON.stringify(s)); },
  });
})();
