/**
 * The LVR latent loop (Li et al. 2025; docs/bundle-format.md): the newest position's last hidden state,
 * through the LVR head when the bundle has one, is fed back as the next input embedding. It stops after
 * a fixed number of steps, when the model's argmax token is the end token, when the next vector comes
 * within `lvrEndDistance` (L2) of the end token's embedding, or (`latent`, LVR's own rule) when the
 * next vector's criterion (mse, mae or cosine, averaged over D) against the learned latent-end
 * embedding falls below the threshold. The vector that meets a stop rule is not fed.
 */
import type { LvrCriterion, LvrStopRule } from '../shared/bundle';
import type { Trace, TraceStep } from '../shared/trace';
import { need, type DecoderOutput, type DecoderStep } from './decoder';
import { interveneOnToken } from './interventions';
import { throwIfAborted, type LatentResult, type LatentSettings, type LoopParts, type LoopStart } from './loop-parts';
import { argmax } from './sampling';
import { l2Distance, stepDistance } from '../analysis/distance';
import { similarityToEach } from './vector-math';
import { saliencyFromAttention } from './window';

export interface LvrSettings extends LatentSettings {
  lvrStop: LvrStopRule;
  endDistance: number;
  endTokenId: number;
  /** the `latent` rule: the learned latent-end embedding [D], its criterion and threshold */
  latentEnd?: { embedding: Float32Array; criterion: LvrCriterion; threshold: number };
}

/** LVR's stop criterion between a vector and the latent-end embedding, averaged over the dimension. */
export function latentCriterion(criterion: LvrCriterion, v: Float32Array, end: Float32Array): number {
  if (v.length !== end.length) throw new RangeError(`latent-end embedding has ${end.length} values, the vector ${v.length}`);
  if (criterion === 'cosine') {
    let dot = 0;
    let a = 0;
    let b = 0;
    for (let i = 0; i < v.length; i++) {
      dot += v[i] * end[i];
      a += v[i] * v[i];
      b += end[i] * end[i];
    }
    // torch's cosine_similarity clamps each norm at eps = 1e-8
    return 1 - dot / (Math.max(Math.sqrt(a), 1e-8) * Math.max(Math.sqrt(b), 1e-8));
  }
  let s = 0;
  for (let i = 0; i < v.length; i++) {
    const d = v[i] - end[i];
    s += criterion === 'mse' ? d * d : Math.abs(d);
  }
  return s / v.length;
}

/** what an LVR step reads from the decoder call before it */
export function fetchForLvr(s: Pick<LvrSettings, 'lvrStop'>): DecoderOutput[] {
  return s.lvrStop === 'end-token' ? ['attention', 'lastHidden', 'logits'] : ['attention', 'lastHidden'];
}

export async function runLvrSteps(parts: LoopParts, start: LoopStart, s: LvrSettings): Promise<LatentResult> {
  const m = parts.manifest;
  const N = start.grid.rows * start.grid.cols;
  const layers = m.saliency?.layers ?? Array.from({ length: m.model.layers }, (_, l) => l);
  const endEmbedding = s.lvrStop === 'end-distance' ? await parts.embed([s.endTokenId]) : null;
  if (s.lvrStop === 'latent' && !s.latentEnd) throw new Error(`bundle "${m.name}": the "latent" stop rule needs the latent-end embedding`);
  const total = s.lvrStop === 'fixed' ? s.latentSteps : s.maxLatentSteps;
  const fed = (step: DecoderStep) => {
    const h = need(step, 'lastHidden');
    return parts.lvrHead ? parts.lvrHead(h) : Promise.resolve(Float32Array.from(h));
  };
  const steps: TraceStep[] = [];
  let { state, last } = start;
  let next = await fed(last);
  for (let t = 1; ; t++) {
    throwIfAborted(parts.signal);
    const saliency = saliencyFromAttention(need(last, 'attention'), last.positions, layers, start.imageOffset, N);
    const latentToken = interveneOnToken(t, next, steps, s.intervention);
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
    const fixedDone = s.lvrStop === 'fixed' && t >= s.latentSteps;
    ({ step: last, state } = await parts.decoder.run(state, latentToken, 1, fixedDone ? [] : fetchForLvr(s)));
    parts.onStep?.(t, total);
    let reason: Trace['stopReason'] | null = null;
    if (fixedDone) reason = 'fixed';
    else {
      next = await fed(last);
      if (s.lvrStop === 'end-token' && argmax(need(last, 'logits')) === s.endTokenId) reason = 'end-token';
      else if (endEmbedding && l2Distance(next, endEmbedding) < s.endDistance) reason = 'end-distance';
      else if (s.latentEnd && s.lvrStop === 'latent' && latentCriterion(s.latentEnd.criterion, next, s.latentEnd.embedding) < s.latentEnd.threshold) reason = 'latent';
    }
    if (!reason && t >= s.maxLatentSteps) reason = 'max-steps';
    if (reason) return { steps, state, last, stopReason: reason };
  }
}
