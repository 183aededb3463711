/**
 * Number formatting for tables and labels.
 */

/** The smallest positive double SciPy reports before a p-value underflows to 0. */
const P_FLOOR = 1e-300;

/** A p-value as the paper's tables print it: fixed for p >= 0.001, scientific below, "< 1e-300" at the floor. */
export function formatP(p: number): string {
  if (!Number.isFinite(p) || p < 0 || p > 1) return '—';
  if (p < P_FLOOR) return '< 1e-300';
  if (p >= 0.001) return p.toFixed(3);
  const [mantissa, exponent] = p.toExponential(2).split('e');
  return `${mantissa}e${exponent}`;
}

/** A statistic with `digits` significant digits, scientific for very large or small magnitudes. */
export function formatNumber(v: number, digits = 4): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3) return v.toExponential(digits - 1);
  return Number(v.toPrecision(digits)).toString();
}

/** An accuracy in [0, 1] as a percentage with one decimal, as in Table 6. */
export function formatPercent(v: number): string {
  return Number.isFinite(v) ? (v * 100).toFixed(1) : '—';
}

/** A duration in milliseconds, switching to seconds above 10 s. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
}

/** A file-name-safe stem from free text (image and model names), without their file extensions. */
export function fileStem(...parts: string[]): string {
  return parts.map((p) => p.replace(/\.(png|jpe?g|webp|gif|bmp|tiff?|json)$/i, '')).join('-').replace(/[^\w.-]+/g, '_').slice(0, 120);
}
