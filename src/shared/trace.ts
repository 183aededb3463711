/**
 * A trace: everything that happened in one run of a bundle on one image and question.
 * In memory tensors are Float32Array; on disk they are EncodedTensor (docs/trace-format.md).
 */
import type { BundleMethod, StopRule, LvrStopRule } from './bundle';

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
}

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
  | { kind: 'replace-with-token'; step: number; token: Float32Array; sourceLabel: string };

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
  timingsMs: Record<string, number>;
  createdAt: string;
}
