/**
 * The LVR latent loop (Li et al. 2025; docs/bundle-format.md): the newest position's last hidden state is
 * fed back as the next input embedding; stop after a fixed number of steps, when the model's argmax token
 * is the end token, or when the hidden state comes within `lvrEndDistance` (L2) of the end token's embedding.
 */
import type { LvrStopRule } from '../shared/bundle';
import type { Trace, TraceStep } from '../shared/trace';
import { interveneOnToken } from './interventions';
import { throwIfAborted, type LatentResult, type LatentSettings, type LoopParts, type LoopStart } from './loop-parts';
import { argmax } from './sampling';
import { l2Distance, similarityToEach, stepDistance } from './vector-math';
import { saliencyFromAttention } from './window';

export interface LvrSettings extends LatentSettings {
  lvrStop: LvrStopRule;
  endDistance: number;
  endTokenId: number;
}

export async function runLvrSteps(parts: LoopParts, start: LoopStart, s: LvrSettings): Promise<LatentResult> {
  const m = parts.manifest;
  const N = m.model.visualTokens;
  const layers = m.saliency?.layers ?? Array.from({ length: m.model.layers }, (_, l) => l);
  const endEmbedding = s.lvrStop === 'end-distance' ? await parts.embed([s.endTokenId]) : null;
  const total = s.lvrStop === 'fixed' ? s.latentSteps : s.maxLatentSteps;
  const steps: TraceStep[] = [];
  let { state, last } = start;
  for (let t = 1; ; t++) {
    throwIfAborted(parts.signal);
    const saliency = saliencyFromAttention(last.attention, last.positions, layers, start.imageOffset, N);
    const latentToken = interveneOnToken(t, Float32Array.from(last.lastHidden), steps, s.intervention);
    const previous = steps[steps.length - 1];
    const distance = previous ? stepDistance(latentToken, previous.latentToken) : null;
    steps.push({
      index: t,
      saliency,
      window: null,
      extractorAttention: null,
      latentToken,
      visualSimilarity: similarityToEach(latentToken, start.visualTokens, N),
      distance,
    });
    ({ step: last, state } = await parts.decoder.run(state, latentToken, 1));
    parts.onStep?.(t, total);
    let reason: Trace['stopReason'] | null = null;
    if (s.lvrStop === 'fixed') reason = t >= s.latentSteps ? 'fixed' : null;
    else if (s.lvrStop === 'end-token' && argmax(last.logits) === s.endTokenId) reason = 'end-token';
    else if (endEmbedding && l2Distance(last.lastHidden, endEmbedding) < s.endDistance) reason = 'end-distance';
    if (!reason && t >= s.maxLatentSteps) reason = 'max-steps';
    if (reason) return { steps, state, last, stopReason: reason };
  }
}
