/**
 * The extension's settings as plain data, and how they turn into the runtime's trace settings.
 * Pure (no vscode import) so the mapping is unit-tested in plain Node.
 */
import type { BundleManifest, StopRule } from '../shared/bundle';
import type { TraceSettings } from '../shared/trace';
import { MAX_THREADS, type ExecutionProvider, type ReconstructionRequest } from '../runtime/api';
import { MAX_BOOTSTRAP_RESAMPLES, MAX_PROBE_PAIRS } from '../analysis/probing/protocol';

export type StopRuleSetting = 'bundle' | StopRule;

export interface ExtensionSettings {
  modelPath: string;
  /** null: the bundle's default */
  latentSteps: number | null;
  stopRule: StopRuleSetting;
  thresholds: { cosine: number | null; l1: number | null; l2: number | null };
  reconstruction: { enabled: boolean; samplerSteps: number | null };
  executionProvider: ExecutionProvider;
  threads: number;
  resultsFolder: string;
  probing: { pairs: number; bootstrap: number };
}

/** The integer settings' ranges, as package.json declares them (a test holds the two together). */
export const INTEGER_SETTINGS = {
  threads: { min: 1, max: MAX_THREADS, fallback: 1 },
  'probing.pairs': { min: 20, max: MAX_PROBE_PAIRS, fallback: 1000 },
  'probing.bootstrap': { min: 10, max: MAX_BOOTSTRAP_RESAMPLES, fallback: 2000 },
} as const;

/**
 * An integer setting within its range: VS Code does not enforce the schema's bounds on values in
 * settings.json, so a value above the maximum is capped here, one below the minimum raised to it,
 * and a non-number falls back to the default.
 */
export function integerSetting(key: keyof typeof INTEGER_SETTINGS, value: unknown): number {
  const { min, max, fallback } = INTEGER_SETTINGS[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(min, Math.floor(value)));
}

/**
 * Only what the user changed is passed on; everything else stays the bundle's default.
 * For the fixed rule `latentSteps` is T; for adaptive rules it is the cap T_max (DESIGN.md, Convergence).
 */
export function traceSettingsFrom(settings: ExtensionSettings, manifest: BundleManifest): Partial<TraceSettings> {
  const out: Partial<TraceSettings> = {};
  if (manifest.method !== 'lare') {
    if (settings.latentSteps !== null) out.latentSteps = settings.latentSteps;
    return out;
  }
  const stop = settings.stopRule === 'bundle' ? manifest.defaults.stop : settings.stopRule;
  if (settings.stopRule !== 'bundle') out.stop = stop;
  if (stop === 'fixed') {
    if (settings.latentSteps !== null) out.latentSteps = settings.latentSteps;
    return out;
  }
  if (settings.latentSteps !== null) out.maxLatentSteps = settings.latentSteps;
  const threshold = settings.thresholds[stop];
  if (threshold !== null) out.threshold = threshold;
  else if (settings.stopRule !== 'bundle') out.threshold = manifest.defaults.thresholds[stop];
  return out;
}

/** false when the bundle has no U-Net or the user turned reconstructions off. */
export function reconstructionFrom(settings: ExtensionSettings, manifest: BundleManifest): false | ReconstructionRequest {
  if (!settings.reconstruction.enabled || !manifest.graphs.unet) return false;
  return settings.reconstruction.samplerSteps === null ? {} : { samplerSteps: settings.reconstruction.samplerSteps };
}

/** The adaptive-stopping study's options from the settings: the largest fixed T / adaptive cap and the user's thresholds. */
export function stepsStudyFrom(settings: ExtensionSettings): { maxSteps?: number; thresholds: Partial<Record<'cosine' | 'l1' | 'l2', number>> } {
  const thresholds: Partial<Record<'cosine' | 'l1' | 'l2', number>> = {};
  for (const metric of ['cosine', 'l1', 'l2'] as const) {
    const value = settings.thresholds[metric];
    if (value !== null) thresholds[metric] = value;
  }
  return settings.latentSteps !== null ? { maxSteps: settings.latentSteps, thresholds } : { thresholds };
}
