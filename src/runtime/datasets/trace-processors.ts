/**
 * The processors behind `latent-trace attention | probe | steps`: each opens its own engine (one
 * intra-op thread by default, so two workers use two cores) and turns one item into a small,
 * deterministic JSON result (no timings).
 */
import { adaptiveStopStep } from '../../analysis/convergence';
import { bboxPatchMask, meanMaxPool, selectTokens } from '../../analysis/pooling';
import type { StepDistance, Trace, TraceSettings } from '../../shared/trace';
import type { ExecutionProvider } from '../api';
import { openEngine, type TraceEngine } from '../engine';
import { normaliseAnswer } from '../evaluate';
import { itemImage } from './image-source';
import { itemGroundTruth, type DatasetItem } from './item';
import type { ItemProcessor } from './processor';

export interface TraceProcessorOptions {
  modelDir: string;
  settings?: Partial<TraceSettings>;
  threads?: number;
  provider?: ExecutionProvider;
}

export interface AttentionResult {
  /** first answer token's attention summed over visual tokens (LaRe Table 5) */
  attention: number;
  answer: string;
  correct: boolean;
  latentSteps: number;
}

export interface ProbeFeatures {
  /** mean-max pooled latent tokens [2D] */
  latent: number[];
  /** mean-max pooled visual tokens of the bbox patches (all patches without a bbox) [2D] */
  vision: number[];
  /** mean-max pooled hidden states of the rationale text, without the BOS position [2D] */
  text: number[];
  anchor: 'bbox' | 'image';
}

export interface StepsResult {
  /** per fixed T = 1..maxSteps */
  fixed: { steps: number; correct: boolean; answerTokens: number }[];
  /** d_t for t = 2..maxSteps from the T = maxSteps run */
  distances: StepDistance[];
}

async function open(o: TraceProcessorOptions): Promise<TraceEngine> {
  return openEngine(o.modelDir, { threads: o.threads ?? 1, executionProvider: o.provider });
}

function isCorrect(trace: Trace, item: DatasetItem): boolean {
  return normaliseAnswer(trace.answer.text) === normaliseAnswer(item.answer);
}

export interface AttentionProcessorOptions extends TraceProcessorOptions {
  /** one decoder layer instead of the mean over layers */
  layer?: number;
}

/** the Table 5 statistic: attention summed over visual tokens, of one layer or the mean over layers */
export function firstAnswerAttention(trace: Trace, layer?: number): number {
  const fa = trace.firstAnswerAttention;
  if (layer === undefined) return fa.total;
  const n = fa.mean.length;
  const layers = fa.perLayer.length / n;
  if (!Number.isInteger(layer) || layer < 0 || layer >= layers) throw new RangeError(`layer ${layer} does not exist; the model has layers 0..${layers - 1}`);
  let total = 0;
  for (let i = 0; i < n; i++) total += fa.perLayer[layer * n + i];
  return total;
}

export async function createAttentionProcessor(options: unknown): Promise<ItemProcessor> {
  const o = options as AttentionProcessorOptions;
  const engine = await open(o);
  return {
    async process(item, signal): Promise<AttentionResult> {
      const trace = await engine.trace({ image: await itemImage(item), imageName: item.imageName, question: item.question, settings: o.settings, groundTruth: itemGroundTruth(item), signal });
      return { attention: firstAnswerAttention(trace, o.layer), answer: trace.answer.text, correct: isCorrect(trace, item), latentSteps: trace.stoppedAt };
    },
    dispose: () => engine.dispose(),
  };
}

export async function createProbeProcessor(options: unknown): Promise<ItemProcessor> {
  const o = options as TraceProcessorOptions;
  const engine = await open(o);
  return {
    async process(item, signal): Promise<ProbeFeatures> {
      const trace = await engine.trace({ image: await itemImage(item), imageName: item.imageName, question: item.question, settings: o.settings, groundTruth: itemGroundTruth(item), keepVisualTokens: true, signal });
      if (trace.steps.length === 0) throw new Error('the model ran no latent steps');
      const dim = trace.steps[0].latentToken.length;
      const latents = new Float32Array(trace.steps.length * dim);
      trace.steps.forEach((s, k) => latents.set(s.latentToken, k * dim));
      const { rows, cols } = trace.input.grid;
      const visual = trace.visualTokens as Float32Array;
      const visualDim = visual.length / (rows * cols);
      const mask = item.bbox ? bboxPatchMask(item.bbox, trace.input.imageWidth, trace.input.imageHeight, rows, cols) : new Uint8Array(rows * cols).fill(1);
      const anchor = selectTokens(visual, visualDim, mask);
      const text = await engine.encodeText(item.rationale ?? item.answer, signal);
      if (text.length < 2) throw new Error('the rationale encodes to no tokens');
      return {
        latent: Array.from(meanMaxPool(latents, trace.steps.length, dim)),
        vision: Array.from(meanMaxPool(anchor.tokens, anchor.count, visualDim)),
        text: Array.from(meanMaxPool(text.hidden.subarray(text.dim), text.length - 1, text.dim)),
        anchor: item.bbox ? 'bbox' : 'image',
      };
    },
    dispose: () => engine.dispose(),
  };
}

export interface StepsProcessorOptions extends TraceProcessorOptions {
  maxSteps: number;
}

/**
 * Fixed T = 1..maxSteps. The latent loop is deterministic and does not look ahead, so adaptive
 * stopping after step t gives exactly the fixed-T = t run; the steps command reads the adaptive
 * rows off these runs with adaptiveStopStep instead of running the model again.
 */
export async function createStepsProcessor(options: unknown): Promise<ItemProcessor> {
  const o = options as StepsProcessorOptions;
  const engine = await open(o);
  return {
    async process(item, signal): Promise<StepsResult> {
      const fixed: StepsResult['fixed'] = [];
      let distances: StepDistance[] = [];
      const image = await itemImage(item);
      for (let t = 1; t <= o.maxSteps; t++) {
        const settings = { ...o.settings, stop: 'fixed' as const, latentSteps: t, maxLatentSteps: Math.max(t, o.maxSteps) };
        const trace = await engine.trace({ image, imageName: item.imageName, question: item.question, settings, groundTruth: itemGroundTruth(item), signal });
        fixed.push({ steps: trace.stoppedAt, correct: isCorrect(trace, item), answerTokens: trace.tokens.answer });
        if (t === o.maxSteps) distances = trace.steps.slice(1).map((s) => s.distance as StepDistance);
      }
      // fail here rather than in the report if the loop produced fewer distances than promised
      adaptiveStopStep(distances, 'cosine', -Infinity, o.maxSteps);
      return { fixed, distances };
    },
    dispose: () => engine.dispose(),
  };
}
