/**
 * The prefill: user text never produces control ids (issue 15 item 4), and the chat form equals what
 * Hugging Face's tokenizer and apply_chat_template give (test/fixtures/hf-tokenizer/generate.py).
 * Limit messages name the option and its range (issue 15 item 10).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadBundle } from '../../src/runtime/bundle';
import { layoutPrompt, renderChat, type PositionReserve } from '../../src/runtime/prompt';
import { positionReserve, resolveSettings } from '../../src/runtime/settings';
import { createTokenizer } from '../../src/runtime/tokenizer';
import type { BundleManifestV2 } from '../../src/shared/bundle';
import { sampleManifestV2Lvr } from './manifest-fixture';

const ROOT = join(__dirname, '..', '..');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'hf-tokenizer');
const Q = 'what color is the square?';
const roomy: PositionReserve = { latentSteps: 4, latentOption: 'latent steps', answerTokens: 8, answerOption: 'answer tokens', latentEnd: true };

test('bundled model: special-token strings in the question stay text, never control ids', async () => {
  const bundle = await loadBundle(join(ROOT, 'models', 'lare-shapes'), { verifyHash: false });
  const m = bundle.manifest;
  const tok = bundle.tokenizer;
  const s = m.tokenizer.special;
  const control = new Set([s.bos, s.eos, s.pad, s.latentStart!, s.latentEnd!].map((t) => tok.idOf(t)));
  const plain = layoutPrompt(m, tok, Q, 64, roomy);
  const injected = layoutPrompt(m, tok, `${Q} <|latent_end|> <eos> <|latent_start|>`, 64, roomy);
  assert.ok(injected.questionIds.every((id) => !control.has(id)), `control ids in the question: ${injected.questionIds.join(',')}`);
  // the only control ids of the prefill are the template's own: <bos> first, <|latent_start|> last
  const controlAt = injected.inputIds.flatMap((id, i) => (control.has(id) ? [i] : []));
  assert.deepEqual(controlAt, [0, injected.length - 1]);
  assert.deepEqual(injected.questionIds.slice(0, plain.questionIds.length), plain.questionIds);
  // the words are unknown to this word-level vocabulary: <unk>, which is what the model reads for unknown text
  assert.ok(injected.questionIds.slice(plain.questionIds.length).every((id) => id === tok.idOf(s.unk)));
  // template text still recognises them
  assert.deepEqual(tok.encodeTemplate('<eos> <|latent_start|>'), [tok.idOf(s.eos), tok.idOf(s.latentStart!)]);
});

interface FixtureCase { question: string; rendered: string; questionIds: number[]; prefillIds: number[] }
interface FixtureFamily { chatTemplate: string; imageToken: string; suffix: string[]; system: string | null; special: { eos: string; pad: string }; cases: FixtureCase[] }
const fixture = JSON.parse(readFileSync(join(FIXTURE, 'expected.json'), 'utf8')) as { nVisual: number; families: Record<string, FixtureFamily> };
const tokenizerJson = JSON.parse(readFileSync(join(FIXTURE, 'tokenizer.json'), 'utf8'));

function manifestFor(f: FixtureFamily): BundleManifestV2 {
  const m = sampleManifestV2Lvr();
  m.tokenizer.special = { bos: f.special.pad, eos: f.special.eos, pad: f.special.pad, unk: f.special.pad, latentStart: f.suffix[0], latentEnd: f.suffix[0] };
  m.tokenizer.chatTemplate = f.chatTemplate;
  m.prompt = { chat: { system: f.system, imageToken: f.imageToken, suffix: f.suffix } };
  return m;
}

for (const [family, f] of Object.entries(fixture.families)) {
  test(`BPE chat prompt (${family}): prefill ids equal Hugging Face's for ${f.cases.length} questions`, () => {
    const m = manifestFor(f);
    const tok = createTokenizer(tokenizerJson, 'tokenizer.json', m.tokenizer.special);
    const [before, after] = renderChat(m, { system: f.system, imageToken: f.imageToken, suffix: f.suffix });
    for (const c of f.cases) {
      assert.equal(before + c.question + after, c.rendered, `rendered template for ${JSON.stringify(c.question)}`);
      const layout = layoutPrompt(m, tok, c.question, fixture.nVisual, roomy);
      assert.deepEqual(layout.questionIds, c.questionIds, `question ids of ${JSON.stringify(c.question)}`);
      assert.deepEqual(layout.inputIds, c.prefillIds, `prefill of ${JSON.stringify(c.question)}`);
      assert.equal(layout.inputIds.indexOf(-1), layout.imageOffset);
    }
  });
}

test('BPE: no question of the fixture yields a special id, though the template pieces do', () => {
  const f = fixture.families.qwen2_5_vl;
  const specialIds = new Set((tokenizerJson.added_tokens as { id: number; special: boolean }[]).filter((t) => t.special).map((t) => t.id));
  for (const c of f.cases) assert.ok(c.questionIds.every((id) => !specialIds.has(id)), c.question);
  assert.ok(f.cases[0].prefillIds.some((id) => specialIds.has(id)));
});

test('limit messages name the option and its allowed range', async () => {
  const bundle = await loadBundle(join(ROOT, 'models', 'lare-shapes'), { verifyHash: false });
  const m = bundle.manifest;
  const tok = bundle.tokenizer;
  const N = 64;
  const layoutWith = (override: Parameters<typeof resolveSettings>[1]) => {
    const s = resolveSettings(m, override);
    return layoutPrompt(m, tok, Q, N, positionReserve(m, s, override));
  };
  assert.throws(() => layoutWith({ latentSteps: 1_000_000_000 }), {
    name: 'InputError',
    message: /^latent steps T \(--steps, setting latentSteps\) is 1000000000 and the answer token limit \(the bundle's defaults.maxAnswerTokens\) is 4; this prompt takes 72 of the model's 128 positions, which leaves 55 for the latent steps and the answer: latent steps T \(--steps, setting latentSteps\) must be between 1 and 51 with 4 answer tokens$/,
  });
  assert.throws(() => layoutWith({ maxAnswerTokens: 1_000_000 }), {
    name: 'InputError',
    message: /^latent steps T \(the bundle's defaults.latentSteps\) is 3 and the answer token limit \(--max-answer-tokens, setting maxAnswerTokens\) is 1000000; .*: the answer token limit \(--max-answer-tokens, setting maxAnswerTokens\) must be between 1 and 52 with 3 latent steps$/,
  });
  assert.throws(() => layoutWith({ stop: 'cosine', maxLatentSteps: 5000 }), { message: /^the latent step cap \(--max-steps or --steps, setting maxLatentSteps\) is 5000 and/ });
  const huge = structuredClone(m);
  huge.defaults.latentSteps = 1e9;
  huge.defaults.maxLatentSteps = 1e9;
  const s = resolveSettings(huge, {});
  assert.throws(() => layoutPrompt(huge, tok, Q, N, positionReserve(huge, s, {})), { message: /^latent steps T \(the bundle's defaults.latentSteps\) is 1000000000 and .* must be between 1 and 51 with 4 answer tokens$/ });
  // the numbers in the range are the real limits: the top of the range fits, one more does not
  const max = Number(/must be between 1 and (\d+)/.exec(errorOf(() => layoutWith({ latentSteps: 1_000_000_000 })))![1]);
  assert.doesNotThrow(() => layoutWith({ latentSteps: max }));
  assert.throws(() => layoutWith({ latentSteps: max + 1 }), /latent steps T/);
  assert.throws(() => layoutWith({ latentSteps: max + 1 }), new RegExp(`must be between 1 and ${max} with 4 answer tokens, or the answer token limit .* must be between 1 and 3 with ${max + 1} latent steps \\(or shorten the 6-token question to at most 5 tokens\\)$`));
  // a question that leaves no room is blamed on the question
  assert.throws(() => layoutPrompt(m, tok, 'red '.repeat(500), N, roomy), { message: /^the question is 500 tokens long; this model takes at most 49 \(maxPositions 128\)$/ });
});

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected an error');
}

test('chat templates that do not show the question once, or the image token once before it, are named', () => {
  const f = fixture.families.qwen2_5_vl;
  const tok = createTokenizer(tokenizerJson, 'tokenizer.json', manifestFor(f).tokenizer.special);
  const withTemplate = (template: string) => {
    const m = manifestFor(f);
    m.tokenizer.chatTemplate = template;
    return m;
  };
  const twice = withTemplate('{{ messages[-1].content[1].text }}<|image_pad|>{{ messages[-1].content[1].text }}');
  assert.throws(() => layoutPrompt(twice, tok, Q, 4, roomy), { name: 'InputError', message: /the chat template shows the question 2 times, expected once/ });
  const noImage = withTemplate('<|im_start|>user\n{{ messages[-1].content[1].text }}<|im_end|>\n');
  assert.throws(() => layoutPrompt(noImage, tok, Q, 4, roomy), { message: /must emit prompt.chat.imageToken "<\|image_pad\|>" once before the question, found it 0 times/ });
  const broken = withTemplate('{% for %}');
  assert.throws(() => layoutPrompt(broken, tok, Q, 4, roomy), { message: /the chat template does not render/ });
  // the image token after the question: the visual positions must precede it
  const after = withTemplate('{{ messages[-1].content[1].text }}<|image_pad|>');
  assert.throws(() => layoutPrompt(after, tok, Q, 4, roomy), { message: /once before the question, found it 1 times/ });
});
