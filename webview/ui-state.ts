/**
 * The view settings the user changes (kept across reloads), with validation of restored values.
 */
import { COLOR_MAPS, type ColorMapName } from './colormap';
import { HEATMAP_LAYERS, type HeatmapLayer } from './heatmap-layers';
import type { Normalisation } from './normalise';
import { ATTENTION_TARGETS, type AttentionTarget } from './head-attention';

export const TABS = ['trace', 'attention', 'lens', 'convergence', 'statistics', 'probing', 'comparison'] as const;
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
  /** heatmap alpha grows with the value (low values leave the image untinted) */
  fade: boolean;
  /** show the image without the heatmap */
  plain: boolean;
  /** decoder layer of the first-answer attention (0-based); null = mean over layers */
  answerLayer: number | null;
  /** attention explorer: index into headAttention.sources, decoder layer (0-based), head (0-based) or the mean, and target */
  attnSource: number;
  attnLayer: number;
  attnHead: number | 'mean';
  attnTarget: AttentionTarget;
  /** latent lens: decoder layer shown (0 = embeddings) */
  lensLayer: number | null;
}

export const DEFAULT_UI: UiState = {
  tab: 'trace',
  step: 0,
  layer: 'saliency',
  colorMap: 'viridis',
  opacity: 0.6,
  normalisation: 'step',
  smooth: false,
  fade: true,
  plain: false,
  answerLayer: null,
  attnSource: 0,
  attnLayer: 0,
  attnHead: 'mean',
  attnTarget: 'image',
  lensLayer: null,
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
    fade: pick(s.fade, (v) => typeof v === 'boolean', DEFAULT_UI.fade),
    plain: pick(s.plain, (v) => typeof v === 'boolean', DEFAULT_UI.plain),
    answerLayer: pick(s.answerLayer, (v) => v === null || (Number.isInteger(v) && (v as number) >= 0), DEFAULT_UI.answerLayer),
    attnSource: pick(s.attnSource, index, DEFAULT_UI.attnSource),
    attnLayer: pick(s.attnLayer, index, DEFAULT_UI.attnLayer),
    attnHead: pick(s.attnHead, (v) => v === 'mean' || index(v), DEFAULT_UI.attnHead),
    attnTarget: pick(s.attnTarget, (v) => ATTENTION_TARGETS.includes(v as AttentionTarget), DEFAULT_UI.attnTarget),
    lensLayer: pick(s.lensLayer, (v) => v === null || index(v), DEFAULT_UI.lensLayer),
  };
}

const index = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;

/** What a trace holds beyond the basics, which decides its extra tabs. */
export interface TraceExtras {
  headAttention: boolean;
  lens: boolean;
  /** latent steps: without them there is nothing to converge */
  steps: boolean;
}

/** The tabs that make sense for what is shown; the first is the default. */
export function tabsFor(kind: 'empty' | 'trace' | 'compare' | 'stats' | 'probing' | 'steps', extras: TraceExtras = { headAttention: false, lens: false, steps: true }): Tab[] {
  switch (kind) {
    case 'trace': return [
      'trace',
      ...(extras.headAttention ? ['attention' as const] : []),
      ...(extras.lens ? ['lens' as const] : []),
      ...(extras.steps ? ['convergence' as const] : []),
    ];
    case 'compare': return ['comparison', 'convergence'];
    case 'stats': return ['statistics'];
    case 'probing': return ['probing'];
    case 'steps': return ['convergence'];
    case 'empty': return [];
  }
}
