/**
 * The LaRe latent loop (docs/bundle-format.md step 2-3): per step, saliency from the newest position's
 * attention, the sum-pooled sliding window, the Extractor over the window's local features, and one
 * decoder call to append the latent token to the KV cache.
 */
import type { TraceStep } from '../shared/trace';
import { interveneOnToken } from './interventions';
import { need, type DecoderOutput } from './decoder';
import { stopAfter, throwIfAborted, type LatentResult, type LatentSettings, type LoopParts, type LoopStart } from './loop-parts';
import { stepDistance } from '../analysis/distance';
import { similarityToEach, meanRows } from './vector-math';
import { chooseWindow, gatherWindowFeatures, saliencyFromAttention } from './window';

export interface LareStepDetail {
  /** sum-pooled window scores of each step */
  windowScores: Float32Array[];
}

export async function runLareSteps(parts: LoopParts, start: LoopStart, s: LatentSettings): Promise<LatentResult & LareStepDetail> {
  const m = parts.manifest;
  if (!m.window || !m.saliency) throw new Error(`bundle "${m.name}" is missing "window" or "saliency"`);
  const { size, stride } = m.window;
  const { grid } = start;
  const D = m.model.hiddenSize;
  const N = grid.rows * grid.cols;
  if (size > grid.rows || size > grid.cols) throw new RangeError(`window.size ${size} does not fit this image's ${grid.rows}x${grid.cols} visual grid`);
  const stateLayers = m.extractor?.stateLayers ?? [];
  const total = s.stop === 'fixed' ? s.latentSteps : s.maxLatentSteps;
  const steps: TraceStep[] = [];
  const windowScores: Float32Array[] = [];
  let { state, last } = start;
  for (let t = 1; ; t++) {
    throwIfAborted(parts.signal);
    const saliency = saliencyFromAttention(need(last, 'attention'), last.positions, m.saliency.layers, start.imageOffset, N);
    const choice = chooseWindow(saliency, grid, size, stride);
    const windowFeatures = gatherWindowFeatures(start.localFeatures, start.localDim, choice.window, grid);
    let produced: Float32Array;
    let extractorAttention: Float32Array | null = null;
    if (parts.extract) {
      const latentState = new Float32Array(stateLayers.length * D);
      const hidden = need(last, 'hiddenStates');
      stateLayers.forEach((l, k) => latentState.set(hidden.subarray(l * D, (l + 1) * D), k * D));
      const out = await parts.extract(latentState, windowFeatures);
      produced = out.latentToken;
      extractorAttention = out.crossAttention;
      throwIfAborted(parts.signal);
    } else {
      if (start.localDim !== D) throw new Error(`bundle "${m.name}" has no Extractor, and its local features (${start.localDim} wide) cannot be fed as ${D}-wide latent tokens`);
      produced = meanRows(windowFeatures, size * size);
    }
    const latentToken = interveneOnToken(t, produced, steps, s.intervention);
    const previous = steps[steps.length - 1];
    const distance = previous ? stepDistance(latentToken, previous.latentToken) : null;
    steps.push({
      index: t,
      saliency,
      window: choice.window,
      extractorAttention,
      latentToken,
      visualSimilarity: similarityToEach(latentToken, start.visualTokens, N),
      distance,
    });
    windowScores.push(choice.scores);
    const reason = stopAfter(s, t, distance);
    // the step after the last one is latentEnd's, which the engine runs: this call only extends the cache
    ({ step: last, state } = await parts.decoder.run(state, latentToken, 1, reason ? [] : fetchForLare(parts)));
    parts.onStep?.(t, total);
    if (reason) return { steps, state, last, stopReason: reason, windowScores };
  }
}

/** what a LaRe step reads from the decoder call before it: saliency, and the Extractor's state layers */
export function fetchForLare(parts: LoopParts): DecoderOutput[] {
  return parts.extract ? ['attention', 'hiddenStates'] : ['attention'];
}
