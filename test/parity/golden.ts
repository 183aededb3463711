/**
 * Golden traces from the PyTorch reference (training/, written to test/fixtures/golden/*.json):
 * `{bundle, image, question, settings, inputIds, promptLength, tensors: {name: {shape, data}}, windows,
 *   answerIds, answerText, stoppedAt}`. This module loads them and compares tensors shape first.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { TraceSettings } from '../../src/shared/trace';
import { base64ToFloat32 } from '../../src/shared/trace-codec';

export const GOLDEN_DIR = resolve(__dirname, '..', 'fixtures', 'golden');
const ROOT = resolve(__dirname, '..', '..');

export interface GoldenTensor {
  shape: number[];
  data: number[] | string;
}

export interface Golden {
  file: string;
  bundle: string;
  image: string;
  question: string;
  settings: Record<string, unknown>;
  inputIds: number[];
  promptLength: number;
  tensors: Record<string, GoldenTensor>;
  windows: unknown[];
  answerIds: number[];
  answerText: string;
  stoppedAt: number;
}

export function goldenFiles(): string[] {
  if (!existsSync(GOLDEN_DIR)) return [];
  return readdirSync(GOLDEN_DIR).filter((f) => f.endsWith('.json')).sort().map((f) => join(GOLDEN_DIR, f));
}

export function loadGolden(file: string): Golden {
  const g = JSON.parse(readFileSync(file, 'utf8')) as Golden;
  g.file = file;
  g.bundle = locate(g.bundle, file);
  g.image = locate(g.image, file);
  return g;
}

function locate(p: string, goldenFile: string): string {
  if (isAbsolute(p)) return p;
  for (const base of [dirname(goldenFile), ROOT]) if (existsSync(join(base, p))) return join(base, p);
  return join(ROOT, p);
}

export function tensorData(t: GoldenTensor): Float32Array {
  return typeof t.data === 'string' ? base64ToFloat32(t.data) : Float32Array.from(t.data);
}

/** The golden's settings (camelCase or snake_case keys) as trace settings. */
export function goldenSettings(g: Golden): Partial<TraceSettings> {
  const s = g.settings ?? {};
  const pick = (...keys: string[]) => keys.map((k) => s[k]).find((v) => v !== undefined);
  const out: Partial<TraceSettings> = {};
  const latentSteps = pick('latentSteps', 'latent_steps', 'steps', 'T');
  if (typeof latentSteps === 'number') out.latentSteps = latentSteps;
  const maxLatentSteps = pick('maxLatentSteps', 'max_latent_steps', 'T_max');
  if (typeof maxLatentSteps === 'number') out.maxLatentSteps = maxLatentSteps;
  const stop = pick('stop', 'stop_rule');
  if (typeof stop === 'string') out.stop = stop as TraceSettings['stop'];
  const threshold = pick('threshold');
  if (typeof threshold === 'number') out.threshold = threshold;
  const maxAnswer = pick('maxAnswerTokens', 'max_answer_tokens');
  if (typeof maxAnswer === 'number') out.maxAnswerTokens = maxAnswer;
  const lvrStop = pick('lvrStop', 'lvr_stop');
  if (typeof lvrStop === 'string') out.lvrStop = lvrStop as TraceSettings['lvrStop'];
  return out;
}

/** Shape first (element count and, when given, the layout), then |a - e| <= atol + rtol*|e| everywhere. */
export function assertTensorClose(name: string, actual: Float32Array, expected: GoldenTensor, actualShape?: number[], atol = 1e-4, rtol = 1e-4): number {
  const want = tensorData(expected);
  const count = expected.shape.reduce((a, b) => a * b, 1);
  assert.equal(want.length, count, `${name}: golden data does not match its own shape [${expected.shape}]`);
  if (actualShape) {
    const squeeze = (s: number[]) => s.filter((d) => d !== 1);
    assert.deepEqual(squeeze(actualShape), squeeze(expected.shape), `${name}: shape [${actualShape}] vs golden [${expected.shape}]`);
  }
  assert.equal(actual.length, count, `${name}: ${actual.length} values vs golden shape [${expected.shape}] (${count})`);
  let worst = 0;
  for (let i = 0; i < count; i++) {
    const d = Math.abs(actual[i] - want[i]);
    if (!(d <= atol + rtol * Math.abs(want[i]))) assert.fail(`${name}[${i}]: ${actual[i]} vs golden ${want[i]} (|diff| ${d})`);
    worst = Math.max(worst, d);
  }
  return worst;
}

/** Rows of a [T, ...] stack, concatenated, for comparing per-step arrays against one golden tensor. */
export function stack(rows: Float32Array[]): Float32Array {
  const out = new Float32Array(rows.reduce((n, r) => n + r.length, 0));
  let k = 0;
  for (const r of rows) {
    out.set(r, k);
    k += r.length;
  }
  return out;
}

/** A golden window as {row, col}: accepts {row, col, size}, [row, col] or [row, col, size]. */
export function windowOf(w: unknown): { row: number; col: number } {
  if (Array.isArray(w)) return { row: Number(w[0]), col: Number(w[1]) };
  const o = w as { row: number; col: number };
  return { row: o.row, col: o.col };
}
