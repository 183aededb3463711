/**
 * Issue 11's end-to-end line: make_tiny_hf.py -> convert_hf.py (training/hf_smoke.sh writes the bundles into
 * .tmp/hf or LATENT_TRACE_HF_DIR) -> the built `latent-trace run <non-square image> --json` for llava/lare,
 * llava/direct and qwen2_5_vl/lvr. The test command sets LATENT_TRACE_REQUIRE_HF, so missing bundles fail there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decodeTrace } from '../../src/shared/trace-codec';

const ROOT = resolve(__dirname, '..', '..');
const DIR = resolve(process.env.LATENT_TRACE_HF_DIR ?? join(ROOT, '.tmp', 'hf'));
const CLI = join(ROOT, 'dist', 'cli.js');
const IMAGE = join(DIR, 'portrait-97x240.png');
const required = process.env.LATENT_TRACE_REQUIRE_HF === '1';
const cases = [
  { bundle: 'llava-lare', method: 'lare' },
  { bundle: 'llava-direct', method: 'direct' },
  { bundle: 'qwen-lvr', method: 'lvr' },
] as const;
const ready = existsSync(CLI) && existsSync(IMAGE) && cases.every((c) => existsSync(join(DIR, c.bundle, 'latent-trace.json')));

for (const c of cases) {
  test(`latent-trace run on a converted ${c.bundle} bundle and a 97x240 image`, { skip: !ready && !required && `no converted bundles in ${DIR} (run training/hf_smoke.sh) or no dist/cli.js` }, () => {
    assert.ok(ready, `missing ${CLI}, ${IMAGE} or the converted bundles in ${DIR}`);
    const out = mkdtempSync(join(tmpdir(), 'lt-hf-run-'));
    try {
      const r = spawnSync(process.execPath, [CLI, 'run', IMAGE, '-q', 'what is in the picture? <|im_end|>', '--model', join(DIR, c.bundle), '--json', '--out', out], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const j = JSON.parse(r.stdout);
      assert.equal(j.model.method, c.method);
      assert.ok(j.tokens.answer >= 1, 'an answer was generated');
      const trace = decodeTrace(readFileSync(join(out, readdirSync(out).find((f) => f.endsWith('.ltrace.json'))!), 'utf8'));
      const { rows, cols } = trace.input.grid;
      if (c.method === 'lvr') {
        // dynamic resolution: the grid follows the image's aspect (taller than wide), not a fixed square
        assert.ok(rows > cols, `grid ${rows}x${cols} for a portrait image`);
        assert.equal(trace.input.gridRegion, undefined, 'smart_resize covers the whole image');
        assert.ok(j.steps.length >= 1 && j.steps.every((s: { window: unknown }) => s.window === null));
      } else {
        assert.equal(rows, cols, 'CLIP crops to a square');
        const region = trace.input.gridRegion;
        assert.ok(region && region.height < 1 && region.width === 1, `the centre crop of a portrait image covers its middle: ${JSON.stringify(region)}`);
        assert.equal(j.steps.length, c.method === 'lare' ? trace.settings.latentSteps : 0);
      }
      assert.equal(trace.firstAnswerAttention.perLayer.length, trace.model.layers * rows * cols, 'first-answer attention per layer over the grid');
      const texts = trace.answer.tokenTexts;
      assert.ok(texts && texts.join('') === trace.answer.text, 'per-token texts join to the answer');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
}
