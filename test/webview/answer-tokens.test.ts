import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerTokenTexts, tokenTextsFit } from '../../src/shared/trace-tokens';
import { answerTokens, visibleWhitespace } from '../../webview/answer-tokens';
import { byteLevelDecode, byteLevelPieces } from '../fixtures/traces/byte-level';
import { assertTrace, ProtocolError } from '../../src/shared/protocol';
import { syntheticTrace } from '../fixtures/traces/synthetic-trace';

/** a byte-level vocabulary of the given pieces: id i is pieces[i] */
function byteLevel(pieces: string[]): (ids: readonly number[]) => string {
  return (ids) => byteLevelDecode(ids.map((i) => pieces[i]));
}

test('byte-level pieces: "Ġ" is the space, and a split "é" is carried by the token that completes it', () => {
  const pieces = [...byteLevelPieces('Café', 2), ...byteLevelPieces(' ok', 3)];
  assert.deepEqual(pieces, ['Ca', 'fÃ', '©', 'Ġok']);
  const texts = answerTokenTexts(byteLevel(pieces), [0, 1, 2, 3]);
  assert.deepEqual(texts, ['Ca', 'f', 'é', ' ok']);
});

test('a four-byte emoji over three tokens: two empty texts, then the emoji', () => {
  const pieces = byteLevelPieces('🔴!', 2);
  assert.equal(pieces.length, 3);
  assert.deepEqual(answerTokenTexts(byteLevel(pieces), [0, 1, 2]), ['', '🔴', '!']);
  const three = byteLevelPieces('🔴', 1).concat(byteLevelPieces('x', 1));
  assert.deepEqual(answerTokenTexts(byteLevel(three), [0, 1, 2, 3, 4]), ['', '', '', '🔴', 'x']);
});

test('an answer that ends inside a character keeps the replacement character the decoder gave', () => {
  const pieces = byteLevelPieces('aé', 2);
  assert.deepEqual(answerTokenTexts(byteLevel(pieces), [0]), ['a\uFFFD']);
  assert.deepEqual(answerTokenTexts(byteLevel(pieces), []), []);
});

test('a decoder that rewrites earlier text gives no per-token split', () => {
  // SentencePiece-like: a leading space is dropped only while the token is first
  const vocab = ['\u2581a', '\u2581b'];
  const decode = (ids: readonly number[]) => ids.map((i) => vocab[i]).join('').replace(/\u2581/g, ' ').replace(/^ /, '');
  assert.deepEqual(answerTokenTexts(decode, [0, 1]), ['a', ' b']);
  const unstable = (ids: readonly number[]) => (ids.length === 1 ? 'x' : 'yz');
  assert.equal(answerTokenTexts(unstable, [0, 1]), undefined);
});

test('tokenTextsFit: one text per token that join to the answer', () => {
  assert.ok(tokenTextsFit({ text: 'ab', tokenIds: [1, 2], tokenTexts: ['a', 'b'] }));
  assert.ok(!tokenTextsFit({ text: 'ab', tokenIds: [1, 2], tokenTexts: ['ab'] }));
  assert.ok(!tokenTextsFit({ text: 'ab', tokenIds: [1, 2], tokenTexts: ['a', 'c'] }));
  assert.ok(!tokenTextsFit({ text: 'ab', tokenIds: [1, 2] }));
});

test('display tokens show whitespace, mark partial tokens, and fall back to ids without texts', () => {
  assert.equal(visibleWhitespace(' a\tb\n'), '\u2423a\u21e5b\u21b5');
  const shown = answerTokens({ text: ' é', tokenIds: [5, 6], tokenProbs: [0.5, 0.25], tokenTexts: ['', ' é'] });
  assert.deepEqual(shown, [
    { id: 5, p: 0.5, text: '', partial: true },
    { id: 6, p: 0.25, text: '\u2423é', partial: false },
  ]);
  assert.deepEqual(answerTokens({ text: 'red', tokenIds: [17, 2], tokenProbs: [0.93, 0.99] }).map((t) => t.text), [null, null]);
  // texts that do not fit the answer are not shown as if they did
  assert.deepEqual(answerTokens({ text: 'red', tokenIds: [17], tokenProbs: [0.9], tokenTexts: ['Ġred'] })[0].text, null);
});

test('the panel guard refuses per-token texts that do not join to the answer', () => {
  const t = syntheticTrace({ steps: 2, grid: 4, imageSize: 32, windowSize: 2, bpeAnswer: true });
  assert.doesNotThrow(() => assertTrace(t));
  t.answer.tokenTexts![0] = 'Ġ';
  assert.throws(() => assertTrace(t), (e: unknown) => e instanceof ProtocolError && /trace.answer.tokenTexts: expected \d+ texts that join/.test(e.message));
  (t.answer as { tokenTexts: unknown }).tokenTexts = [1];
  assert.throws(() => assertTrace(t), /trace.answer.tokenTexts: expected an array of strings/);
});
