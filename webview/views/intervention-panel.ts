/**
 * The trace view's intervention controls: pick what to do to a latent step, run it on the host (the
 * runtime's interventions API), and show the new answer beside the old one, the change in the first
 * answer token's log-probability and the new trace's steps.
 */
import type { InterventionResult, Trace } from '../../src/shared/trace';
import { INTERVENTION_LABELS, describeLogProbChange, interventionRequest, type InterventionKind } from '../intervention-form';
import { HeatmapStage, decodeTraceImage, type HeatmapSettings } from '../heatmap-stage';
import { fitSize } from '../grid-geometry';
import { formatNumber } from '../format';
import { button, h, select } from '../dom';
import type { ViewContext } from './view';

const THUMB = 72;
const KINDS = Object.keys(INTERVENTION_LABELS) as InterventionKind[];

export interface InterventionPanel {
  element: HTMLElement;
  /** the step the view shows (0-based), so the controls act on it */
  setStep(step: number): void;
  dispose(): void;
}

export function createInterventionPanel(trace: Trace, ctx: ViewContext, settings: () => HeatmapSettings): InterventionPanel {
  const steps = trace.steps.length;
  let step = 1;
  let kind: InterventionKind = 'zero';
  let bitmap: ImageBitmap | undefined;
  const stepNumbers = Array.from({ length: steps }, (_, i) => String(i + 1));
  const stepLabel = h('span', { class: 'muted', 'data-testid': 'intervene-step' });
  const source = select('with step', stepNumbers, stepNumbers[Math.min(1, steps - 1)] ?? '1', () => undefined);
  const alpha = h('input', { type: 'number', step: 'any', value: 1, 'aria-label': 'alpha', 'data-testid': 'intervene-alpha' });
  const alphaLabel = h('label', { class: 'control' }, 'alpha ', alpha);
  const kindSelect = select('On this step:', KINDS, kind, (k) => {
    kind = k;
    showFields();
  }, INTERVENTION_LABELS);
  kindSelect.querySelector('select')!.dataset.testid = 'intervene-kind';
  source.querySelector('select')!.dataset.testid = 'intervene-source';
  const run = button('Run intervention', () => void go(), { 'data-testid': 'intervene-run' });
  const outcome = h('div', { class: 'intervention-outcome', 'data-testid': 'intervention-outcome', 'aria-live': 'polite' });
  const element = h('section', { class: 'intervention', 'data-testid': 'intervention' },
    h('h3', {}, 'Intervene ', stepLabel),
    h('div', { class: 'controls' }, kindSelect, source, alphaLabel, run),
    outcome,
  );

  function showFields(): void {
    source.hidden = !(kind === 'replace-with-step' || kind === 'replace-from-trace');
    source.firstChild!.textContent = kind === 'replace-from-trace' ? 'the other trace\'s step ' : 'with step ';
    alphaLabel.hidden = kind !== 'add-direction';
  }
  showFields();

  async function go(): Promise<void> {
    const request = interventionRequest({ kind, step, source: Number(source.querySelector('select')!.value), alpha: Number(alpha.value) }, steps);
    if (typeof request === 'string') return ctx.status(request, true);
    run.disabled = true;
    element.dataset.state = 'running';
    ctx.status(`running the intervention on step ${step}…`);
    try {
      const { reply, result } = await ctx.bridge.intervene(request);
      ctx.status(reply.message, !reply.ok && reply.message !== 'cancelled');
      element.dataset.state = reply.ok ? 'done' : 'failed';
      if (result) await show(result);
    } finally {
      run.disabled = false;
    }
  }

  async function show(result: InterventionResult): Promise<void> {
    const changed = result.answer.text !== result.baseline.text;
    const label = (result.spec as { sourceLabel?: string; kind?: string } | null)?.sourceLabel ?? (result.spec as { kind?: string } | null)?.kind ?? '';
    const strip = h('div', { class: 'strip small', 'data-testid': 'intervened-steps', 'aria-label': 'Steps of the intervened run' });
    outcome.replaceChildren(
      h('div', { class: 'answers-side' },
        h('figure', {}, h('figcaption', {}, 'Before'), h('p', { class: 'answer-text', 'data-testid': 'answer-before' }, result.baseline.text || '(empty)')),
        h('figure', {}, h('figcaption', {}, changed ? 'After (changed)' : 'After (same)'), h('p', { class: changed ? 'answer-text changed' : 'answer-text', 'data-testid': 'answer-after' }, result.answer.text || '(empty)')),
      ),
      h('p', { 'data-testid': 'logprob-change' }, describeLogProbChange(result.logProbChange)),
      ...(label ? [h('p', { class: 'muted' }, `applied: ${label}`)] : []),
      h('h4', {}, `The intervened run's ${result.trace.steps.length} steps`),
      strip,
    );
    outcome.dataset.logProbChange = String(result.logProbChange);
    bitmap?.close();
    bitmap = await decodeTraceImage(result.trace);
    const stage = new HeatmapStage(result.trace, bitmap);
    const size = fitSize(bitmap.width, bitmap.height, THUMB, THUMB);
    result.trace.steps.forEach((s, i) => {
      const c = h('canvas', { width: Math.max(1, size.width), height: Math.max(1, size.height), role: 'img', 'aria-label': `intervened step ${i + 1}` });
      stage.paint(c.getContext('2d')!, c.width, c.height, i, { ...settings(), layer: 'saliency', answerLayer: null });
      const d = s.distance;
      strip.append(h('figure', { class: 'thumb', title: d ? `cos ${formatNumber(d.cosine)} to the previous step` : 'first step' }, c, h('span', {}, i + 1 === step ? `${i + 1} ✎` : String(i + 1))));
    });
  }

  return {
    element,
    setStep(s: number) {
      step = s + 1;
      stepLabel.textContent = `(step ${step} of ${steps})`;
    },
    dispose() {
      bitmap?.close();
    },
  };
}
