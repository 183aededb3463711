/**
 * Answer accuracy over a JSONL or Parquet dataset (LaRe Table 4 / Fig. 5 studies): overall and per question type,
 * mean latent steps, mean answer tokens, and the pointing rate (a chosen window contains the centre of
 * the item's bbox at some step).
 */
import type { Trace, TraceSettings } from '../shared/trace';
import type { LatentTraceEngine } from './api';
import { itemImage } from './datasets/image-source';
import { itemGroundTruth, type DatasetItem } from './datasets/item';
import { readDataset } from './datasets/read';
import { windowContains } from './window';

export interface EvalItem extends DatasetItem {
  /** the item's line (JSONL) or row (Parquet, counted from 1) in the dataset, for messages */
  line: number;
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

/**
 * The dataset through the same reader as the dataset studies (datasets/read.ts): JSONL (a UTF-8 BOM
 * is fine) or Parquet, each line checked the same way.
 */
export async function readEvalDataset(file: string): Promise<EvalItem[]> {
  const { items } = await readDataset(file, 'fail');
  return items.map((it) => ({ ...it, line: lineOf(it.source) }));
}

/** 1-based line of a JSONL item ("file.jsonl:12") or row of a Parquet one ("file.parquet#row 11") */
function lineOf(source: string): number {
  const jsonl = /:(\d+)$/.exec(source);
  if (jsonl) return Number(jsonl[1]);
  const row = /#row (\d+)$/.exec(source);
  return row ? Number(row[1]) + 1 : 0;
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
      trace = await engine.trace({ image: await itemImage(item), imageName: item.imageName, question: item.question, settings: o.settings, groundTruth: itemGroundTruth(item), signal: o.signal });
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
