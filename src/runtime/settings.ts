/** Trace settings: the bundle's defaults overridden by the request, checked. Pure. */
import type { BundleManifest } from '../shared/bundle';
import type { TraceSettings } from '../shared/trace';
import { InputError, type PositionReserve } from './prompt';

export function resolveSettings(m: BundleManifest, override: Partial<TraceSettings> = {}): TraceSettings {
  const d = m.defaults;
  const stop = override.stop ?? d.stop;
  const s: TraceSettings = {
    latentSteps: override.latentSteps ?? d.latentSteps,
    maxLatentSteps: override.maxLatentSteps ?? Math.max(d.maxLatentSteps, override.latentSteps ?? 0),
    stop,
    threshold: override.threshold ?? (stop === 'fixed' ? 0 : d.thresholds[stop]),
    maxAnswerTokens: override.maxAnswerTokens ?? d.maxAnswerTokens,
    temperature: override.temperature ?? 0,
    topP: override.topP ?? 1,
    seed: override.seed ?? 0,
  };
  if (m.method === 'lvr') {
    s.lvrStop = override.lvrStop ?? d.lvrStop ?? 'fixed';
    if (s.lvrStop === 'latent') {
      const lvr = m.formatVersion === 2 ? m.lvr : undefined;
      if (!lvr?.latentEndEmbedding) throw new InputError(`the LVR stop rule "latent" needs a latent-end embedding, and bundle "${m.name}" has none`);
      // the checkpoint's own cap (LVR's lvr_max_steps) unless the request sets one
      s.maxLatentSteps = override.maxLatentSteps ?? Math.max(lvr.maxSteps, override.latentSteps ?? 0);
    }
  }
  if (override.intervention) s.intervention = override.intervention;
  if (!['fixed', 'cosine', 'l1', 'l2'].includes(s.stop)) throw new InputError(`stop must be fixed, cosine, l1 or l2, got ${JSON.stringify(s.stop)}`);
  if (m.method !== 'direct') {
    positiveInt(s.latentSteps, 'latent steps');
    positiveInt(s.maxLatentSteps, 'max latent steps');
    const fixed = m.method === 'lvr' ? s.lvrStop === 'fixed' : s.stop === 'fixed';
    // with adaptive stopping T only matters as far as the cap allows
    if (!fixed) s.latentSteps = Math.min(s.latentSteps, s.maxLatentSteps);
    if (s.latentSteps > s.maxLatentSteps) throw new InputError(`latent steps (${s.latentSteps}) must not exceed max latent steps (${s.maxLatentSteps})`);
  }
  positiveInt(s.maxAnswerTokens, 'max answer tokens');
  if (!Number.isFinite(s.threshold) || s.threshold < 0) throw new InputError(`threshold must be a non-negative number, got ${s.threshold}`);
  if (!Number.isFinite(s.temperature) || s.temperature < 0) throw new InputError(`temperature must be >= 0, got ${s.temperature}`);
  if (!(s.topP > 0 && s.topP <= 1)) throw new InputError(`top-p must be in (0, 1], got ${s.topP}`);
  if (!Number.isInteger(s.seed)) throw new InputError(`seed must be an integer, got ${s.seed}`);
  return s;
}

/** latent steps the run may take at most */
export function latentBudget(m: BundleManifest, s: TraceSettings): number {
  if (m.method === 'direct') return 0;
  const fixed = m.method === 'lvr' ? s.lvrStop === 'fixed' : s.stop === 'fixed';
  return fixed ? s.latentSteps : s.maxLatentSteps;
}

function positiveInt(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 1) throw new InputError(`${what} must be a positive integer, got ${v}`);
}

/** What the run may add after the prompt, with the option names an over-long request is told to lower. */
export function positionReserve(m: BundleManifest, s: TraceSettings, override: Partial<TraceSettings> = {}): PositionReserve {
  const fixed = m.method === 'lvr' ? s.lvrStop === 'fixed' : s.stop === 'fixed';
  const latentOption = fixed
    ? `latent steps T (${override.latentSteps !== undefined ? '--steps, setting latentSteps' : 'the bundle\'s defaults.latentSteps'})`
    : `the latent step cap (${override.maxLatentSteps !== undefined ? '--max-steps or --steps, setting maxLatentSteps' : `the bundle's ${s.lvrStop === 'latent' ? 'lvr.maxSteps' : 'defaults.maxLatentSteps'}`})`;
  const answerOption = `the answer token limit (${override.maxAnswerTokens !== undefined ? '--max-answer-tokens, setting maxAnswerTokens' : 'the bundle\'s defaults.maxAnswerTokens'})`;
  return { latentSteps: latentBudget(m, s), latentOption, answerTokens: s.maxAnswerTokens, answerOption, latentEnd: m.method !== 'direct' };
}
