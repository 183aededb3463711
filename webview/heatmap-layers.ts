/**
 * The per-step grids the trace view can overlay on the image, taken from the raw trace values.
 */
import type { Trace } from '../src/shared/trace';
import { extractorAttentionOnGrid } from './grid-geometry';
import { rangeOf, type Normalisation, type ValueRange } from './normalise';

export const HEATMAP_LAYERS = ['saliency', 'extractorAttention', 'visualSimilarity', 'firstAnswerAttention'] as const;
export type HeatmapLayer = (typeof HEATMAP_LAYERS)[number];

export const LAYER_LABELS: Record<HeatmapLayer, string> = {
  saliency: 'Attention saliency',
  extractorAttention: 'Extractor cross-attention (window)',
  visualSimilarity: 'Latent–visual similarity',
  firstAnswerAttention: 'First answer token attention',
};

/** Whether a trace carries the values of a layer (LVR and no-Extractor models have no Extractor attention). */
export function hasLayer(trace: Trace, layer: HeatmapLayer): boolean {
  if (layer === 'extractorAttention') return trace.steps.some((s) => s.extractorAttention !== null && s.window !== null);
  if (layer === 'firstAnswerAttention') return true;
  return trace.steps.length > 0;
}

/** Decoder layers the first-answer attention is stored for. */
export function answerLayerCount(trace: Trace): number {
  const { rows, cols } = trace.input.grid;
  return Math.floor(trace.firstAnswerAttention.perLayer.length / (rows * cols));
}

/**
 * The grid of one layer at one step, row-major rows*cols; NaN where the layer has no value.
 * `answerLayer` picks one decoder layer of the first-answer attention (0-based); null is the mean over layers.
 */
export function layerGrid(trace: Trace, step: number, layer: HeatmapLayer, answerLayer: number | null = null): Float32Array {
  const grid = trace.input.grid;
  if (layer === 'firstAnswerAttention') {
    if (answerLayer === null) return trace.firstAnswerAttention.mean;
    const n = grid.rows * grid.cols;
    if (!(answerLayer >= 0 && answerLayer < answerLayerCount(trace))) {
      throw new RangeError(`decoder layer ${answerLayer + 1} is outside the trace's ${answerLayerCount(trace)} layers`);
    }
    return trace.firstAnswerAttention.perLayer.subarray(answerLayer * n, (answerLayer + 1) * n);
  }
  const s = trace.steps[step];
  if (!s) throw new RangeError(`step ${step} is outside the trace's ${trace.steps.length} steps`);
  if (layer === 'saliency') return s.saliency;
  if (layer === 'visualSimilarity') return s.visualSimilarity;
  if (s.extractorAttention === null || s.window === null) return new Float32Array(grid.rows * grid.cols).fill(NaN);
  return extractorAttentionOnGrid(s.extractorAttention, s.window, grid);
}

/** Caches each layer's grids and global range so scrubbing does no work beyond drawing. */
export class LayerCache {
  private readonly grids = new Map<string, Float32Array>();
  private readonly globals = new Map<string, ValueRange | null>();

  constructor(readonly trace: Trace) {}

  grid(step: number, layer: HeatmapLayer, answerLayer: number | null = null): Float32Array {
    // the first-answer attention is the same at every step: one entry per decoder layer, not per step
    const key = layer === 'firstAnswerAttention' ? `${layer}:${answerLayer ?? 'mean'}` : `${layer}:${step}`;
    let g = this.grids.get(key);
    if (!g) {
      g = layerGrid(this.trace, step, layer, answerLayer);
      this.grids.set(key, g);
    }
    return g;
  }

  range(step: number, layer: HeatmapLayer, normalisation: Normalisation, answerLayer: number | null = null): ValueRange | null {
    if (normalisation === 'step' || layer === 'firstAnswerAttention') return rangeOf([this.grid(step, layer, answerLayer)]);
    if (!this.globals.has(layer)) {
      const all = this.trace.steps.map((_, i) => this.grid(i, layer));
      this.globals.set(layer, rangeOf(all.length ? all : [this.grid(0, layer)]));
    }
    return this.globals.get(layer) ?? null;
  }
}
