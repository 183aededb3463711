/**
 * Which second model a study may take: Table 6's ablation is the same LaRe model without its
 * Extractor, Table 5's baseline any other model. A refused pair says why, before anything runs.
 */
import type { BundleManifest } from '../shared/bundle';

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

/** why `candidate` cannot be the ablation (probe) or baseline (attention) of `model`; undefined when it can */
export function pairingProblem(study: 'probe' | 'attention', model: BundleManifest, candidate: BundleManifest): string | undefined {
  if (candidate.hash === model.hash) return `${candidate.name} is ${model.name} itself: a model cannot be compared with itself`;
  if (study === 'attention') return undefined;
  if (model.method !== 'lare' || !model.graphs.extractor) return `${model.name} is not a LaRe model with an Extractor, so it has no without-Extractor ablation to probe`;
  if (candidate.method !== 'lare') return `${candidate.name} is an ${candidate.method} model, not ${model.name} without its Extractor (Table 6 compares LaRe with its no-Extractor ablation)`;
  if (candidate.graphs.extractor) return `${candidate.name} has an Extractor, so it is not ${model.name}'s without-Extractor ablation`;
  if (candidate.ablationOf !== undefined && candidate.ablationOf !== model.name) return `${candidate.name} is the ablation of ${candidate.ablationOf}, not of ${model.name}`;
  return undefined;
}
