/**
 * Warnings about a question the model may not understand (input.warnings): words its vocabulary maps
 * to <unk>, and, when the manifest lists `prompt.questionTemplates`, a question that matches none.
 *
 * A template is text with slots: `{a|b|c}` matches one word among the alternatives, `{}` any one word.
 * Question and template are compared word by word after lowercasing and splitting into `\w+` runs and
 * punctuation runs, the word-level tokenizer's own pre-tokenisation (training/data.py tokenize).
 */
import type { BundleTokenizer } from './tokenizer';

const WORD = /\{[^}]*\}|\w+|[^\w\s]+/gu;

function words(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

/** the words of `question` that the tokenizer turns into the unknown token, each once, in order */
export function unknownWords(tokenizer: BundleTokenizer, unkId: number, question: string): string[] {
  if (!tokenizer.encode(question).includes(unkId)) return [];
  const out: string[] = [];
  for (const w of words(question)) {
    if (!out.includes(w) && tokenizer.encode(w).includes(unkId)) out.push(w);
  }
  return out;
}

export function matchesTemplate(question: string, template: string): boolean {
  const q = words(question);
  const t = words(template);
  if (q.length !== t.length) return false;
  return t.every((slot, i) => {
    if (!slot.startsWith('{')) return slot === q[i];
    const inner = slot.slice(1, -1).trim();
    return inner === '' || inner.split('|').map((a) => a.trim()).includes(q[i]);
  });
}

export function questionWarnings(tokenizer: BundleTokenizer, unkId: number, question: string, templates?: readonly string[]): string[] {
  const warnings: string[] = [];
  const unknown = unknownWords(tokenizer, unkId, question);
  if (unknown.length > 0) {
    const list = unknown.map((w) => JSON.stringify(w)).join(', ');
    warnings.push(`${unknown.length === 1 ? 'the word' : 'the words'} ${list} ${unknown.length === 1 ? 'is' : 'are'} outside the model's vocabulary and ${unknown.length === 1 ? 'becomes' : 'become'} <unk>`);
  }
  if (templates && templates.length > 0 && !templates.some((t) => matchesTemplate(question, t))) {
    warnings.push(`the question matches none of the ${templates.length} question templates the model was trained on`);
  }
  return warnings;
}
