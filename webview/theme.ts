/**
 * Colours for canvas and SVG drawing, read from VS Code's theme variables (the same ones the CSS
 * uses), with fallbacks for a page outside VS Code. Re-read when VS Code switches theme (it
 * changes the body's class and the variables), and every view redraws.
 */
import { parseColor, type DivergingPalette, type RGB } from './colors';

export interface Theme {
  kind: 'light' | 'dark' | 'high-contrast';
  fg: RGB;
  muted: RGB;
  bg: RGB;
  border: RGB;
  focus: RGB;
  /** positive values: blue; negative: orange (as in TensorFlow Playground). */
  diverging: DivergingPalette;
  ok: RGB;
  warn: RGB;
  fail: RGB;
  series: { loss: RGB; valLoss: RGB; accuracy: RGB; valAccuracy: RGB };
  fontFamily: string;
  monoFamily: string;
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: RGB): RGB {
  return parseColor(style.getPropertyValue(name)) ?? fallback;
}

export function readTheme(): Theme {
  const style = getComputedStyle(document.body);
  const cls = document.body.classList;
  const kind = cls.contains('vscode-high-contrast') || cls.contains('vscode-high-contrast-light') ? 'high-contrast' : cls.contains('vscode-light') ? 'light' : 'dark';
  const light = kind === 'light';
  const bg = cssVar(style, '--vscode-editor-background', light ? [255, 255, 255] : [30, 30, 30]);
  const blue = cssVar(style, '--vscode-charts-blue', [55, 148, 255]);
  const orange = cssVar(style, '--vscode-charts-orange', [209, 134, 22]);
  return {
    kind,
    fg: cssVar(style, '--vscode-editor-foreground', light ? [51, 51, 51] : [204, 204, 204]),
    muted: cssVar(style, '--vscode-descriptionForeground', light ? [113, 113, 113] : [157, 157, 157]),
    bg,
    border: cssVar(style, '--vscode-panel-border', light ? [200, 200, 200] : [70, 70, 70]),
    focus: cssVar(style, '--vscode-focusBorder', [0, 127, 212]),
    diverging: { negative: orange, neutral: bg, positive: blue, nan: cssVar(style, '--vscode-charts-purple', [183, 128, 255]) },
    ok: cssVar(style, '--vscode-charts-green', [137, 209, 133]),
    warn: cssVar(style, '--vscode-charts-yellow', [204, 167, 0]),
    fail: cssVar(style, '--vscode-charts-red', [241, 76, 76]),
    series: {
      loss: blue,
      valLoss: orange,
      accuracy: cssVar(style, '--vscode-charts-green', [137, 209, 133]),
      valAccuracy: cssVar(style, '--vscode-charts-purple', [183, 128, 255]),
    },
    fontFamily: style.getPropertyValue('--vscode-font-family').trim() || 'system-ui, sans-serif',
    monoFamily: style.getPropertyValue('--vscode-editor-font-family').trim() || 'monospace',
  };
}

/** Calls `onChange` when VS Code switches the colour theme. Returns a function that stops watching. */
export function watchTheme(onChange: () => void): () => void {
  const obs = new MutationObserver(() => onChange());
  obs.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-id'] });
  const html = new MutationObserver(() => onChange());
  html.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
  return () => {
    obs.disconnect();
    html.disconnect();
  };
}
