/**
 * Parity with Hugging Face's own forward pass (training/hf_oracle.py, eager attention, float32) for converted
 * bundles: the prefill ids, visual positions, grid, M-RoPE position ids and pixel values, and the newest
 * position's logits, every layer's hidden state and attention, run by the TypeScript runtime.
 * Tolerance |diff| <= 1e-4 + 1e-4*|ref| for float32 bundles (the 1e-4), 1e-2 relative to the
 * tensor's largest value for float16 ones.
 *
 * The pairs come from LATENT_TRACE_HF_DIR (default .tmp/hf): <dir>/<name>/latent-trace.json (convert_hf.py),
 * <dir>/<name>.oracle.json (hf_oracle.py on the same checkpoint) and the oracle's image next to it; the
 * real-architecture smoke (training/hf_smoke.sh) writes them. Without any pair the test is skipped, saying so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openEngine } from '../../src/runtime/engine';

interface OracleTensor { dtype: 'float32' | 'int64'; shape: number[]; data: string }
interface Oracle {
  format: string;
  family: string;
  method: string;
  question: string;
  image: { file: string; width: number; height: number };
  inputIds: number[];
  imageTokenId: number;
  visualPositions: [number, number];
  grid: { rows: number; cols: number };
  positionIds?: OracleTensor;
  pixelValues?: OracleTensor;
  logits: OracleTensor;
  hiddenStates: OracleTensor;
  attention: OracleTensor;
}

const DIR = resolve(process.env.LATENT_TRACE_HF_DIR ?? join(__dirname, '..', '..', '.tmp', 'hf'));
const pairs = existsSync(DIR)
  ? readdirSync(DIR).filter((f) => f.endsWith('.oracle.json')).map((f) => ({ oracle: join(DIR, f), bundle: join(DIR, f.slice(0, -'.oracle.json'.length)) }))
    .filter((p) => existsSync(join(p.bundle, 'latent-trace.json')))
  : [];

function decode(t: OracleTensor): Float64Array {
  const bytes = Buffer.from(t.data, 'base64');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = t.shape.reduce((a, b) => a * b, 1);
  const step = t.dtype === 'int64' ? 8 : 4;
  assert.equal(bytes.length, n * step, 'oracle tensor size');
  return Float64Array.from({ length: n }, (_, i) => (t.dtype === 'int64' ? Number(view.getBigInt64(i * 8, true)) : view.getFloat32(i * 4, true)));
}

/** max |diff| after checking it is within atol + rtol*|ref| everywhere */
function close(name: string, actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number): number {
  assert.equal(actual.length, expected.length, `${name}: length`);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    worst = Math.max(worst, d);
    assert.ok(d <= atol + rtol * Math.abs(expected[i]), `${name}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
  return worst;
}

if (pairs.length === 0) {
  test(`Hugging Face oracle parity (no converted bundles in ${DIR}; run training/hf_smoke.sh)`, { skip: true }, () => {});
}

for (const pair of pairs) {
  test(`parity with Hugging Face: ${pair.bundle}`, async (ctx) => {
    const o = JSON.parse(readFileSync(pair.oracle, 'utf8')) as Oracle;
    assert.equal(o.format, 'latent-trace-hf-oracle');
    const engine = await openEngine(pair.bundle);
    try {
      const m = engine.manifest;
      const d = await engine.traceDetailed(
        { image: join(DIR, o.image.file), question: o.question, settings: { latentSteps: 1, maxLatentSteps: 1, maxAnswerTokens: 1, lvrStop: m.method === 'lvr' ? 'fixed' : undefined } },
        { inspectPrefill: true },
      );
      const S = o.inputIds.length;
      assert.deepEqual(d.inputIds.map((id) => (id < 0 ? o.imageTokenId : id)), o.inputIds, 'prefill ids');
      assert.equal(d.inputIds.indexOf(-1), o.visualPositions[0], 'first visual position');
      assert.equal(d.inputIds.filter((id) => id < 0).length, o.visualPositions[1], 'visual positions');
      assert.deepEqual(d.trace.input.grid, o.grid, 'grid');
      if (o.positionIds) assert.deepEqual(Array.from(d.positionIds ?? [], Number), Array.from(decode(o.positionIds)), 'position ids');
      const fp16 = m.formatVersion === 2 && m.model.dtype === 'float16';
      const tol = (ref: Float64Array): [number, number] => (fp16 ? [1e-2 * ref.reduce((a, v) => Math.max(a, Math.abs(v)), 0), 0] : [1e-4, 1e-4]);
      const worst: string[] = [];
      if (o.pixelValues) worst.push(`pixel_values ${close('pixel_values', d.pixels, decode(o.pixelValues), 1e-5, 1e-5).toExponential(1)}`);

      const V = o.logits.shape[1];
      const logits = decode(o.logits).subarray((S - 1) * V, S * V);
      worst.push(`logits ${close('logits', d.prefillLogits!, logits, ...tol(logits)).toExponential(1)}`);
      const [L1, , D] = o.hiddenStates.shape;
      const hidden = decode(o.hiddenStates);
      const newest = new Float64Array(L1 * D);
      for (let l = 0; l < L1; l++) newest.set(hidden.subarray((l * S + S - 1) * D, (l * S + S) * D), l * D);
      worst.push(`hidden_states ${close('hidden_states', d.prefillHiddenStates!, newest, ...tol(newest)).toExponential(1)}`);
      const L = o.attention.shape[0];
      const att = decode(o.attention);
      const row = new Float64Array(L * S);
      for (let l = 0; l < L; l++) row.set(att.subarray((l * S + S - 1) * S, (l * S + S) * S), l * S);
      worst.push(`attention ${close('attention', d.prefillAttention, row, ...tol(row)).toExponential(1)}`);
      ctx.diagnostic(`${o.family}/${o.method}, ${S} prefill tokens, grid ${o.grid.rows}x${o.grid.cols}; max |diff|: ${worst.join(', ')}`);
    } finally {
      await engine.dispose();
    }
  });
}
