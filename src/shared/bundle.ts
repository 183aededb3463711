/**
 * The model bundle manifest (`latent-trace.json`): the contract between training/ and the runtime.
 * docs/bundle-format.md is the prose version of this file; src/runtime validates every manifest against it.
 */

export type BundleMethod = 'lare' | 'lvr' | 'direct';
export type StopRule = 'fixed' | 'cosine' | 'l1' | 'l2';
export type LvrStopRule = 'fixed' | 'end-token' | 'end-distance';

export interface GraphFiles {
  /** pixels [B,3,H,W] -> visual_tokens [B,N,D], local_features [B,N,D] */
  vision: string;
  /** input_ids int64 [B,S] -> embeddings [B,S,D] */
  embed: string;
  /** inputs_embeds [1,S,D], past_keys/past_values [L,1,Hh,P,Dh] -> logits [1,S,V], last_hidden [1,S,D],
   *  hidden_states [L+1,1,S,D], attention [L,1,P+S], present_keys/present_values [L,1,Hh,P+S,Dh] */
  decoder: string;
  /** latent_state [1,K,D], window_features [1,W*W,D] -> latent_token [1,D], cross_attention [1,Lx,W*W]; absent = no Extractor */
  extractor?: string;
  /** sample [B,C,h,w], timestep float32 [B], condition [B,1,D] -> noise_pred [B,C,h,w] */
  unet?: string;
}

export interface BundleManifest {
  format: 'latent-trace-bundle';
  formatVersion: 1;
  name: string;
  version: string;
  method: BundleMethod;
  description?: string;
  /** "sha256:<hex>" over the graph and tokenizer files, see docs/bundle-format.md */
  hash: string;
  provenance: {
    command: string;
    seed: number;
    gitRevision: string;
    trainedAt: string;
    wallTimeSeconds?: number;
    parameters?: number;
    metrics?: Record<string, number>;
  };
  image: {
    /** model input size in pixels (square resize) */
    size: number;
    mean: [number, number, number];
    std: [number, number, number];
    patchSize: number;
    /** visual token grid; rows*cols = N */
    grid: { rows: number; cols: number };
  };
  tokenizer: {
    /** Hugging Face tokenizer.json, relative to the bundle folder */
    file: string;
    special: {
      bos: string;
      eos: string;
      pad: string;
      unk: string;
      /** LaRe: <|latent_start|>/<|latent_end|>; LVR: <|lvr_start|>/<|lvr_end|> */
      latentStart?: string;
      latentEnd?: string;
    };
  };
  /** items are special-token strings or the placeholders "{image}" and "{question}"; the prefill ends with the template */
  prompt: { template: string[] };
  model: {
    hiddenSize: number;
    layers: number;
    heads: number;
    headDim: number;
    vocabSize: number;
    maxPositions: number;
    visualTokens: number;
  };
  graphs: GraphFiles;
  /** LaRe only */
  saliency?: { layers: number[] };
  window?: { size: number; stride: number };
  extractor?: { layers: number; stateLayers: number[] } | null;
  reconstruction?: {
    channels: number;
    size: number;
    /** DDPM linear beta schedule */
    schedule: { type: 'linear'; betaStart: number; betaEnd: number; steps: number };
    sampler: 'ddim' | 'ddpm';
    samplerSteps: number;
    /** clamp each step's x0 prediction to [-1,1] (diffusers' clip_sample); absent = false */
    clipSample?: boolean;
  };
  defaults: {
    latentSteps: number;
    maxLatentSteps: number;
    stop: StopRule;
    thresholds: { cosine: number; l1: number; l2: number };
    maxAnswerTokens: number;
    /** LVR only */
    lvrStop?: LvrStopRule;
    lvrEndDistance?: number;
  };
}
