/**
 * The prefill sequence of docs/bundle-format.md. Template form: the prompt template with `{image}`
 * replaced by the N visual tokens and `{question}` by the question's tokens. Chat form (version 2):
 * the checkpoint's chat template rendered around a sentinel question, the pieces encoded with special
 * tokens recognised, the question encoded with them off, the one image token expanded to N positions,
 * and the suffix appended.
 */
import { Template } from '@huggingface/jinja';
import type { BundleManifest, ChatPrompt } from '../shared/bundle';
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

/** What the loop may add after the prompt, and the options that set it (for the error message). */
export interface PositionReserve {
  latentSteps: number;
  /** e.g. "latent steps (--steps, latentSteps)" */
  latentOption: string;
  answerTokens: number;
  answerOption: string;
  /** latentEnd follows the latent steps (not for direct) */
  latentEnd: boolean;
}

/** Positions the loop may add after the prompt: latent steps, latentEnd, the answer. */
export function positionsAfterPrompt(maxLatentSteps: number, maxAnswerTokens: number): number {
  return maxLatentSteps + 1 + maxAnswerTokens;
}

/** a question that no template or user types; private-use characters survive every template filter */
const SENTINEL = '\u{E000}latent-trace-question\u{E000}';

export function layoutPrompt(
  m: BundleManifest, tokenizer: BundleTokenizer, question: string, visualTokens: number, reserve: PositionReserve,
): PromptLayout {
  if (question.trim().length === 0) throw new InputError('the question is empty');
  const questionIds = tokenizer.encode(question);
  if (questionIds.length === 0) throw new InputError('the question has no tokens the model knows');
  const layout = 'chat' in m.prompt
    ? chatLayout(m, m.prompt, tokenizer, questionIds, visualTokens)
    : templateLayout(m.prompt.template, tokenizer, questionIds, visualTokens);
  checkPositions(m.model.maxPositions, layout, reserve);
  return layout;
}

function templateLayout(template: readonly string[], tokenizer: BundleTokenizer, questionIds: number[], N: number): PromptLayout {
  const inputIds: number[] = [];
  let imageOffset = -1;
  for (const item of template) {
    if (item === '{image}') {
      imageOffset = inputIds.length;
      for (let i = 0; i < N; i++) inputIds.push(-1);
    } else if (item === '{question}') {
      inputIds.push(...questionIds);
    } else {
      inputIds.push(tokenizer.idOf(item));
    }
  }
  return { inputIds, imageOffset, length: inputIds.length, questionIds };
}

/** The chat template rendered with the sentinel question, split at it: [before, after]. */
export function renderChat(m: BundleManifest, chat: ChatPrompt['chat']): [string, string] {
  const source = m.formatVersion === 2 ? m.tokenizer.chatTemplate : undefined;
  if (!source) throw new InputError(`bundle "${m.name}": prompt.chat needs tokenizer.chatTemplate`);
  const messages: object[] = [];
  if (chat.system !== null) messages.push({ role: 'system', content: chat.system });
  messages.push({ role: 'user', content: [{ type: 'image' }, { type: 'text', text: SENTINEL }] });
  let text: string;
  try {
    text = new Template(source).render({
      messages,
      add_generation_prompt: true,
      // the variables Hugging Face's apply_chat_template passes
      bos_token: m.tokenizer.special.bos,
      eos_token: m.tokenizer.special.eos,
      pad_token: m.tokenizer.special.pad,
      unk_token: m.tokenizer.special.unk,
    });
  } catch (err) {
    throw new InputError(`bundle "${m.name}": the chat template does not render: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parts = text.split(SENTINEL);
  if (parts.length !== 2) throw new InputError(`bundle "${m.name}": the chat template shows the question ${parts.length - 1} times, expected once`);
  return [parts[0], parts[1]];
}

function chatLayout(m: BundleManifest, prompt: ChatPrompt, tokenizer: BundleTokenizer, questionIds: number[], N: number): PromptLayout {
  const [before, after] = renderChat(m, prompt.chat);
  const imageId = tokenizer.idOf(prompt.chat.imageToken);
  const head = tokenizer.encodeTemplate(before);
  const tail = tokenizer.encodeTemplate(after);
  const count = [...head, ...tail].filter((id) => id === imageId).length;
  if (count !== 1 || !head.includes(imageId)) {
    throw new InputError(`bundle "${m.name}": the chat template must emit prompt.chat.imageToken ${JSON.stringify(prompt.chat.imageToken)} once before the question, found it ${count} times`);
  }
  const inputIds: number[] = [];
  let imageOffset = -1;
  for (const id of head) {
    if (id !== imageId) inputIds.push(id);
    else {
      imageOffset = inputIds.length;
      for (let i = 0; i < N; i++) inputIds.push(-1);
    }
  }
  inputIds.push(...questionIds, ...tail, ...prompt.chat.suffix.map((t) => tokenizer.idOf(t)));
  return { inputIds, imageOffset, length: inputIds.length, questionIds };
}

/**
 * The prompt plus everything the loop may add must fit maxPositions. The message blames what is too
 * long and says the range it may take: the question, the latent steps or the answer tokens.
 */
function checkPositions(maxPositions: number, layout: PromptLayout, r: PositionReserve): void {
  const end = r.latentEnd ? 1 : 0;
  const after = r.latentSteps + end + r.answerTokens;
  if (layout.length + after <= maxPositions) return;
  const fixed = layout.length - layout.questionIds.length;
  const room = maxPositions - layout.length - end;
  const questionBudget = maxPositions - fixed - after;
  // a question that leaves no room for one latent step and one answer token is what is too long
  if (room < (r.latentSteps > 0 ? 1 : 0) + 1) {
    throw new InputError(`the question is ${layout.questionIds.length} tokens long; this model takes at most ${Math.max(questionBudget, 0)} (maxPositions ${maxPositions})`);
  }
  const T = r.latentSteps;
  const A = r.answerTokens;
  const where = `this prompt takes ${layout.length} of the model's ${maxPositions} positions, which leaves ${room} for ${T > 0 ? 'the latent steps and ' : ''}the answer`;
  const orQuestion = questionBudget >= 1 ? ` (or shorten the ${layout.questionIds.length}-token question to at most ${questionBudget} tokens)` : '';
  const ranges: string[] = [];
  if (T > 0 && room - A >= 1) ranges.push(`${r.latentOption} must be between 1 and ${room - A} with ${A} answer tokens`);
  if (room - T >= 1) ranges.push(`${r.answerOption} must be between 1 and ${room - T}${T > 0 ? ` with ${T} latent steps` : ''}`);
  if (ranges.length === 0) ranges.push(`${r.latentOption} must be between 1 and ${room - 1} with a 1-token answer`);
  const asked = T > 0 ? `${r.latentOption} is ${T} and ${r.answerOption} is ${A}` : `${r.answerOption} is ${A}`;
  throw new InputError(`${asked}; ${where}: ${ranges.join(', or ')}${orQuestion}`);
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
