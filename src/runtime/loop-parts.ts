/** What the latent loops need from the engine: the graphs as plain async functions, and the stop rule. */
import type { BundleManifest, StopRule } from '../shared/bundle';
import type { Intervention, StepDistance, Trace, TraceStep } from '../shared/trace';
import { stopsAt } from '../analysis/stop-rule';
import type { Decoder, DecoderState, DecoderStep } from './decoder';

export interface ExtractorOutput {
  latentToken: Float32Array;
  /** [Lx * W*W] */
  crossAttention: Float32Array;
}

export interface LoopParts {
  manifest: BundleManifest;
  decoder: Decoder;
  /** token ids -> embeddings [ids.length * D] */
  embed(ids: number[]): Promise<Float32Array>;
  /** absent for bundles without an Extractor; windowFeatures is [W*W * Dl] */
  extract?(latentState: Float32Array, windowFeatures: Float32Array): Promise<ExtractorOutput>;
  /** LVR's head on the hidden state before it is fed back [D] -> [D]; absent = fed as is */
  lvrHead?(hidden: Float32Array): Promise<Float32Array>;
  signal?: AbortSignal;
  onStep?(step: number, total: number): void;
}

export interface LoopStart {
  /** [N*D] */
  visualTokens: Float32Array;
  /** [N*Dl] */
  localFeatures: Float32Array;
  /** width Dl of the local features */
  localDim: number;
  /** this image's visual token grid; N = rows*cols */
  grid: { rows: number; cols: number };
  imageOffset: number;
  state: DecoderState;
  /** the output at the newest position (the end of the prefill) */
  last: DecoderStep;
}

export interface LatentSettings {
  latentSteps: number;
  maxLatentSteps: number;
  stop: StopRule;
  threshold: number;
  intervention?: Intervention;
}

export interface LatentResult {
  steps: TraceStep[];
  state: DecoderState;
  last: DecoderStep;
  stopReason: Trace['stopReason'];
}

/** After step t with distance d: stop? (fixed T, or adaptive by a distance below the threshold, capped) */
export function stopAfter(s: LatentSettings, t: number, d: StepDistance | null): Trace['stopReason'] | null {
  if (s.stop === 'fixed') return t >= s.latentSteps ? 'fixed' : null;
  if (stopsAt(d === null ? null : d[s.stop], s.threshold)) return 'threshold';
  return t >= s.maxLatentSteps ? 'max-steps' : null;
}

export function throwIfAborted(signal?: AbortSignal): void {
  signal?.throwIfAborted();
}
