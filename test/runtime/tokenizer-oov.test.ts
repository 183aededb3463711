/**
 * Answer ids past the tokenizer (a real Qwen checkpoint's embedding table has 271 rows no token spells;
 * random-weight models emit them) decode as Hugging Face's tokenizers decodes them: skipped, never thrown.
 * Fixture: test/fixtures/tokenizer-oov/generate.py.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createTokenizer } from '../../src/runtime/tokenizer';

const dir = join(__dirname, '..', 'fixtures', 'tokenizer-oov');
const fixture = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')) as {
  tokenizerSize: number; vocabRows: number; cases: { ids: number[]; text: string }[];
};
const special = { bos: '<|im_end|>', eos: '<|im_end|>', pad: '<|endoftext|>', unk: '<|im_end|>' };

test('ids past the tokenizer decode like Hugging Face tokenizers (skipped)', () => {
  const tok = createTokenizer(JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')), 'tokenizer.json', special);
  assert.ok(fixture.cases.some((c) => c.ids.some((id) => id >= fixture.tokenizerSize)), 'the fixture has ids past the tokenizer');
  for (const c of fixture.cases) assert.equal(tok.decode(c.ids), c.text, `ids ${c.ids.join(',')}`);
});
