import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ddimTimesteps, linearSchedule, sampleDdim, sampleDdpm } from '../../src/runtime/reconstruct';
import { createRandom } from '../../src/analysis/random';

// With a denoiser that knows the clean sample x0, eps(x, t) = (x - sqrt(abar_t) x0) / sqrt(1 - abar_t)
// is the exact noise, and both samplers must land on x0 (up to float32 rounding).
function oracle(x0: Float32Array, abar: Float64Array, calls: number[]) {
  return async (x: Float32Array, t: number) => {
    calls.push(t);
    const out = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = (x[i] - Math.sqrt(abar[t]) * x0[i]) / Math.sqrt(1 - abar[t]);
    return out;
  };
}

test('linear schedule: float64 betas, cumulative product kept as float32 (as training/model.py)', () => {
  const s = linearSchedule(1e-4, 0.02, 1000);
  assert.equal(s.alphasCumprod.length, 1000);
  let prod = 1;
  for (let t = 0; t < 10; t++) prod *= 1 - (1e-4 + ((0.02 - 1e-4) * t) / 999);
  assert.equal(s.alphasCumprod[9], Math.fround(prod));
  // torch: torch.cumprod(1 - torch.linspace(1e-4, 0.02, 1000, dtype=float64), 0).float()[999]
  assert.ok(Math.abs(s.alphasCumprod[999] - 4.035829e-5) < 1e-10);
});

test('DDIM timesteps: i * floor(steps / count), descending', () => {
  assert.deepEqual(ddimTimesteps(1000, 20).slice(0, 3), [950, 900, 850]);
  assert.equal(ddimTimesteps(1000, 20).at(-1), 0);
  assert.deepEqual(ddimTimesteps(100, 3), [66, 33, 0]);
  assert.deepEqual(ddimTimesteps(10, 1), [0]);
  assert.throws(() => ddimTimesteps(10, 11), /1\.\.10/);
});

test('DDIM with the exact noise recovers x0 in one U-Net call per timestep', async () => {
  const s = linearSchedule(1e-4, 0.02, 200);
  const rng = createRandom(3);
  const x0 = rng.normals(2 * 3 * 4 * 4).map((v) => Math.tanh(v));
  const calls: number[] = [];
  const out = await sampleDdim(oracle(x0, s.alphasCumprod, calls), rng.normals(x0.length), s, 8);
  assert.equal(calls.length, 8);
  assert.equal(out.length, x0.length);
  for (let i = 0; i < x0.length; i++) assert.ok(Math.abs(out[i] - x0[i]) < 1e-4, `${i}: ${out[i]} vs ${x0[i]}`);
});

test('DDPM ancestral sampling with the exact noise ends on x0', async () => {
  const s = linearSchedule(1e-4, 0.02, 50);
  const rng = createRandom(9);
  const x0 = rng.normals(48).map((v) => Math.tanh(v));
  const calls: number[] = [];
  const out = await sampleDdpm(oracle(x0, s.alphasCumprod, calls), rng.normals(48), s, createRandom(1));
  assert.equal(calls.length, 50);
  assert.equal(calls[0], 49);
  for (let i = 0; i < x0.length; i++) assert.ok(Math.abs(out[i] - x0[i]) < 1e-4);
});

test('an aborted signal stops the sampler before the next U-Net call', async () => {
  const s = linearSchedule(1e-4, 0.02, 100);
  const controller = new AbortController();
  let calls = 0;
  const denoise = async (x: Float32Array) => {
    calls++;
    if (calls === 2) controller.abort();
    return new Float32Array(x.length);
  };
  await assert.rejects(sampleDdim(denoise, new Float32Array(4), s, 10, { signal: controller.signal }), { name: 'AbortError' });
  assert.equal(calls, 2);
});

test('clipSample clamps the x0 prediction at every step, the noise is used as predicted', async () => {
  const s = linearSchedule(1e-4, 0.02, 100);
  // a denoiser that always predicts zero noise: x0 = x / sqrt(abar), far outside [-1, 1] for x = 5
  const zero = async (x: Float32Array) => new Float32Array(x.length);
  const clipped = await sampleDdim(zero, Float32Array.from([5, -5, 0.5]), s, 4, { clipSample: true });
  const free = await sampleDdim(zero, Float32Array.from([5, -5, 0.5]), s, 4);
  assert.deepEqual(Array.from(clipped.subarray(0, 2)), [1, -1]);
  assert.ok(free[0] > 5);
  assert.ok(Math.abs(clipped[2] - free[2]) < 1e-6);
  const ddpm = await sampleDdpm(zero, Float32Array.from([5, -5]), linearSchedule(1e-4, 0.02, 20), createRandom(2), { clipSample: true });
  assert.ok(Math.abs(ddpm[0]) <= 1 + 1e-6 && Math.abs(ddpm[1]) <= 1 + 1e-6);
});
