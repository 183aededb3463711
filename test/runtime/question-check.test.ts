import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openEngine, type TraceEngine } from '../../src/runtime/engine';
import { matchesTemplate } from '../../src/runtime/question-check';

let engine: TraceEngine;
before(async () => {
  engine = await openEngine('models/lare-shapes');
});
after(async () => engine.dispose());

test('templates match word by word, slots by their alternatives or any word', () => {
  assert.equal(matchesTemplate('What color is the Square?', 'what color is the {circle|square|triangle}?'), true);
  assert.equal(matchesTemplate('what color is the dog?', 'what color is the {circle|square|triangle}?'), false);
  assert.equal(matchesTemplate('what color is the dog?', 'what color is the {}?'), true);
  assert.equal(matchesTemplate('what color is the square', 'what color is the {circle|square|triangle}?'), false);
  assert.equal(matchesTemplate('what color is the big square?', 'what color is the {circle|square|triangle}?'), false);
});

test('every sample question matches one of the bundled templates and gets no warning', async () => {
  const { readFile } = await import('node:fs/promises');
  const lines = (await readFile('media/samples/samples.jsonl', 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { question: string });
  const templates = engine.manifest.prompt.questionTemplates!;
  assert.equal(templates.length, 6);
  for (const { question } of lines) assert.ok(templates.some((t) => matchesTemplate(question, t)), question);
  const t = await engine.trace({ image: 'media/samples/images/0000.png', question: lines[0].question });
  assert.equal(t.input.warnings, undefined);
});

test('words outside the vocabulary and an unknown template are warned about in the trace', async () => {
  const t = await engine.trace({ image: 'media/samples/images/0000.png', question: 'is there a dog? describe the scene' });
  assert.deepEqual(t.input.warnings, [
    'the words "dog", "describe", "scene" are outside the model\'s vocabulary and become <unk>',
    'the question matches none of the 6 question templates the model was trained on',
  ]);
  const known = await engine.trace({ image: 'media/samples/images/0000.png', question: 'what color is the triangle the square?' });
  assert.deepEqual(known.input.warnings, ['the question matches none of the 6 question templates the model was trained on']);
});
