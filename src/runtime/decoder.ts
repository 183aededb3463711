/**
 * The decoder graph with its KV cache: prefill once, then one call per new position.
 * Each call returns the newest position's logits, hidden states and attention; the cache is the
 * previous call's present_keys/present_values (immutable, so a state can be branched).
 */
import type { BundleManifest } from '../shared/bundle';
import type { GraphSession } from './onnx';
import { asFloat, floatTensor, type Tensor } from './tensor';

export interface DecoderStep {
  /** positions so far (past + new) */
  positions: number;
  /** logits of the newest position [V] */
  logits: Float32Array;
  /** last hidden state (after the final norm) of the newest position [D] */
  lastHidden: Float32Array;
  /** hidden_states of the newest position, [(L+1)*D]: 0 = embeddings, L = last block */
  hiddenStates: Float32Array;
  /** the newest position's attention over all positions, mean over heads, [L*positions] */
  attention: Float32Array;
  /** last hidden states of all new positions [S*D] */
  lastHiddenAll: Float32Array;
}

export interface DecoderState {
  readonly past: number;
  readonly keys: Float32Array;
  readonly values: Float32Array;
}

export class Decoder {
  private readonly L: number;
  private readonly H: number;
  private readonly Dh: number;
  private readonly D: number;
  private readonly V: number;

  constructor(private readonly session: GraphSession, private readonly model: BundleManifest['model']) {
    this.L = model.layers;
    this.H = model.heads;
    this.Dh = model.headDim;
    this.D = model.hiddenSize;
    this.V = model.vocabSize;
  }

  empty(): DecoderState {
    return { past: 0, keys: new Float32Array(0), values: new Float32Array(0) };
  }

  /** Runs S new positions given as embeddings [S*D] after `state`. */
  async run(state: DecoderState, embeds: Float32Array, S: number): Promise<{ step: DecoderStep; state: DecoderState }> {
    const { L, H, Dh, D, V } = this;
    const P = state.past;
    if (P + S > this.model.maxPositions) {
      throw new RangeError(`the sequence would be ${P + S} positions long; the model handles at most ${this.model.maxPositions}`);
    }
    const cacheShape = [L, 1, H, P, Dh];
    const out = await this.session.run({
      inputs_embeds: floatTensor(embeds, [1, S, D]),
      past_keys: floatTensor(state.keys, cacheShape),
      past_values: floatTensor(state.values, cacheShape),
    });
    const K = P + S;
    const logits = expectOutput(out, 'logits', [1, S, V], this.session.file);
    const lastHidden = expectOutput(out, 'last_hidden', [1, S, D], this.session.file);
    const hidden = expectOutput(out, 'hidden_states', [L + 1, 1, S, D], this.session.file);
    const attention = expectOutput(out, 'attention', [L, 1, K], this.session.file);
    const keys = expectOutput(out, 'present_keys', [L, 1, H, K, Dh], this.session.file);
    const values = expectOutput(out, 'present_values', [L, 1, H, K, Dh], this.session.file);
    const hiddenStates = new Float32Array((L + 1) * D);
    for (let l = 0; l <= L; l++) hiddenStates.set(hidden.subarray((l * S + S - 1) * D, (l * S + S) * D), l * D);
    return {
      step: {
        positions: K,
        logits: logits.subarray((S - 1) * V, S * V),
        lastHidden: lastHidden.subarray((S - 1) * D, S * D),
        hiddenStates,
        attention,
        lastHiddenAll: lastHidden,
      },
      state: { past: K, keys, values },
    };
  }
}

/** The float output `name`, after checking its shape. */
export function expectOutput(out: Record<string, Tensor>, name: string, shape: number[], file: string): Float32Array {
  const t = out[name];
  if (!t) throw new Error(`${file}: output "${name}" is missing`);
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`${file}: output "${name}" has shape [${t.shape.join(',')}], expected [${shape.join(',')}]`);
  }
  return asFloat(t, name).data;
}
