/**
 * The prefill sequence of docs/bundle-format.md: the prompt template with `{image}` replaced by the N
 * visual tokens and `{question}` by the question's token embeddings.
 */
import type { BundleManifest } from '../shared/bundle';
import type { BundleTokenizer } from './tokenizer';

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

export interface PromptLayout {
  /** token ids in prompt order with -1 at each visual position */
  inputIds: number[];
  /** position of the first visual token */
  imageOffset: number;
  length: number;
  questionIds: number[];
}

/** Positions the loop may add after the prompt: latent steps, latentEnd, the answer. */
export function positionsAfterPrompt(maxLatentSteps: number, maxAnswerTokens: number): number {
  return maxLatentSteps + 1 + maxAnswerTokens;
}

export function layoutPrompt(m: BundleManifest, tokenizer: BundleTokenizer, question: string, reserve: number): PromptLayout {
  if (question.trim().length === 0) throw new InputError('the question is empty');
  const questionIds = tokenizer.encode(question);
  if (questionIds.length === 0) throw new InputError('the question has no tokens the model knows');
  const N = m.model.visualTokens;
  const inputIds: number[] = [];
  let imageOffset = -1;
  for (const item of m.prompt.template) {
    if (item === '{image}') {
      imageOffset = inputIds.length;
      for (let i = 0; i < N; i++) inputIds.push(-1);
    } else if (item === '{question}') {
      inputIds.push(...questionIds);
    } else {
      inputIds.push(tokenizer.idOf(item));
    }
  }
  const budget = m.model.maxPositions - reserve - (inputIds.length - questionIds.length);
  if (questionIds.length > budget) {
    throw new InputError(`the question is ${questionIds.length} tokens long; this model takes at most ${Math.max(budget, 0)} (maxPositions ${m.model.maxPositions})`);
  }
  return { inputIds, imageOffset, length: inputIds.length, questionIds };
}

/** Splices the visual tokens [N*D] and the token embeddings (one embed call) into the prefill [length*D]. */
export async function prefillEmbeddings(
  layout: PromptLayout, visualTokens: Float32Array, dim: number, embed: (ids: number[]) => Promise<Float32Array>,
): Promise<Float32Array> {
  const textIds = layout.inputIds.filter((id) => id >= 0);
  const textEmb = await embed(textIds);
  const out = new Float32Array(layout.length * dim);
  let k = 0;
  let v = 0;
  layout.inputIds.forEach((id, pos) => {
    const src = id < 0 ? visualTokens.subarray(v++ * dim, v * dim) : textEmb.subarray(k++ * dim, k * dim);
    out.set(src, pos * dim);
  });
  return out;
}
