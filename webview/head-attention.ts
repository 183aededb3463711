/**
 * Pure reads of a trace's per-head attention (Trace.headAttention): one source's row for a layer and a
 * head or the head mean, and that row split into the parts of the sequence (image, question, latents).
 */
import type { AttentionSource, HeadAttention, Trace } from '../src/shared/trace';
import type { AttentionSourceRequest } from '../src/shared/protocol';

export type HeadChoice = number | 'mean';
export type AttentionTarget = 'image' | 'text' | 'latents';
export const ATTENTION_TARGETS: readonly AttentionTarget[] = ['image', 'text', 'latents'];

/** What a source is, in words: "latent step 2", "answer token 0", "last prompt token". */
export function sourceLabel(s: AttentionSource): string {
  if (s.kind === 'latent') return `latent step ${s.index}`;
  if (s.kind === 'answer') return `answer token ${s.index}`;
  return 'last prompt token';
}

/** The row of source `source`, decoder layer `layer` (0-based), one head or the mean over heads; length `positions`. */
export function attentionRow(ha: HeadAttention, source: number, layer: number, head: HeadChoice): Float32Array {
  const { layers, heads, positions } = ha;
  if (!(source >= 0 && source < ha.sources.length)) throw new RangeError(`source ${source} is not one of the ${ha.sources.length} recorded`);
  if (!(layer >= 0 && layer < layers)) throw new RangeError(`layer ${layer} is outside 0..${layers - 1}`);
  if (head !== 'mean' && !(head >= 0 && head < heads)) throw new RangeError(`head ${head} is outside 0..${heads - 1}`);
  const base = (source * layers + layer) * heads;
  if (head !== 'mean') return ha.rows.slice((base + head) * positions, (base + head + 1) * positions);
  const out = new Float32Array(positions);
  for (let k = 0; k < heads; k++) {
    const o = (base + k) * positions;
    for (let p = 0; p < positions; p++) out[p] += ha.rows[o + p];
  }
  for (let p = 0; p < positions; p++) out[p] /= heads;
  return out;
}

export interface RowParts {
  /** over the visual tokens, grid row-major */
  image: Float32Array;
  /** over the question tokens, in order */
  question: Float32Array;
  /** over the latent steps before the source (a source sees only what precedes it) */
  latents: Float32Array;
}

/** Splits a row by the trace's layout; latents stop before the source's own position. */
export function splitRow(row: Float32Array, ha: HeadAttention, source: AttentionSource): RowParts {
  const { image, question, latents } = ha.layout;
  const earlier = Math.max(0, Math.min(latents.count, source.position - latents.offset));
  return {
    image: row.slice(image.offset, image.offset + image.count),
    question: row.slice(question.offset, question.offset + question.count),
    latents: row.slice(latents.offset, latents.offset + earlier),
  };
}

/** The sources in the order the picker lists them: last prompt token, latent steps, answer tokens. */
export function orderedSources(ha: HeadAttention): number[] {
  const rank = { 'prompt-last': 0, latent: 1, answer: 2 } as const;
  return ha.sources.map((_, i) => i).sort((a, b) => {
    const x = ha.sources[a];
    const y = ha.sources[b];
    return rank[x.kind] - rank[y.kind] || x.index - y.index;
  });
}

/**
 * Background alpha for a question token of weight w, BertViz-style: the heaviest token of the row is
 * fully coloured, the others in proportion, so weights compare within a row.
 */
export function tokenAlphas(weights: Float32Array): number[] {
  let max = 0;
  for (const w of weights) if (w > max) max = w;
  return Array.from(weights, (w) => (max > 0 && w > 0 ? w / max : 0));
}

/** The positions a re-run could add: the last prompt token, every latent step and answer token not yet recorded. */
export function unrecordedSources(trace: Trace): AttentionSourceRequest[] {
  const have = new Set((trace.headAttention?.sources ?? []).map((s) => (s.kind === 'prompt-last' ? s.kind : `${s.kind}:${s.index}`)));
  const all: AttentionSourceRequest[] = [
    { kind: 'prompt-last' },
    ...trace.steps.map((_, t) => ({ kind: 'latent' as const, index: t + 1 })),
    ...trace.answer.tokenIds.map((_, i) => ({ kind: 'answer' as const, index: i })),
  ];
  return all.filter((s) => !have.has(s.kind === 'prompt-last' ? s.kind : `${s.kind}:${s.index}`));
}

export function requestLabel(s: AttentionSourceRequest): string {
  return s.kind === 'prompt-last' ? 'last prompt token' : s.kind === 'latent' ? `latent step ${s.index}` : `answer token ${s.index}`;
}
