/**
 * A trace: everything that happened in one run of a bundle on one image and question.
 * In memory tensors are Float32Array; on disk they are EncodedTensor (docs/trace-format.md).
 */
import type { BundleMethod, StopRule, LvrStopRule } from './bundle';
import type { GridRegion } from './trace-region';

export interface WindowBox {
  /** top-left patch of the window on the visual grid */
  row: number;
  col: number;
  /** side, in patches */
  size: number;
}

export interface StepDistance {
  cosine: number;
  l1: number;
  l2: number;
}

export interface TraceStep {
  index: number;
  /** attention of the newest position over the visual tokens, mean over the saliency layers; grid row-major [rows*cols] */
  saliency: Float32Array;
  /** null for methods without a window (LVR, direct) */
  window: WindowBox | null;
  /** Extractor cross-attention inside the window, mean over heads and queries: [extractorLayers * size * size]; null without an Extractor */
  extractorAttention: Float32Array | null;
  /** the latent token fed back into the LLM [hiddenSize] */
  latentToken: Float32Array;
  /** cosine similarity of the latent token to every visual token [rows*cols] */
  visualSimilarity: Float32Array;
  /** distance to the previous step's latent token; null for the first step */
  distance: StepDistance | null;
  /** optional: per layer, what the step's hidden state reads as (logit lens) and its nearest visual tokens */
  lens?: LensEntry[];
  /** optional, with input.groundTruth.bbox: the step's window rectangle in image pixels intersects the box */
  windowHitsBox?: boolean;
}

export interface AttentionSource { kind: 'prompt-last' | 'latent' | 'answer'; /** latent step 1..T or answer token 0.. */ index: number; /** absolute position in the sequence */ position: number }
export interface PositionLayout { image: { offset: number; count: number }; question: { offset: number; count: number; tokens: string[] /* decoded text of each question token */ }; latents: { offset: number; count: number }; answer: { offset: number; count: number } }
export interface HeadAttention {
  layers: number; heads: number;
  /** total positions K of the sequence at the end of the trace */
  positions: number;
  layout: PositionLayout;
  sources: AttentionSource[];
  /** [sources, layers, heads, positions]: the row of each source position over all positions (0 beyond it); base64 float32 on disk like the other arrays */
  rows: Float32Array;
}
export interface LensEntry { layer: number /* 0 = embeddings .. L */; tokens: { id: number; text: string; prob: number }[]; patches: { index: number; cosine: number }[] /* top-k nearest visual tokens of that layer's state */ }
export interface GroundTruth { bbox?: [number, number, number, number] /* x0,y0,x1,y1 in original image pixels */; expected?: string; correct?: boolean; source: 'dataset' | 'sidecar' | 'cli' }
export interface InterventionResult { spec: unknown /* the runtime's intervention spec, as in settings.intervention */; answer: { text: string; tokenIds: number[] }; baseline: { text: string; tokenIds: number[] }; logProbChange: number /* log p(baseline answer's first token) after minus before */; trace: Trace }

export interface Reconstructions {
  sampler: 'ddim' | 'ddpm';
  samplerSteps: number;
  seed: number;
  channels: number;
  size: number;
  /** [steps * channels * size * size], values in [-1, 1] (pixel space) */
  pixels: Float32Array;
}

export interface TraceSettings {
  latentSteps: number;
  maxLatentSteps: number;
  stop: StopRule;
  threshold: number;
  lvrStop?: LvrStopRule;
  maxAnswerTokens: number;
  temperature: number;
  topP: number;
  seed: number;
  /** an intervention applied to this run, if any */
  intervention?: Intervention;
}

export type Intervention =
  | { kind: 'zero'; step: number }
  | { kind: 'replace-with-step'; step: number; source: number }
  | { kind: 'replace-with-token'; step: number; token: Float32Array; sourceLabel: string }
  /** the produced token plus alpha * direction (e.g. the difference between two traces' steps) */
  | { kind: 'add-direction'; step: number; direction: Float32Array; alpha: number; sourceLabel: string };

export interface Trace {
  format: 'latent-trace/trace';
  version: 1;
  model: { name: string; hash: string; method: BundleMethod; hiddenSize: number; layers: number };
  input: {
    question: string;
    imageName: string;
    /** original image size before resizing */
    imageWidth: number;
    imageHeight: number;
    /** the original (downscaled to at most 1024 px) as PNG base64, for overlays */
    imagePng: string;
    grid: { rows: number; cols: number };
    /** optional: the part of the image the grid covers, as fractions (trace-region.ts); absent = the whole image */
    gridRegion?: GridRegion;
    groundTruth?: GroundTruth;
    warnings?: string[] /* e.g. words outside the vocabulary, an unknown question template */;
  };
  settings: TraceSettings;
  steps: TraceStep[];
  /** number of latent steps actually run */
  stoppedAt: number;
  stopReason: 'fixed' | 'threshold' | 'max-steps' | 'end-token' | 'end-distance' | 'latent' | 'none';
  answer: {
    text: string;
    tokenIds: number[];
    /** probability of each generated token under the model */
    tokenProbs: number[];
    /**
     * optional: the text each token adds to `text` (src/shared/trace-tokens.ts), concatenated exactly `text`;
     * '' for a token that ends inside a multi-byte character (the next one carries the character)
     */
    tokenTexts?: string[];
  };
  tokens: { prompt: number; latent: number; answer: number };
  firstAnswerAttention: {
    /** [layers * rows*cols], mean over heads */
    perLayer: Float32Array;
    /** [rows*cols], mean over layers */
    mean: Float32Array;
    /** sum of `mean` over visual tokens: the LaRe Table 5 statistic */
    total: number;
  };
  visualTokens?: Float32Array;
  reconstructions?: Reconstructions;
  headAttention?: HeadAttention;
  lensKind?: 'logit-lens' | 'tuned-lens';
  timingsMs: Record<string, number>;
  createdAt: string;
}
