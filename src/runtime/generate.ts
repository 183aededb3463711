/**
 * Answer generation after the latent steps: pick a token from the newest logits, stop at EOS or the
 * token budget, otherwise embed it and run one decoder step. Also scores a given answer teacher-forced.
 */
import { need, type DecoderState, type DecoderStep } from './decoder';
import { throwIfAborted, type LoopParts } from './loop-parts';
import type { Random } from '../analysis/random';
import { chooseToken, softmax, type SamplingSettings } from './sampling';

export interface AnswerOptions extends SamplingSettings {
  eosId: number;
  maxTokens: number;
  rng: Random;
}

export interface GeneratedAnswer {
  /** generated ids, EOS excluded */
  tokenIds: number[];
  tokenProbs: number[];
  stoppedByEos: boolean;
}

export async function generateAnswer(parts: LoopParts, state: DecoderState, last: DecoderStep, o: AnswerOptions): Promise<GeneratedAnswer> {
  const V = parts.manifest.model.vocabSize;
  const tokenIds: number[] = [];
  const tokenProbs: number[] = [];
  for (;;) {
    throwIfAborted(parts.signal);
    const choice = chooseToken(need(last, 'logits'), 0, V, o, o.rng);
    if (choice.id === o.eosId) return { tokenIds, tokenProbs, stoppedByEos: true };
    tokenIds.push(choice.id);
    tokenProbs.push(choice.prob);
    parts.onStep?.(tokenIds.length, o.maxTokens);
    if (tokenIds.length >= o.maxTokens) return { tokenIds, tokenProbs, stoppedByEos: false };
    const emb = await parts.embed([choice.id]);
    throwIfAborted(parts.signal);
    ({ step: last, state } = await parts.decoder.run(state, emb, 1, ['logits']));
  }
}

/** Probability of each of `ids` given the previous ones, starting from `last` (teacher forcing). */
export async function scoreAnswer(parts: LoopParts, state: DecoderState, last: DecoderStep, ids: readonly number[]): Promise<number[]> {
  const probs: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    throwIfAborted(parts.signal);
    probs.push(softmax(need(last, 'logits'))[ids[i]]);
    if (i + 1 < ids.length) {
      const emb = await parts.embed([ids[i]]);
      ({ step: last, state } = await parts.decoder.run(state, emb, 1, ['logits']));
    }
  }
  return probs;
}
