/**
 * Entry point of the inspector webview (bundled by esbuild to dist/webview.js, its CSS with the
 * KaTeX fonts to dist/webview.css). Listens for the host's messages first, then says `ready`:
 * the host sends nothing before that.
 */
import 'katex/dist/katex.min.css';
import './style.css';
import './runs/runs.css';
import { App } from './app';
import { acquireHost } from './host';

const host = acquireHost();
const app = new App(document.getElementById('app') ?? document.body, host);
window.addEventListener('message', (e: MessageEvent<unknown>) => app.receive(e.data));
host.post({ type: 'ready' });
