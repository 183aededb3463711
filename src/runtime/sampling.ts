/** Choosing the next answer token from logits: greedy, or temperature + nucleus (top-p). Pure. */
import type { Random } from '../analysis/random';

export interface SamplingSettings {
  /** 0 = greedy */
  temperature: number;
  /** nucleus mass in (0, 1]; 1 = the whole distribution */
  topP: number;
}

export interface TokenChoice {
  id: number;
  /** probability of the token under the model (softmax of the raw logits) */
  prob: number;
}

/** softmax in float64 of logits[offset .. offset+size) */
export function softmax(logits: Float32Array, offset = 0, size = logits.length - offset, temperature = 1): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < size; i++) max = Math.max(max, logits[offset + i] / temperature);
  const out = new Float64Array(size);
  let sum = 0;
  for (let i = 0; i < size; i++) {
    out[i] = Math.exp(logits[offset + i] / temperature - max);
    sum += out[i];
  }
  for (let i = 0; i < size; i++) out[i] /= sum;
  return out;
}

export function argmax(values: ArrayLike<number>, offset = 0, size = values.length - offset): number {
  let best = 0;
  for (let i = 1; i < size; i++) if (values[offset + i] > values[offset + best]) best = i;
  return best;
}

export function chooseToken(logits: Float32Array, offset: number, vocab: number, s: SamplingSettings, rng: Random): TokenChoice {
  const probs = softmax(logits, offset, vocab);
  if (s.temperature <= 0) {
    const id = argmax(logits, offset, vocab);
    return { id, prob: probs[id] };
  }
  const tempered = softmax(logits, offset, vocab, s.temperature);
  const order = Array.from(tempered.keys()).sort((a, b) => tempered[b] - tempered[a] || a - b);
  const kept: number[] = [];
  let mass = 0;
  for (const id of order) {
    kept.push(id);
    mass += tempered[id];
    if (mass >= s.topP) break;
  }
  let u = rng.next() * mass;
  for (const id of kept) {
    u -= tempered[id];
    if (u < 0) return { id, prob: probs[id] };
  }
  const last = kept[kept.length - 1];
  return { id: last, prob: probs[last] };
}
