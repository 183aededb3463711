/**
 * Which second model a study may take. Table 6 probes a LaRe model next to its no-Extractor ablation,
 * or next to another LaRe model (both produce the latent tokens the probe reads); Table 5's baseline
 * is any other model. A refused pair says why, before anything runs.
 */
import type { BundleManifest } from '../shared/bundle';
import type { ProbingPairing } from '../shared/reports';

/** bad input: a pair of models the study cannot compare */
export class PairingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** the bundle that declares itself `model`'s ablation (manifest ablationOf), else any LaRe bundle without an Extractor */
export function isAblationOf(candidate: BundleManifest, model: BundleManifest): boolean {
  if (candidate.ablationOf !== undefined) return candidate.ablationOf === model.name && candidate.hash !== model.hash;
  return candidate.method === 'lare' && !candidate.graphs.extractor && candidate.hash !== model.hash;
}

/** how a picker labels a bundle's declared role */
export function roleLabel(m: BundleManifest): string | undefined {
  if (m.ablationOf) return `${m.ablationOf} without its Extractor`;
  if (m.baselineFor?.length) return `no-latent baseline of ${m.baselineFor.join(', ')}`;
  return undefined;
}

/** why `candidate` cannot be the ablation or peer (probe) or baseline (attention) of `model`; undefined when it can */
export function pairingProblem(study: 'probe' | 'attention', model: BundleManifest, candidate: BundleManifest): string | undefined {
  if (candidate.hash === model.hash) return `${candidate.name} is ${model.name} itself: a model cannot be compared with itself`;
  if (study === 'attention') return undefined;
  if (model.method !== 'lare' || !model.graphs.extractor) return `${model.name} is not a LaRe model with an Extractor, so it has no without-Extractor ablation to probe`;
  if (candidate.method !== 'lare') return `${candidate.name} is an ${candidate.method} model, not ${model.name} without its Extractor nor another LaRe model (Table 6 probes LaRe latent tokens)`;
  if (candidate.ablationOf !== undefined && candidate.ablationOf !== model.name) return `${candidate.name} is the ablation of ${candidate.ablationOf}, not of ${model.name}`;
  return undefined;
}

/**
 * What an accepted probing partner is: `model`'s no-Extractor ablation (Table 6 proper, rows "with" /
 * "w/o Extractor") or another LaRe model with an Extractor (rows named by model).
 */
export function probingPairing(candidate: BundleManifest): ProbingPairing {
  return candidate.graphs.extractor ? 'peer' : 'ablation';
}
