/**
 * Dev only: the harness page is the extension's own inspector page (`inspectorHtml`, the same CSP
 * and skeleton), served from this harness's origin, with VS Code's theme variables and the stand-in
 * for the webview API (stub.js, replaying an engine-generated scenario) loaded before the page's
 * script, and a reporter of CSP violations. Bundled by serve.mjs; prints the page.
 */
import { inspectorHtml, makeNonce } from '../../src/extension/inspector/html';

process.stdout.write(
  inspectorHtml({
    cspSource: "'self'",
    scriptUri: '/dist/webview.js',
    styleUri: '/dist/webview.css',
    nonce: makeNonce(),
    styleUrisBefore: ['/harness/theme.css'],
    scriptUrisBefore: ['/harness/violations.js', '/scenario.js', '/harness/stub.js'],
  }),
);
