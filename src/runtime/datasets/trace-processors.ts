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
import { runIntervention } from '../interventions';
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
  /** the run's answer and whether it is right (optional: results written before they were recorded lack them) */
  answer?: string;
  correct?: boolean;
}

export interface StepsResult {
  /** per fixed T = 1..maxSteps */
  fixed: { steps: number; correct: boolean; answerTokens: number }[];
  /** d_t for t = 2..maxSteps from the T = maxSteps run */
  distances: StepDistance[];
  /** the T = maxSteps run's answer (optional: older results lack it) */
  answer?: string;
}

export interface CausalResult {
  answer: string;
  correct: boolean;
  /** latent steps of the unmodified run; each of them is ablated in turn */
  steps: number;
  /** per step t = 1..steps: the run with step t zeroed */
  ablations: { step: number; answer: string; correct: boolean; logProbChange: number }[];
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
        answer: trace.answer.text,
        correct: isCorrect(trace, item),
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
      let answer = '';
      const image = await itemImage(item);
      for (let t = 1; t <= o.maxSteps; t++) {
        const settings = { ...o.settings, stop: 'fixed' as const, latentSteps: t, maxLatentSteps: Math.max(t, o.maxSteps) };
        const trace = await engine.trace({ image, imageName: item.imageName, question: item.question, settings, groundTruth: itemGroundTruth(item), signal });
        fixed.push({ steps: trace.stoppedAt, correct: isCorrect(trace, item), answerTokens: trace.tokens.answer });
        if (t === o.maxSteps) {
          distances = trace.steps.slice(1).map((s) => s.distance as StepDistance);
          answer = trace.answer.text;
        }
      }
      // fail here rather than in the report if the loop produced fewer distances than promised
      adaptiveStopStep(distances, 'cosine', -Infinity, o.maxSteps);
      return { fixed, distances, answer };
    },
    dispose: () => engine.dispose(),
  };
}

/**
 * The causal effect of each latent step: the unmodified run, then one run per step t with step t zeroed
 * (runIntervention pins the step count), scoring the unmodified answer's first token under each.
 */
export async function createCausalProcessor(options: unknown): Promise<ItemProcessor> {
  const o = options as TraceProcessorOptions;
  const engine = await open(o);
  return {
    async process(item, signal): Promise<CausalResult> {
      const request = { image: await itemImage(item), imageName: item.imageName, question: item.question, settings: o.settings, groundTruth: itemGroundTruth(item), signal };
      const base = await engine.trace(request);
      if (base.stoppedAt === 0) throw new Error('the model ran no latent steps; there is nothing to ablate');
      const ablations: CausalResult['ablations'] = [];
      for (let t = 1; t <= base.stoppedAt; t++) {
        const r = await runIntervention(engine, request, { kind: 'zero', step: t }, base);
        ablations.push({ step: t, answer: r.intervened.answer.text, correct: isCorrect(r.intervened, item), logProbChange: r.result.logProbChange });
      }
      return { answer: base.answer.text, correct: isCorrect(base, item), steps: base.stoppedAt, ablations };
    },
    dispose: () => engine.dispose(),
  };
}
