/**
 * Per-head attention and the latent lens by replaying a finished run: the same inputs (prefill, the
 * latent tokens fed, latentEnd, the fed answer tokens) go through the decoder again, cut so that each
 * asked-for position is the newest of one call, because the graph returns the newest position's rows
 * only. A few extra decoder calls per trace, and the latent loops stay as they are.
 *
 * Positions (docs/trace-format.md "Per-head attention"): prompt-last is P-1; latent step t sits at
 * P+t-1 (where its token is fed); answer token i's row is the one that predicts it: latentEnd's
 * position P+T for i = 0 (P-1 without latent steps), then the position where token i-1 is fed.
 */
import type { AttentionSource, HeadAttention, LensEntry, PositionLayout } from '../shared/trace';
import { need, type Decoder, type DecoderOutput, type DecoderState, type DecoderStep, type NewPositions } from './decoder';
import { softmax } from './sampling';
import { similarityToEach } from './vector-math';

export type SourceRequest = { kind: 'prompt-last' } | { kind: 'latent' | 'answer'; index: number };

export interface ReplayInput {
  decoder: Decoder;
  layers: number;
  heads: number;
  dim: number;
  /** prefill embeddings [P*D] and, for M-RoPE, their positions */
  prefill: Float32Array;
  prefillPositions?: NewPositions;
  promptLength: number;
  /** every vector fed after the prompt, in order: latent tokens, latentEnd, fed answer tokens [n*D] */
  after: Float32Array;
  latentSteps: number;
  /** latentEnd follows the latent steps (not for direct) */
  latentEnd: boolean;
  /** answer tokens generated, and how many of them were fed back (all, if EOS ended the answer) */
  answerTokens: number;
  fedAnswerTokens: number;
}

export function defaultSources(latentSteps: number, answerTokens: number): SourceRequest[] {
  const out: SourceRequest[] = [];
  for (let t = 1; t <= latentSteps; t++) out.push({ kind: 'latent', index: t });
  if (answerTokens > 0) out.push({ kind: 'answer', index: 0 });
  return out;
}

export function sourcePosition(r: SourceRequest, x: Pick<ReplayInput, 'promptLength' | 'latentSteps' | 'latentEnd' | 'answerTokens'>): number {
  const P = x.promptLength;
  if (r.kind === 'prompt-last') return P - 1;
  if (!Number.isInteger(r.index)) throw new RangeError(`${r.kind} source index must be an integer, got ${r.index}`);
  if (r.kind === 'latent') {
    if (r.index < 1 || r.index > x.latentSteps) throw new RangeError(`latent source ${r.index} does not exist; the run has latent steps 1..${x.latentSteps}`);
    return P + r.index - 1;
  }
  if (r.index < 0 || r.index >= x.answerTokens) throw new RangeError(`answer source ${r.index} does not exist; the answer has tokens 0..${x.answerTokens - 1}`);
  return (x.latentEnd ? P + x.latentSteps : P - 1) + r.index;
}

export interface ReplayOutput {
  /** per asked position: [L*H*(position+1)] */
  heads: Map<number, Float32Array>;
  /** per asked position: hidden_states [(L+1)*D] and the decoder's own logits [V] */
  hidden: Map<number, Float32Array>;
  logits: Map<number, Float32Array>;
}

/** Runs the decoder so each of `headPositions` and `hiddenPositions` is the newest of one call. */
export async function replay(x: ReplayInput, headPositions: readonly number[], hiddenPositions: readonly number[], signal?: AbortSignal): Promise<ReplayOutput> {
  const D = x.dim;
  const P = x.promptLength;
  const total = P + x.after.length / D;
  const wantHeads = new Set(headPositions);
  const wantHidden = new Set(hiddenPositions);
  const stops = [...new Set([...headPositions, ...hiddenPositions])].sort((a, b) => a - b);
  for (const q of stops) if (q < P - 1 || q >= total) throw new RangeError(`position ${q} is outside the replayed sequence [${P - 1}, ${total - 1}]`);
  const out: ReplayOutput = { heads: new Map(), hidden: new Map(), logits: new Map() };
  const fetchFor = (q: number): DecoderOutput[] => [...(wantHeads.has(q) ? ['attentionHeads' as const] : []), ...(wantHidden.has(q) ? ['hiddenStates' as const, 'logits' as const] : [])];
  const keep = (q: number, step: DecoderStep) => {
    if (wantHeads.has(q)) out.heads.set(q, Float32Array.from(need(step, 'attentionHeads')));
    if (wantHidden.has(q)) {
      out.hidden.set(q, Float32Array.from(need(step, 'hiddenStates')));
      out.logits.set(q, Float32Array.from(need(step, 'logits')));
    }
  };
  let state: DecoderState;
  {
    const first = await x.decoder.run(x.decoder.empty(), x.prefill, P, fetchFor(P - 1), x.prefillPositions);
    state = first.state;
    keep(P - 1, first.step);
  }
  let end = P - 1;
  for (const q of stops) {
    if (q <= end) continue;
    signal?.throwIfAborted();
    const S = q - end;
    const chunk = x.after.subarray((end + 1 - P) * D, (q + 1 - P) * D);
    const r = await x.decoder.run(state, chunk, S, fetchFor(q));
    state = r.state;
    keep(q, r.step);
    end = q;
  }
  return out;
}

/** The `headAttention` field: rows [sources, L, H, K], each zero beyond its own position. */
export function headAttentionOf(x: ReplayInput, sources: AttentionSource[], rows: Map<number, Float32Array>, layout: PositionLayout): HeadAttention {
  const { layers: L, heads: H } = x;
  const K = x.promptLength + x.after.length / x.dim;
  const out = new Float32Array(sources.length * L * H * K);
  sources.forEach((s, k) => {
    const row = rows.get(s.position)!;
    const len = s.position + 1;
    for (let lh = 0; lh < L * H; lh++) out.set(row.subarray(lh * len, (lh + 1) * len), (k * L * H + lh) * K);
  });
  return { layers: L, heads: H, positions: K, layout, sources, rows: out };
}

/**
 * One latent step's lens: per layer l = 0..L the top-k tokens of softmax(lens(h_l)) and the k visual
 * tokens (the LLM's input visual tokens) with the highest cosine similarity to h_l.
 */
export function lensEntries(hidden: Float32Array, logits: Float32Array, layers: number, vocab: number, visualTokens: Float32Array, visualCount: number, k: number, text: (id: number) => string): LensEntry[] {
  const D = hidden.length / (layers + 1);
  const entries: LensEntry[] = [];
  for (let l = 0; l <= layers; l++) {
    const probs = softmax(logits, l * vocab, vocab);
    const tokens = topK(probs, k).map((id) => ({ id, text: text(id), prob: probs[id] }));
    const cos = similarityToEach(hidden.subarray(l * D, (l + 1) * D), visualTokens, visualCount);
    const patches = topK(cos, k).map((index) => ({ index, cosine: cos[index] }));
    entries.push({ layer: l, tokens, patches });
  }
  return entries;
}

/** indices of the k largest values, largest first; ties keep the lower index first */
export function topK(values: ArrayLike<number>, k: number): number[] {
  const idx = Array.from({ length: values.length }, (_, i) => i);
  idx.sort((a, b) => values[b] - values[a] || a - b);
  return idx.slice(0, Math.min(k, values.length));
}
