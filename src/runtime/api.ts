/**
 * The trace engine's public surface: what the CLI, the dataset runner and the extension call.
 * src/runtime/engine.ts implements `openEngine`; nothing outside src/runtime imports onnxruntime.
 */
import type { BundleManifest } from '../shared/bundle';
import type { GroundTruth, Trace, TraceSettings } from '../shared/trace';
import type { SourceRequest } from './head-replay';

export type ExecutionProvider = 'cpu' | 'cuda' | 'webgpu';

/** Intra-op threads per ONNX session, at most (package.json's `latentTrace.threads` maximum). */
export const MAX_THREADS = 64;

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
export type Logger = (level: LogLevel, message: string) => void;

export interface EngineOptions {
  executionProvider?: ExecutionProvider;
  /** intra-op threads per ONNX session, 1..MAX_THREADS (default 1) */
  threads?: number;
  log?: Logger;
  /** recompute the bundle's content hash on open (default true) */
  verifyHash?: boolean;
}

export interface ReconstructionRequest {
  sampler?: 'ddim' | 'ddpm';
  samplerSteps?: number;
  seed?: number;
}

export interface TraceProgress {
  stage: 'load' | 'image' | 'prefill' | 'latent' | 'answer' | 'reconstruct';
  step?: number;
  total?: number;
}

export interface TraceRequest {
  /** a file path or the encoded image bytes */
  image: string | Uint8Array;
  imageName?: string;
  question: string;
  settings?: Partial<TraceSettings>;
  reconstruct?: boolean | ReconstructionRequest;
  /** the expected answer and/or box (dataset item, sidecar, CLI): the trace gets input.groundTruth and steps' windowHitsBox */
  groundTruth?: Omit<GroundTruth, 'correct'>;
  /**
   * record trace.headAttention (a decoder with attention_heads): true = every latent step and the first
   * answer token; or the sources to record (prompt-last, any latent step, any answer token)
   */
  headAttention?: boolean | { sources: SourceRequest[] };
  /** record steps[].lens (a bundle with a lens graph): true = the top 5 tokens and patches per layer */
  lens?: boolean | { k: number };
  /** keep the visual tokens in the trace (probing needs them) */
  keepVisualTokens?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: TraceProgress) => void;
}

export interface TextEncoding {
  /** last hidden states of the text alone, [length * dim] */
  hidden: Float32Array;
  length: number;
  dim: number;
}

export interface LatentTraceEngine {
  readonly dir: string;
  readonly manifest: BundleManifest;
  trace(request: TraceRequest): Promise<Trace>;
  /** runs the decoder over a text (e.g. a rationale) and returns its last hidden states */
  encodeText(text: string, signal?: AbortSignal): Promise<TextEncoding>;
  dispose(): Promise<void>;
}
