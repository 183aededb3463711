/**
 * Pure parts of the panel's intervention controls: the form's values to a protocol request, and the
 * words for an intervention and its effect.
 */
import type { PanelIntervention } from '../src/shared/protocol';

export type InterventionKind = PanelIntervention['kind'];
export const INTERVENTION_LABELS: Record<InterventionKind, string> = {
  zero: 'zero it',
  'replace-with-step': 'replace with another step',
  'replace-from-trace': 'replace with the same step of another trace…',
  'add-direction': 'add alpha × (trace A − trace B)…',
};

export interface InterventionForm {
  kind: InterventionKind;
  /** 1-based step the intervention acts on */
  step: number;
  /** 1-based: the other step (replace-with-step), the other trace's step (replace-from-trace) */
  source: number;
  alpha: number;
}

/** The request for a form, or a sentence saying what is wrong with it. */
export function interventionRequest(f: InterventionForm, steps: number): PanelIntervention | string {
  if (!(Number.isInteger(f.step) && f.step >= 1 && f.step <= steps)) return `step ${f.step} is not one of the trace's ${steps} latent steps`;
  switch (f.kind) {
    case 'zero': return { kind: 'zero', step: f.step };
    case 'replace-with-step':
      if (!(Number.isInteger(f.source) && f.source >= 1 && f.source <= steps)) return `step ${f.source} is not one of the trace's ${steps} latent steps`;
      if (f.source === f.step) return 'replacing a step with itself changes nothing: pick another step';
      return { kind: 'replace-with-step', step: f.step, source: f.source };
    case 'replace-from-trace':
      if (!(Number.isInteger(f.source) && f.source >= 1)) return 'the other trace\'s step must be a whole number from 1';
      return { kind: 'replace-from-trace', step: f.step, sourceStep: f.source };
    case 'add-direction':
      if (!Number.isFinite(f.alpha) || f.alpha === 0) return 'alpha must be a number other than 0';
      return { kind: 'add-direction', step: f.step, alpha: f.alpha, stepA: f.step, stepB: f.step };
  }
}

/** "log p(answer's first token) −2.31 (×0.099)": the change and the factor it multiplies the probability by. */
export function describeLogProbChange(change: number): string {
  if (change === -Infinity) return 'log p of the first answer token: −∞ (the token became impossible)';
  const sign = change > 0 ? '+' : change < 0 ? '−' : '±';
  const factor = Math.exp(change);
  // a change too small for three decimals is still shown, in significant digits
  const size = Math.abs(change);
  const amount = size !== 0 && size < 0.001 ? size.toExponential(2) : size.toFixed(3);
  const times = factor >= 100 || factor < 0.01 ? factor.toExponential(2) : Math.abs(factor - 1) < 0.001 && factor !== 1 ? factor.toPrecision(7) : factor.toFixed(3);
  return `log p of the first answer token ${sign}${amount} (probability ×${times})`;
}
