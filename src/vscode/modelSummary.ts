/**
 * One line about a bundle for the model picker: its family, method and size. Reads both manifest
 * versions: version 2 adds `family`, `model.kvHeads` and `model.dtype` (docs/bundle-format.md).
 */

/** The manifest fields the summary reads; a version 1 or version 2 manifest fits it. */
export interface ManifestFacts {
  method: string;
  version: string;
  family?: string;
  model: { hiddenSize: number; layers: number; heads?: number; kvHeads?: number; dtype?: string };
  provenance?: { parameters?: number };
}

const FAMILY_LABELS: Record<string, string> = { llava: 'LLaVA', qwen2_5_vl: 'Qwen2.5-VL' };
const DTYPE_LABELS: Record<string, string> = { float32: 'fp32', float16: 'fp16' };

/** A parameter count as people say it: 1.9 M, 494 M, 7.62 B. */
export function formatParameters(n: number): string {
  if (!(n > 0)) return '—';
  if (n >= 1e9) return `${Number((n / 1e9).toPrecision(3))} B`;
  if (n >= 1e6) return `${Number((n / 1e6).toPrecision(3))} M`;
  if (n >= 1e3) return `${Number((n / 1e3).toPrecision(3))} k`;
  return String(n);
}

/** "Qwen2.5-VL · lvr 1.0.0" (the family only where the manifest names one) */
export function modelDescription(m: ManifestFacts): string {
  const family = m.family === undefined ? '' : `${FAMILY_LABELS[m.family] ?? m.family} · `;
  return `${family}${m.method} ${m.version}`;
}

/** "width 896 · 24 layers · 14 heads (2 KV) · 494 M parameters · fp16" */
export function modelSize(m: ManifestFacts): string {
  const { hiddenSize, layers, heads, kvHeads, dtype } = m.model;
  const parts = [`width ${hiddenSize}`, `${layers} layers`];
  if (heads !== undefined) parts.push(kvHeads !== undefined && kvHeads !== heads ? `${heads} heads (${kvHeads} KV)` : `${heads} heads`);
  const parameters = m.provenance?.parameters;
  if (parameters !== undefined) parts.push(`${formatParameters(parameters)} parameters`);
  if (dtype !== undefined) parts.push(DTYPE_LABELS[dtype] ?? dtype);
  return parts.join(' · ');
}
