/**
 * What each answer token adds to the decoded answer. Byte-level BPE pieces ("Ġred") are not text, and a
 * token can end inside a multi-byte character, so per-token text comes from decoding growing prefixes:
 * each token adds the text that is certain once it is decoded, so a character split over tokens is
 * carried whole by the token that completes it.
 * Pure (no node:*): the runtime writes `answer.tokenTexts` with it and the panel checks what it reads.
 */

/** U+FFFD: what a tokenizer's decoder yields for an incomplete UTF-8 sequence */
const TRAILING_REPLACEMENTS = /\uFFFD+$/;

/**
 * Per-token texts whose concatenation is exactly decode(ids), or undefined when the decoder is not
 * prefix-stable (a later token rewrote earlier text), so no per-token split is honest.
 */
export function answerTokenTexts(decode: (ids: readonly number[]) => string, ids: readonly number[]): string[] | undefined {
  const texts: string[] = [];
  let shown = '';
  for (let i = 0; i < ids.length; i++) {
    // what is certain so far: an incomplete character at the end decodes to U+FFFD until its last byte comes
    const stable = decode(ids.slice(0, i + 1)).replace(TRAILING_REPLACEMENTS, '');
    if (!stable.startsWith(shown)) {
      texts.push('');
      continue;
    }
    texts.push(stable.slice(shown.length));
    shown = stable;
  }
  const full = decode(ids);
  if (!full.startsWith(shown)) return undefined;
  if (texts.length) texts[texts.length - 1] += full.slice(shown.length);
  return texts;
}

/** Whether per-token texts fit an answer: one per token, concatenated exactly the answer text. */
export function tokenTextsFit(answer: { text: string; tokenIds: readonly number[]; tokenTexts?: readonly string[] }): boolean {
  const t = answer.tokenTexts;
  return t !== undefined && t.length === answer.tokenIds.length && t.join('') === answer.text;
}
