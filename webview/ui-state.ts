/**
 * The view settings the user changes (kept across reloads), with validation of restored values.
 */
import { COLOR_MAPS, type ColorMapName } from './colormap';
import { HEATMAP_LAYERS, type HeatmapLayer } from './heatmap-layers';
import type { Normalisation } from './normalise';

export const TABS = ['trace', 'convergence', 'statistics', 'probing', 'comparison'] as const;
export type Tab = (typeof TABS)[number];

export interface UiState {
  tab: Tab;
  step: number;
  layer: HeatmapLayer;
  colorMap: ColorMapName;
  /** heatmap opacity in [0, 1] */
  opacity: number;
  normalisation: Normalisation;
  /** bilinear upscaling of the grid instead of crisp patches */
  smooth: boolean;
  /** decoder layer of the first-answer attention (0-based); null = mean over layers */
  answerLayer: number | null;
}

export const DEFAULT_UI: UiState = {
  tab: 'trace',
  step: 0,
  layer: 'saliency',
  colorMap: 'viridis',
  opacity: 0.6,
  normalisation: 'step',
  smooth: false,
  answerLayer: null,
};

/** Keeps the valid fields of a restored state and falls back to the defaults for the rest. */
export function restoreUi(saved: unknown): UiState {
  const s = (typeof saved === 'object' && saved !== null ? saved : {}) as Partial<Record<keyof UiState, unknown>>;
  const pick = <T>(v: unknown, ok: (v: unknown) => boolean, d: T): T => (ok(v) ? (v as T) : d);
  return {
    tab: pick(s.tab, (v) => TABS.includes(v as Tab), DEFAULT_UI.tab),
    step: pick(s.step, (v) => Number.isInteger(v) && (v as number) >= 0, DEFAULT_UI.step),
    layer: pick(s.layer, (v) => HEATMAP_LAYERS.includes(v as HeatmapLayer), DEFAULT_UI.layer),
    colorMap: pick(s.colorMap, (v) => COLOR_MAPS.includes(v as ColorMapName), DEFAULT_UI.colorMap),
    opacity: pick(s.opacity, (v) => typeof v === 'number' && v >= 0 && v <= 1, DEFAULT_UI.opacity),
    normalisation: pick(s.normalisation, (v) => v === 'step' || v === 'global', DEFAULT_UI.normalisation),
    smooth: pick(s.smooth, (v) => typeof v === 'boolean', DEFAULT_UI.smooth),
    answerLayer: pick(s.answerLayer, (v) => v === null || (Number.isInteger(v) && (v as number) >= 0), DEFAULT_UI.answerLayer),
  };
}

/** The tabs that make sense for what is shown; the first is the default. */
export function tabsFor(kind: 'empty' | 'trace' | 'compare' | 'stats' | 'probing' | 'steps'): Tab[] {
  switch (kind) {
    case 'trace': return ['trace', 'convergence'];
    case 'compare': return ['comparison', 'convergence'];
    case 'stats': return ['statistics'];
    case 'probing': return ['probing'];
    case 'steps': return ['convergence'];
    case 'empty': return [];
  }
}
