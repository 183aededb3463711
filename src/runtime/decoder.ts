/**
 * The decoder graph with its KV cache: prefill once, then one call per new position.
 * Each call fetches only the outputs its caller asks for (a 7B model's hidden states over a long
 * prefill are half a gigabyte) and returns the newest position's logits, hidden states and attention.
 * The cache is the previous call's present_keys/present_values, kept as onnxruntime's own tensors
 * (float32 or float16) and never copied; states are immutable, so one can be branched.
 */
import { kvHeadsOf, type BundleManifest } from '../shared/bundle';
import type { GraphSession } from './onnx';
import { isNative, sizeOf, type GraphValueIn, type NativeTensor, type Tensor } from './tensor';

/** What a caller can ask of one decoder call. */
export type DecoderOutput = 'logits' | 'lastHidden' | 'hiddenStates' | 'attention' | 'lastHiddenAll';

export const ALL_OUTPUTS: readonly DecoderOutput[] = ['logits', 'lastHidden', 'hiddenStates', 'attention', 'lastHiddenAll'];

export interface DecoderStep {
  /** positions so far (past + new) */
  positions: number;
  /** logits of the newest position [V] */
  logits?: Float32Array;
  /** last hidden state (after the final norm) of the newest position [D] */
  lastHidden?: Float32Array;
  /** hidden_states of the newest position, [(L+1)*D]: 0 = embeddings, L = after the final norm (v2) or the last block (v1) */
  hiddenStates?: Float32Array;
  /** the newest position's attention over all positions, mean over heads, [L*positions] */
  attention?: Float32Array;
  /** last hidden states of all new positions [S*D] */
  lastHiddenAll?: Float32Array;
}

export interface DecoderState {
  readonly past: number;
  /** M-RoPE: the position every added token continues from (for implied positions, = past) */
  readonly next: number;
  readonly keys: GraphValueIn;
  readonly values: GraphValueIn;
}

/** Explicit M-RoPE positions of the new tokens: [3*S] axis-major, and where the tokens after them continue. */
export interface NewPositions {
  positionIds: BigInt64Array;
  next: number;
}

const GRAPH_NAME: Record<DecoderOutput, string> = {
  logits: 'logits',
  lastHidden: 'last_hidden',
  lastHiddenAll: 'last_hidden',
  hiddenStates: 'hidden_states',
  attention: 'attention',
};

/** The output `step[key]`, which the caller must have fetched. */
export function need<K extends Exclude<keyof DecoderStep, 'positions'>>(step: DecoderStep, key: K): Float32Array {
  const v = step[key];
  if (!v) throw new Error(`decoder output "${key}" was not fetched for this step`);
  return v;
}

export class Decoder {
  private readonly L: number;
  private readonly Hkv: number;
  private readonly Dh: number;
  private readonly D: number;
  private readonly V: number;
  private readonly v2: boolean;
  private readonly mrope: boolean;
  private readonly fp16Cache: boolean;
  private readonly maxPositions: number;

  constructor(private readonly session: GraphSession, m: BundleManifest) {
    this.L = m.model.layers;
    this.Hkv = kvHeadsOf(m);
    this.Dh = m.model.headDim;
    this.D = m.model.hiddenSize;
    this.V = m.model.vocabSize;
    this.v2 = m.formatVersion === 2;
    this.mrope = m.formatVersion === 2 && m.model.positions === 'mrope';
    this.fp16Cache = m.formatVersion === 2 && m.model.kvDtype === 'float16';
    this.maxPositions = m.model.maxPositions;
  }

  empty(): DecoderState {
    const shape = [this.L, 1, this.Hkv, 0, this.Dh];
    const data = this.fp16Cache ? new Uint16Array(0) : new Float32Array(0);
    return { past: 0, next: 0, keys: { data, shape }, values: { data, shape } };
  }

