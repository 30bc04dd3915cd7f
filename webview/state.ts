/**
 * What the webview keeps across hiding and window reloads (the webview state API): the file's URI
 * (the panel serializer reads it to reopen the right inspector), the user's choices, and the chart
 * history (as bounded as the chart's). `readSavedState` checks whatever comes back, field by field.
 */
import type { EpochPoint } from '../src/shared/protocol';

export const TABS = ['training', 'network', 'weights', 'step', 'gradcheck', 'runs'] as const;
export type Tab = (typeof TABS)[number];

export const HEATMAP_MODES = ['value', 'gradient', 'update', 'ratio'] as const;
export type HeatmapMode = (typeof HEATMAP_MODES)[number];

export type EdgeMode = 'weight' | 'gradient';

export interface SavedState {
  /** The `.net.json` file's URI (string form); the serializer reads this. */
  uri?: string;
  tab: Tab;
  heatmapMode: HeatmapMode;
  edgeMode: EdgeMode;
  logScale: boolean;
  /** 0-based sample of the network view and the step-through. */
  sample: number;
  step: number;
  history: EpochPoint[];
}

export const DEFAULT_STATE: SavedState = {
  tab: 'training',
  heatmapMode: 'value',
  edgeMode: 'weight',
  logScale: false,
  sample: 0,
  step: 0,
  history: [],
};

function isPoint(p: unknown): p is EpochPoint {
  if (typeof p !== 'object' || p === null) return false;
  const q = p as Record<string, unknown>;
  const num = (v: unknown): boolean => v === undefined || v === null || typeof v === 'number';
  return typeof q.epoch === 'number' && (typeof q.loss === 'number' || q.loss === null) && num(q.valLoss) && num(q.accuracy) && num(q.valAccuracy);
}

/** JSON turns NaN into null; bring it back so a diverged point stays a non-number. */
function revivePoint(p: EpochPoint): EpochPoint {
  const q: EpochPoint = { epoch: p.epoch, loss: p.loss === null ? NaN : p.loss };
  for (const k of ['valLoss', 'accuracy', 'valAccuracy'] as const) {
    const v = p[k] as number | null | undefined;
    if (v !== undefined) q[k] = v === null ? NaN : v;
  }
  return q;
}

/** The saved state, with every unusable field replaced by its default. */
export function readSavedState(raw: unknown): SavedState {
  const s: SavedState = { ...DEFAULT_STATE, history: [] };
  if (typeof raw !== 'object' || raw === null) return s;
  const r = raw as Record<string, unknown>;
  if (typeof r.uri === 'string') s.uri = r.uri;
  if (typeof r.tab === 'string' && (TABS as readonly string[]).includes(r.tab)) s.tab = r.tab as Tab;
  if (typeof r.heatmapMode === 'string' && (HEATMAP_MODES as readonly string[]).includes(r.heatmapMode)) s.heatmapMode = r.heatmapMode as HeatmapMode;
  if (r.edgeMode === 'weight' || r.edgeMode === 'gradient') s.edgeMode = r.edgeMode;
  if (typeof r.logScale === 'boolean') s.logScale = r.logScale;
  if (typeof r.sample === 'number' && Number.isInteger(r.sample) && r.sample >= 0) s.sample = r.sample;
  if (typeof r.step === 'number' && Number.isInteger(r.step) && r.step >= 0) s.step = r.step;
  if (Array.isArray(r.history)) s.history = r.history.filter(isPoint).map(revivePoint);
  return s;
}
