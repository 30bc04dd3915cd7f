/**
 * The webview's side of the transport: posting messages to the extension and the webview state
 * (`vscode.setState`/`getState`) that survives hiding the panel and reloading the window. Behind
 * an interface so the dev harness can stand in for VS Code.
 */
import type { FromWebview } from '../src/shared/protocol';
import type { SavedState } from './state';

export interface Host {
  post(message: FromWebview): void;
  getState(): unknown;
  setState(state: SavedState): void;
}

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** The VS Code webview API (may be acquired only once per page). */
export function acquireHost(): Host {
  const api = acquireVsCodeApi();
  return {
    post: (m) => api.postMessage(m),
    getState: () => api.getState(),
    setState: (s) => api.setState(s),
  };
}
