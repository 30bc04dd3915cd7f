/**
 * Entry point of the Runs panel's webview (bundled to dist/runs.js, its CSS with the inspector's
 * to dist/runs.css). Listens for the host's messages, then says `ready`.
 */
import '../style.css';
import './runs.css';
import { RunsApp } from './app';

interface VsCodeApi {
  postMessage(message: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();
const app = new RunsApp(document.getElementById('app') ?? document.body, { post: (m) => api.postMessage(m) });
window.addEventListener('message', (e: MessageEvent<unknown>) => app.receive(e.data));
api.postMessage({ type: 'ready' });
