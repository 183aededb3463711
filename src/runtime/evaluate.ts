/**
 * Answer accuracy over a JSONL dataset (LaRe Table 4 / Fig. 5 studies): overall and per question type,
 * mean latent steps, mean answer tokens, and the pointing rate (a chosen window contains the centre of
 * the item's bbox at some step).
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import type { Trace, TraceSettings } from '../shared/trace';
import type { LatentTraceEngine } from './api';
import { windowContains } from './window';

export interface EvalItem {
  line: number;
  image: string;
  question: string;
  answer: string;
  type?: string;
  /** [x0, y0, x1, y1] in pixels of the original image */
  bbox?: [number, number, number, number];
}

export interface EvalReport {
  kind: 'eval';
  version: 1;
  dataset: string;
  model: { name: string; hash: string; method: string };
  settings: Partial<TraceSettings>;
  n: number;
  accuracy: number;
  perType: Record<string, { n: number; accuracy: number }>;
  meanLatentSteps: number;
  meanAnswerTokens: number;
  pointing: { n: number; rate: number } | null;
  /** items that could not be run (bad image, ...), with the reason */
  errors: { line: number; message: string }[];
  elapsedMs: number;
}

export async function readEvalDataset(file: string): Promise<EvalItem[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`${file}: cannot read the dataset (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const base = dirname(file);
  const items: EvalItem[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(raw);
    } catch (err) {
      throw new Error(`${file}:${line}: not valid JSON (${(err as Error).message})`);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${file}:${line}: each line must be a JSON object`);
    for (const k of ['image', 'question', 'answer']) {
      if (typeof v[k] !== 'string' || (v[k] as string).length === 0) throw new Error(`${file}:${line}: field "${k}" must be a non-empty string`);
    }
    const item: EvalItem = { line, image: v.image as string, question: v.question as string, answer: v.answer as string };
    item.image = isAbsolute(item.image) ? item.image : join(base, item.image);
    if (v.type !== undefined) {
      if (typeof v.type !== 'string') throw new Error(`${file}:${line}: field "type" must be a string`);
      item.type = v.type;
    }
    if (v.bbox !== undefined) {
      const b = v.bbox;
      if (!Array.isArray(b) || b.length !== 4 || b.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
        throw new Error(`${file}:${line}: field "bbox" must be [x0, y0, x1, y1]`);
      }
      item.bbox = b as [number, number, number, number];
    }
    items.push(item);
  });
  if (items.length === 0) throw new Error(`${file}: the dataset has no items`);
  return items;
}

export function normaliseAnswer(s: string): string {
  return s.toLowerCase().replace(/[^\p{L}\p{N}\s]/gu, ' ').split(/\s+/).filter(Boolean).join(' ');
}

/** Does any step's window contain the bbox centre? null when the item has no bbox or the trace no windows. */
export function pointsAt(trace: Trace, bbox: EvalItem['bbox']): boolean | null {
  if (!bbox || trace.steps.every((s) => s.window === null)) return null;
  const { rows, cols } = trace.input.grid;
  const x = ((bbox[0] + bbox[2]) / 2 / trace.input.imageWidth) * cols;
  const y = ((bbox[1] + bbox[3]) / 2 / trace.input.imageHeight) * rows;
  return trace.steps.some((s) => s.window !== null && windowContains(s.window, x, y));
}

export interface EvalOptions {
  settings?: Partial<TraceSettings>;
  signal?: AbortSignal;
  onItem?(done: number, total: number, correctSoFar: number): void;
}

export async function evaluate(engine: LatentTraceEngine, dataset: string, items: EvalItem[], o: EvalOptions = {}): Promise<EvalReport> {
  const started = performance.now();
  const perType: Record<string, { n: number; correct: number }> = {};
  let n = 0;
  let correct = 0;
  let steps = 0;
  let answerTokens = 0;
  let pointN = 0;
  let pointHits = 0;
  const errors: EvalReport['errors'] = [];
  for (const item of items) {
    o.signal?.throwIfAborted();
    let trace: Trace;
    try {
      trace = await engine.trace({ image: item.image, question: item.question, settings: o.settings, signal: o.signal });
    } catch (err) {
      if (o.signal?.aborted) throw err;
      errors.push({ line: item.line, message: (err as Error).message });
      o.onItem?.(n + errors.length, items.length, correct);
      continue;
    }
    n++;
    const ok = normaliseAnswer(trace.answer.text) === normaliseAnswer(item.answer);
    if (ok) correct++;
    steps += trace.stoppedAt;
    answerTokens += trace.tokens.answer;
    if (item.type !== undefined) {
      const t = (perType[item.type] ??= { n: 0, correct: 0 });
      t.n++;
      if (ok) t.correct++;
    }
    const hit = pointsAt(trace, item.bbox);
    if (hit !== null) {
      pointN++;
      if (hit) pointHits++;
    }
    o.onItem?.(n + errors.length, items.length, correct);
  }
  const m = engine.manifest;
  return {
    kind: 'eval',
    version: 1,
    dataset,
    model: { name: m.name, hash: m.hash, method: m.method },
    settings: o.settings ?? {},
    n,
    accuracy: n ? correct / n : 0,
    perType: Object.fromEntries(Object.entries(perType).sort().map(([k, v]) => [k, { n: v.n, accuracy: v.correct / v.n }])),
    meanLatentSteps: n ? steps / n : 0,
    meanAnswerTokens: n ? answerTokens / n : 0,
    pointing: pointN ? { n: pointN, rate: pointHits / pointN } : null,
    errors,
    elapsedMs: performance.now() - started,
  };
}
