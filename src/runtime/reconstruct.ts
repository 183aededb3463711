/**
 * Reconstruction samplers over the U-Net (LaRe §3.2, appendix B): a linear beta schedule, DDPM ancestral
 * sampling over every timestep and DDIM (eta 0) over a few evenly spaced ones. The caller's `denoise`
 * runs the U-Net once per timestep on the whole batch (every latent step at once). Pure.
 */
import type { Random } from '../analysis/random';

export interface NoiseSchedule {
  steps: number;
  /** ᾱ_t, float32 values (as the reference keeps them) */
  alphasCumprod: Float64Array;
}

export type Denoise = (sample: Float32Array, timestep: number) => Promise<Float32Array>;

export function linearSchedule(betaStart: number, betaEnd: number, steps: number): NoiseSchedule {
  const alphasCumprod = new Float64Array(steps);
  let prod = 1;
  for (let t = 0; t < steps; t++) {
    const beta = steps === 1 ? betaStart : betaStart + ((betaEnd - betaStart) * t) / (steps - 1);
    prod *= 1 - beta;
    // the reference accumulates in float64 and keeps the product as float32
    alphasCumprod[t] = Math.fround(prod);
  }
  return { steps, alphasCumprod };
}

/**
 * DDIM timesteps, descending: i * floor(steps / count) for i = count-1 .. 0
 * (training/model.py ddim_timesteps; the "leading" spacing of diffusers).
 */
export function ddimTimesteps(steps: number, count: number): number[] {
  if (!Number.isInteger(count) || count < 1 || count > steps) throw new RangeError(`DDIM needs 1..${steps} sampler steps, got ${count}`);
  const jump = Math.floor(steps / count);
  const out: number[] = [];
  for (let i = count - 1; i >= 0; i--) out.push(i * jump);
  return out;
}

export interface SamplerOptions {
  /** clamp each step's x0 prediction to [-1, 1] (the manifest's clipSample, diffusers' clip_sample) */
  clipSample?: boolean;
  signal?: AbortSignal;
}

export async function sampleDdim(
  denoise: Denoise, noise: Float32Array, schedule: NoiseSchedule, samplerSteps: number, o: SamplerOptions = {},
): Promise<Float32Array> {
  const ts = ddimTimesteps(schedule.steps, samplerSteps);
  let x = Float32Array.from(noise);
  for (let k = 0; k < ts.length; k++) {
    o.signal?.throwIfAborted();
    const t = ts[k];
    const eps = await denoise(x, t);
    const aT = schedule.alphasCumprod[t];
    const aPrev = k + 1 < ts.length ? schedule.alphasCumprod[ts[k + 1]] : 1;
    const sqrtA = Math.sqrt(aT);
    const sqrt1mA = Math.sqrt(1 - aT);
    const sqrtAPrev = Math.sqrt(aPrev);
    const sqrt1mAPrev = Math.sqrt(1 - aPrev);
    const next = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) {
      let x0 = (x[i] - sqrt1mA * eps[i]) / sqrtA;
      if (o.clipSample) x0 = Math.min(1, Math.max(-1, x0));
      // the predicted noise is used as is, also when x0 was clamped (as the reference and diffusers do)
      next[i] = sqrtAPrev * x0 + sqrt1mAPrev * eps[i];
    }
    x = next;
  }
  return x;
}

/** Ancestral sampling through the posterior q(x_{t-1} | x_t, x0) with x0 predicted from the noise. */
export async function sampleDdpm(
  denoise: Denoise, noise: Float32Array, schedule: NoiseSchedule, rng: Random, o: SamplerOptions = {},
): Promise<Float32Array> {
  let x = Float32Array.from(noise);
  for (let t = schedule.steps - 1; t >= 0; t--) {
    o.signal?.throwIfAborted();
    const eps = await denoise(x, t);
    const aBar = schedule.alphasCumprod[t];
    const aBarPrev = t > 0 ? schedule.alphasCumprod[t - 1] : 1;
    // β_t from the stored ᾱ, so the posterior stays consistent with the float32 schedule
    const beta = 1 - aBar / aBarPrev;
    const x0Coef = (Math.sqrt(aBarPrev) * beta) / (1 - aBar);
    const xtCoef = (Math.sqrt(1 - beta) * (1 - aBarPrev)) / (1 - aBar);
    const sigma = t > 0 ? Math.sqrt((beta * (1 - aBarPrev)) / (1 - aBar)) : 0;
    const sqrtA = Math.sqrt(aBar);
    const sqrt1mA = Math.sqrt(1 - aBar);
    const next = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) {
      let x0 = (x[i] - sqrt1mA * eps[i]) / sqrtA;
      if (o.clipSample) x0 = Math.min(1, Math.max(-1, x0));
      next[i] = x0Coef * x0 + xtCoef * x[i] + (sigma > 0 ? sigma * rng.normal() : 0);
    }
    x = next;
  }
  return x;
}
