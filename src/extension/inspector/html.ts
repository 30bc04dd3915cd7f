/**
 * The inspector's HTML page: a fixed skeleton that loads the bundled script and stylesheet from
 * the extension's dist/ folder under a strict Content Security Policy (nothing inline but the one
 * nonce'd script tag, nothing remote). No text from the network file ever goes into this string:
 * the webview renders all of that itself as DOM text. Pure, so it is unit-tested in plain Node.
 */
import { randomBytes } from 'node:crypto';

export interface PageResources {
  /** `webview.cspSource` */
  cspSource: string;
  /** Webview URIs (asWebviewUri) of dist/webview.js and dist/webview.css. */
  scriptUri: string;
  styleUri: string;
  nonce: string;
  /**
   * Stylesheets before the page's own, and scripts run before its script (same nonce): none in the
   * extension; the development harness (dev/webview-harness) serves this same page with VS Code's
   * theme variables and its stand-in for the webview API there.
   */
  styleUrisBefore?: string[];
  scriptUrisBefore?: string[];
}

/** A fresh nonce for one page load: 128 random bits, base64url (no characters that need escaping). */
export function makeNonce(): string {
  return randomBytes(16).toString('base64url');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

/** Characters that could end a double-quoted attribute or start markup. */
const ATTR_UNSAFE = /["<>`&\u0000-\u001f]/;

function attr(value: string, what: string): string {
  // The values are VS Code resource URIs and our own nonce; anything that could leave the attribute is refused.
  if (ATTR_UNSAFE.test(value)) throw new Error(`inspector page: unexpected characters in the ${what}`);
  return value;
}

export function inspectorHtml(r: PageResources): string {
  const csp = attr(contentSecurityPolicy(r.cspSource, r.nonce), 'content security policy');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${(r.styleUrisBefore ?? []).map((u) => `<link rel="stylesheet" href="${attr(u, 'stylesheet URI')}">\n`).join('')}<link rel="stylesheet" href="${attr(r.styleUri, 'stylesheet URI')}">
<title>Backprop Studio inspector</title>
</head>
<body>
<div id="app"></div>
${(r.scriptUrisBefore ?? []).map((u) => `<script nonce="${attr(r.nonce, 'nonce')}" src="${attr(u, 'script URI')}"></script>\n`).join('')}<script nonce="${attr(r.nonce, 'nonce')}" src="${attr(r.scriptUri, 'script URI')}"></script>
</body>
</html>
`;
}
