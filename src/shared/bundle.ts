/**
 * The model bundle manifest (`latent-trace.json`): the contract between training/ and the runtime.
 * docs/bundle-format.md is the prose version of this file; src/runtime validates every manifest against it.
 * Version 1 is the bundled toy models' format; version 2 carries real architectures (LLaVA-style, Qwen2.5-VL).
 */
import type { ImageSpecV2 } from './image-spec';

export type { DynamicImageSpec, FixedImageSpec, ImageSpecV2 } from './image-spec';

export type BundleMethod = 'lare' | 'lvr' | 'direct';
export type StopRule = 'fixed' | 'cosine' | 'l1' | 'l2';
/** `latent` is version 2 only: the LVR paper's criterion against the learned latent-end embedding */
export type LvrStopRule = 'fixed' | 'end-token' | 'end-distance' | 'latent';
export type LvrCriterion = 'mse' | 'mae' | 'cosine';
export type GraphDtype = 'float32' | 'float16';

export interface GraphFiles {
  /** v1: pixels [B,3,H,W]; v2 fixed: pixels [1,3,H,W]; v2 dynamic: pixel_values, rotary_pos_ids, window_index,
   *  window_seq_ids -> visual_tokens [1,N,D], local_features [1,N,Dl] */
  vision: string;
  /** input_ids int64 [B,S] -> embeddings [B,S,D] */
  embed: string;
  /** inputs_embeds [1,S,D], past_keys/past_values [L,1,Hkv,P,Dh] (+ position_ids [3,1,S] for mrope) ->
   *  logits, last_hidden, hidden_states, attention, present_keys/present_values (shapes per version, docs) */
  decoder: string;
  /** latent_state [1,K,D], window_features [1,W*W,D] -> latent_token [1,D], cross_attention [1,Lx,W*W]; absent = no Extractor */
  extractor?: string;
  /** sample [B,C,h,w], timestep float32 [B], condition [B,1,D] -> noise_pred [B,C,h,w] */
  unet?: string;
  /** version 2, LVR: hidden [1,S,D] -> projected [1,S,D] */
  lvrHead?: string;
}

export interface SpecialTokens {
  bos: string;
  eos: string;
  pad: string;
  unk: string;
  /** LaRe: <|latent_start|>/<|latent_end|>; LVR: <|lvr_start|>/<|lvr_end|> */
  latentStart?: string;
  latentEnd?: string;
}

/** v1: a square resize to `size` */
export interface ImageSpecV1 {
  /** model input size in pixels (square resize) */
  size: number;
  mean: [number, number, number];
  std: [number, number, number];
  patchSize: number;
  /** visual token grid; rows*cols = N */
  grid: { rows: number; cols: number };
}

/** items are special-token strings or the placeholders "{image}" and "{question}"; the prefill ends with the template */
export interface TemplatePrompt {
  template: string[];
}

/** version 2: the checkpoint's chat template (tokenizer.chatTemplate) around the question, docs "Prompt, chat form" */
export interface ChatPrompt {
  chat: {
    system: string | null;
    /** the one token the template emits for the image; it becomes the N visual positions */
    imageToken: string;
    /** special tokens appended after the rendered template (LaRe: [latentStart]) */
    suffix: string[];
  };
}

interface ModelCommon {
  hiddenSize: number;
  layers: number;
  heads: number;
  headDim: number;
  vocabSize: number;
  maxPositions: number;
}

export interface ModelV1 extends ModelCommon {
  visualTokens: number;
}

export interface ModelV2 extends ModelCommon {
  /** key/value heads of grouped-query attention */
  kvHeads: number;
  /** implied: positions from the past length inside the decoder; mrope: position_ids [3,1,S] from the runtime */
  positions: 'implied' | 'mrope';
  /** M-RoPE (t,h,w) sections of headDim/2 (informational) */
  mropeSection?: [number, number, number];
  dtype: GraphDtype;
  kvDtype: GraphDtype;
  /** N for a fixed image; null for dynamic images (N follows each image's grid) */
  visualTokens: number | null;
}

export interface LvrSpec {
  /** file of D little-endian float32, relative to the bundle; null = the checkpoint has none */
  latentEndEmbedding: string | null;
  criterion: LvrCriterion;
  threshold: number;
  maxSteps: number;
}

interface ManifestCommon {
  format: 'latent-trace-bundle';
  name: string;
  version: string;
  method: BundleMethod;
  description?: string;
  /** "sha256:<hex>" over every file a graph loads and the tokenizer, see docs/bundle-format.md */
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

export interface BundleManifestV1 extends ManifestCommon {
  formatVersion: 1;
  image: ImageSpecV1;
  tokenizer: { file: string; special: SpecialTokens };
  prompt: TemplatePrompt;
  model: ModelV1;
}

export interface BundleManifestV2 extends ManifestCommon {
  formatVersion: 2;
  /** informational: the runtime follows the fields below */
  family: 'llava' | 'qwen2_5_vl';
  image: ImageSpecV2;
  tokenizer: { file: string; special: SpecialTokens; chatTemplate?: string };
  prompt: TemplatePrompt | ChatPrompt;
  model: ModelV2;
  lvr?: LvrSpec;
}

export type BundleManifest = BundleManifestV1 | BundleManifestV2;

/** key/value heads of the decoder's cache (version 1 has no grouped-query attention) */
export function kvHeadsOf(m: BundleManifest): number {
  return m.formatVersion === 2 ? m.model.kvHeads : m.model.heads;
}
