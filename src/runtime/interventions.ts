/**
 * Interventions on latent steps: zero a step's token, replace it with another step's token, with a
 * token from another run (another image, or the same step of a saved trace), or add a scaled direction
 * (the difference between two traces' steps). `interveneOnToken` is the pure part the loops call;
 * `runIntervention` re-runs a trace and reports how the answer and its probability changed.
 */
import type { Intervention, InterventionResult as SharedInterventionResult, Trace, TraceStep } from '../shared/trace';
import type { TraceRequest } from './api';

/** The token the loop feeds at step t (1-based) given the produced token and the earlier steps. */
export function interveneOnToken(t: number, produced: Float32Array, earlier: readonly TraceStep[], intervention?: Intervention): Float32Array {
  if (!intervention || intervention.step !== t) return produced;
  switch (intervention.kind) {
    case 'zero':
      return new Float32Array(produced.length);
    case 'replace-with-step': {
      const source = earlier.find((s) => s.index === intervention.source);
      if (!source) {
        throw new RangeError(`cannot replace step ${t} with step ${intervention.source}: only earlier steps of the same run are available (use runIntervention for later ones)`);
      }
      return Float32Array.from(source.latentToken);
    }
    case 'replace-with-token':
      if (intervention.token.length !== produced.length) {
        throw new RangeError(`replacement token has ${intervention.token.length} values, the model's latent tokens have ${produced.length}`);
      }
      return Float32Array.from(intervention.token);
    case 'add-direction': {
      const { direction, alpha } = intervention;
      if (direction.length !== produced.length) {
        throw new RangeError(`direction has ${direction.length} values, the model's latent tokens have ${produced.length}`);
      }
      return Float32Array.from(produced, (v, d) => v + alpha * direction[d]);
    }
  }
}

function stepOf(trace: Trace, step: number, what: string): TraceStep {
  const s = trace.steps.find((x) => x.index === step);
  if (!s) throw new RangeError(`${what} has ${trace.steps.length} latent steps; step ${step} does not exist`);
  return s;
}

/** Replace step `step` with step `sourceStep` (default: the same) of a saved trace, e.g. another image's. */
export function replaceFromTrace(source: Trace, step: number, sourceStep = step, label = source.input.imageName): Intervention {
  const s = stepOf(source, sourceStep, `trace "${label}"`);
  return { kind: 'replace-with-token', step, token: Float32Array.from(s.latentToken), sourceLabel: `${label} step ${sourceStep}` };
}

/** Add alpha * (a's step - b's step) at step `step`; both traces must come from a model of the same width. */
export function directionBetween(a: { trace: Trace; step: number; label?: string }, b: { trace: Trace; step: number; label?: string }, step: number, alpha: number): Intervention {
  if (!Number.isFinite(alpha)) throw new RangeError(`alpha must be a finite number, got ${alpha}`);
  const la = a.label ?? a.trace.input.imageName;
  const lb = b.label ?? b.trace.input.imageName;
  const ta = stepOf(a.trace, a.step, `trace "${la}"`).latentToken;
  const tb = stepOf(b.trace, b.step, `trace "${lb}"`).latentToken;
  if (ta.length !== tb.length) throw new RangeError(`trace "${la}" has ${ta.length}-dimensional latent tokens, trace "${lb}" ${tb.length}`);
  const direction = Float32Array.from(ta, (v, d) => v - tb[d]);
  return { kind: 'add-direction', step, direction, alpha, sourceLabel: `${alpha} x (${la} step ${a.step} - ${lb} step ${b.step})` };
}

export interface InterventionEffect {
  intervention: Intervention;
  baseAnswer: string;
  answer: string;
  answerChanged: boolean;
  /** probability of the base answer's tokens (product) without and with the intervention, teacher-forced */
  baseAnswerProb: number;
  baseAnswerProbAfter: number;
  /** baseAnswerProbAfter - baseAnswerProb */
  probChange: number;
  /** probability of the intervened run's own answer */
  answerProb: number;
}

export interface InterventionResult {
  base: Trace;
  intervened: Trace;
  effect: InterventionEffect;
  /** the same outcome in the shape the panel shows (src/shared/trace.ts) */
  result: SharedInterventionResult;
}

/** The engine operations runIntervention needs (TraceEngine implements them). */
export interface InterventionHost {
  trace(request: TraceRequest): Promise<Trace>;
  scoreAnswer(request: TraceRequest, answerIds: readonly number[]): Promise<{ trace: Trace; forcedProbs: number[] }>;
}

/** Another image's latent as a replacement: runs `other` and takes its step `step` token. */
export async function tokenFromOtherImage(host: InterventionHost, other: TraceRequest, step: number): Promise<{ token: Float32Array; label: string }> {
  const t = await host.trace({ ...other, reconstruct: false });
  const s = t.steps.find((x) => x.index === step);
  if (!s) throw new RangeError(`the other image's run has ${t.steps.length} latent steps; step ${step} does not exist`);
  return { token: s.latentToken, label: `${t.input.imageName} step ${step}` };
}

export async function runIntervention(host: InterventionHost, request: TraceRequest, intervention: Intervention, base?: Trace): Promise<InterventionResult> {
  const baseTrace = base ?? await host.trace({ ...request, settings: { ...request.settings, intervention: undefined } });
  if (!baseTrace.steps.some((s) => s.index === intervention.step)) {
    throw new RangeError(`the run has ${baseTrace.steps.length} latent steps; step ${intervention.step} does not exist`);
  }
  let applied = intervention;
  if (intervention.kind === 'replace-with-step' && intervention.source >= intervention.step) {
    // a later step exists only in the unmodified run: take its token from there
    const src = baseTrace.steps.find((s) => s.index === intervention.source);
    if (!src) throw new RangeError(`the run has ${baseTrace.steps.length} latent steps; step ${intervention.source} does not exist`);
    applied = { kind: 'replace-with-token', step: intervention.step, token: src.latentToken, sourceLabel: `step ${intervention.source} of the unmodified run` };
  }
  // the step count is pinned to the base run so the comparison isolates the intervention
  const settings = { ...request.settings, stop: 'fixed' as const, latentSteps: baseTrace.stoppedAt, intervention: applied };
  const { trace: intervened, forcedProbs } = await host.scoreAnswer({ ...request, settings }, baseTrace.answer.tokenIds);
  const product = (ps: readonly number[]) => ps.reduce((a, b) => a * b, 1);
  const baseAnswerProb = product(baseTrace.answer.tokenProbs);
  const baseAnswerProbAfter = product(forcedProbs);
  if (baseTrace.answer.tokenIds.length === 0) throw new RangeError('the unmodified run produced an empty answer; there is no answer token whose probability could change');
  return {
    base: baseTrace,
    intervened,
    result: {
      spec: applied,
      answer: { text: intervened.answer.text, tokenIds: [...intervened.answer.tokenIds] },
      baseline: { text: baseTrace.answer.text, tokenIds: [...baseTrace.answer.tokenIds] },
      logProbChange: Math.log(forcedProbs[0]) - Math.log(baseTrace.answer.tokenProbs[0]),
      trace: intervened,
    },
    effect: {
      intervention,
      baseAnswer: baseTrace.answer.text,
      answer: intervened.answer.text,
      answerChanged: intervened.answer.text !== baseTrace.answer.text,
      baseAnswerProb,
      baseAnswerProbAfter,
      probChange: baseAnswerProbAfter - baseAnswerProb,
      answerProb: product(intervened.answer.tokenProbs),
    },
  };
}
