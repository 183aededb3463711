/**
 * Pure helpers of the latent lens view: which layers a trace's lens covers and how to name the lens.
 */
import type { Trace } from '../src/shared/trace';

/** Every layer any step's lens has an entry for, ascending (0 = embeddings). */
export function lensLayers(trace: Trace): number[] {
  const seen = new Set<number>();
  for (const s of trace.steps) for (const e of s.lens ?? []) seen.add(e.layer);
  return [...seen].sort((a, b) => a - b);
}

/** Says which lens the readout used: the tuned lens only where the bundle had translators. */
export function lensCaption(kind: Trace['lensKind']): string {
  return kind === 'tuned-lens'
    ? 'Tuned lens: each layer\'s state goes through the bundle\'s translator for that layer, then the final norm and the unembedding.'
    : 'Plain logit lens: each layer\'s state goes through the final norm and the unembedding as is; this bundle has no tuned-lens translators.';
}