  /**
   * Runs S new positions given as embeddings [S*D] after `state`, fetching `fetch`.
   * M-RoPE positions default to `state.next` + i on all three axes (text, latent steps, answer tokens).
   */
  async run(
    state: DecoderState, embeds: Float32Array, S: number, fetch: readonly DecoderOutput[] = ALL_OUTPUTS, positions?: NewPositions,
  ): Promise<{ step: DecoderStep; state: DecoderState }> {
    const { L, Hkv, Dh, D, V } = this;
    const P = state.past;
    if (P + S > this.maxPositions) {
      throw new RangeError(`the sequence would be ${P + S} positions long; the model handles at most ${this.maxPositions}`);
    }
    if (embeds.length !== S * D) throw new RangeError(`decoder input has ${embeds.length} values, expected ${S}x${D}`);
    const feeds: Record<string, GraphValueIn> = {
      inputs_embeds: { data: embeds, shape: [1, S, D] },
      past_keys: state.keys,
      past_values: state.values,
    };
    let next = P + S;
    if (this.mrope) {
      const given = positions ?? continuePositions(state.next, S);
      if (given.positionIds.length !== 3 * S) throw new RangeError(`position_ids has ${given.positionIds.length} values, expected 3x${S}`);
      feeds.position_ids = { data: given.positionIds, shape: [3, 1, S] };
      next = given.next;
    }
    const names = [...new Set([...fetch.map((k) => GRAPH_NAME[k]), 'present_keys', 'present_values'])];
    const out = await this.session.run(feeds, { fetches: names, native: ['present_keys', 'present_values'] });
    const K = P + S;
    const file = this.session.file;
    const step: DecoderStep = { positions: K };
    const wants = new Set(fetch);
    if (wants.has('logits')) {
      const logits = expectOutput(out, 'logits', this.v2 ? [1, V] : [1, S, V], file);
      step.logits = this.v2 ? logits : logits.subarray((S - 1) * V, S * V);
    }
    if (wants.has('lastHidden') || wants.has('lastHiddenAll')) {
      const lastHidden = expectOutput(out, 'last_hidden', [1, S, D], file);
      if (wants.has('lastHidden')) step.lastHidden = lastHidden.subarray((S - 1) * D, S * D);
      if (wants.has('lastHiddenAll')) step.lastHiddenAll = lastHidden;
    }
    if (wants.has('hiddenStates')) {
      if (this.v2) step.hiddenStates = expectOutput(out, 'hidden_states', [L + 1, 1, D], file);
      else {
        const hidden = expectOutput(out, 'hidden_states', [L + 1, 1, S, D], file);
        const newest = new Float32Array((L + 1) * D);
        for (let l = 0; l <= L; l++) newest.set(hidden.subarray((l * S + S - 1) * D, (l * S + S) * D), l * D);
        step.hiddenStates = newest;
      }
    }
    if (wants.has('attention')) step.attention = expectOutput(out, 'attention', [L, 1, K], file);
    const keys = expectCache(out, 'present_keys', [L, 1, Hkv, K, Dh], file);
    const values = expectCache(out, 'present_values', [L, 1, Hkv, K, Dh], file);
    return { step, state: { past: K, next, keys, values } };
  }
}

/** S tokens after `from`: every axis advances by one per token */
export function continuePositions(from: number, S: number): NewPositions {
  const ids = new BigInt64Array(3 * S);
  for (let a = 0; a < 3; a++) for (let i = 0; i < S; i++) ids[a * S + i] = BigInt(from + i);
  return { positionIds: ids, next: from + S };
}

function checkShape(t: { shape: readonly number[] }, name: string, shape: number[], file: string): void {
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`${file}: output "${name}" has shape [${t.shape.join(',')}], expected [${shape.join(',')}]`);
  }
}

function expectCache(out: Record<string, Tensor | NativeTensor>, name: string, shape: number[], file: string): GraphValueIn {
  const t = out[name];
  if (!t) throw new Error(`${file}: output "${name}" is missing`);
  checkShape(t, name, shape, file);
  return t;
}

/** The float output `name`, after checking its shape. */
export function expectOutput(out: Record<string, Tensor | NativeTensor>, name: string, shape: number[], file: string): Float32Array {
  const t = out[name];
  if (!t) throw new Error(`${file}: output "${name}" is missing`);
  checkShape(t, name, shape, file);
  if (isNative(t) || !(t.data instanceof Float32Array)) throw new Error(`${file}: output "${name}" is not float32`);
  if (t.data.length !== sizeOf(shape)) throw new Error(`${file}: output "${name}" holds ${t.data.length} values for shape [${shape.join(',')}]`);
  return t.data;
}
