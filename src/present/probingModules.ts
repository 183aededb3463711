/**
 * What Table 6 calls each probed source. A model next to its no-Extractor ablation keeps the paper's
 * rows ("lare (with Extractor)", "lare-noext (w/o Extractor)", the ablation first); two LaRe models
 * that both have an Extractor are rows named by model, the first model first. Pure; the Markdown
 * table, the CSV and the panel all name rows through it.
 */
import type { ProbeCell, ProbingReport } from '../shared/reports';

type Source = ProbeCell['source'];

/** a report written before peers could be probed has no `pairing`: its second model is the ablation */
export const isPeerPairing = (r: ProbingReport): boolean => r.models.ablation !== undefined && r.models.pairing === 'peer';

/** the sources in the order Table 6 lists them */
export function probingSourceOrder(r: ProbingReport): Source[] {
  return isPeerPairing(r) ? ['model', 'ablation', 'random'] : ['ablation', 'model', 'random'];
}

/** the row name of `source`; `text` escapes the model names for the output format (Markdown) */
export function probingModuleName(r: ProbingReport, source: Source, text: (s: string) => string = (s) => s): string {
  if (source === 'random') return 'random vectors';
  const name = text(source === 'model' ? r.models.model : r.models.ablation ?? 'ablation');
  if (isPeerPairing(r)) return name;
  return source === 'model' ? `${name} (with Extractor)` : `${name} (w/o Extractor)`;
}

/** the report's title: which models were probed and how they relate */
export function probingTitle(r: ProbingReport): string {
  const second = r.models.ablation;
  if (second === undefined) return `Latent–vision and latent–text matching of ${r.models.model}, as LaRe Table 6`;
  if (isPeerPairing(r)) return `Latent–vision and latent–text matching, ${r.models.model} vs ${second} (two LaRe models), as LaRe Table 6`;
  return `Latent–vision and latent–text matching, ${r.models.model} with and without its Extractor (${second}), as LaRe Table 6`;
}
