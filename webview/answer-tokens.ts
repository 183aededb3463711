/**
 * The answer token by token, for display: each token's decoded text (never a byte-level piece such as
 * "Ġred" or half of a multi-byte character) with its probability. Traces without per-token texts show ids.
 */
import type { Trace } from '../src/shared/trace';
import { tokenTextsFit } from '../src/shared/trace-tokens';

export interface AnswerToken {
  id: number;
  p: number | undefined;
  /** what the token adds to the answer, whitespace made visible; null when the trace has no per-token texts */
  text: string | null;
  /** the token ends inside a multi-byte character that the next token completes */
  partial: boolean;
}

const VISIBLE: Record<string, string> = { ' ': '\u2423', '\n': '\u21b5', '\t': '\u21e5', '\r': '' };

/** Spaces, newlines and tabs as visible marks, so " red" and "red" differ on screen. */
export function visibleWhitespace(text: string): string {
  return text.replace(/[ \n\t\r]/g, (c) => VISIBLE[c]);
}

export function answerTokens(answer: Trace['answer']): AnswerToken[] {
  const texts = tokenTextsFit(answer) ? answer.tokenTexts! : null;
  return answer.tokenIds.map((id, i) => ({
    id,
    p: answer.tokenProbs[i],
    text: texts ? visibleWhitespace(texts[i]) : null,
    partial: texts !== null && texts[i] === '',
  }));
}
