/**
 * Answer accuracy over a JSONL or Parquet dataset (LaRe Table 4 / Fig. 5 studies): overall and per question type,
 * mean latent steps, mean answer tokens, and pointing (a chosen window contains the centre of the item's
 * bbox) per step and at any step against the uniform-window and random-object nulls (analysis/pointing.ts).
 * Two models on the same items: the paired comparison of their answers (compareEvals).
 */
import { pointingSummary, type PointingItem, type PointingSummary } from '../analysis/pointing';
import { pairedAccuracy, type PairedAccuracy } from '../analysis/stats/pairedAccuracy';
import type { Trace, TraceSettings } from '../shared/trace';
import type { LatentTraceEngine } from './api';
import { itemImage } from './datasets/image-source';
import { itemGroundTruth, type DatasetItem } from './datasets/item';
import { readDataset } from './datasets/read';

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
  /** null when no item has a bbox and a windowed trace (`n` and `rate`: the any-step rate) */
  pointing: PointingSummary | null;
  /** items that could not be run (bad image, ...), with the reason */
  errors: { line: number; message: string }[];
  elapsedMs: number;
  /** with --compare: the other model on the same items and the paired test */
  comparison?: EvalComparison;
}

export interface EvalComparison {
  /** the other model's own report (B) */
  against: EvalReport;
  /** this model (A) against B on the items both answered */
  paired: PairedAccuracy;
  perType: Record<string, PairedAccuracy>;
  /** items that ran under only one of the models, left out of the paired test */
  unpaired: number;
}

/** one item's outcome, for pairing two models' runs */
export interface EvalOutcome {
  line: number;
  type?: string;
  correct: boolean;
}

export interface EvalRun {
  report: EvalReport;
  outcomes: EvalOutcome[];
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

export interface EvalOptions {
  settings?: Partial<TraceSettings>;
  signal?: AbortSignal;
  onItem?(done: number, total: number, correctSoFar: number): void;
}

export async function evaluate(engine: LatentTraceEngine, dataset: string, items: EvalItem[], o: EvalOptions = {}): Promise<EvalReport> {
  return (await evaluateRun(engine, dataset, items, o)).report;
}

/** the item's box centre and its scene's object centres in grid units, and each step's window; null without a bbox or windows */
export function pointingItem(trace: Trace, item: EvalItem): PointingItem | null {
  if (!item.bbox || trace.steps.every((s) => s.window === null)) return null;
  const { rows, cols } = trace.input.grid;
  const centre = (b: readonly number[]): [number, number] => [((b[0] + b[2]) / 2 / trace.input.imageWidth) * cols, ((b[1] + b[3]) / 2 / trace.input.imageHeight) * rows];
  return { type: item.type, target: centre(item.bbox), objects: item.objects ? item.objects.map(centre) : null, windows: trace.steps.map((s) => s.window) };
}

export async function evaluateRun(engine: LatentTraceEngine, dataset: string, items: EvalItem[], o: EvalOptions = {}): Promise<EvalRun> {
  const started = performance.now();
  const perType: Record<string, { n: number; correct: number }> = {};
  let n = 0;
  let correct = 0;
  let steps = 0;
  let answerTokens = 0;
  const pointing: PointingItem[] = [];
  let grid: { rows: number; cols: number } | null = null;
  const outcomes: EvalOutcome[] = [];
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
    outcomes.push(item.type === undefined ? { line: item.line, correct: ok } : { line: item.line, type: item.type, correct: ok });
    steps += trace.stoppedAt;
    answerTokens += trace.tokens.answer;
    if (item.type !== undefined) {
      const t = (perType[item.type] ??= { n: 0, correct: 0 });
      t.n++;
      if (ok) t.correct++;
    }
    const p = pointingItem(trace, item);
    if (p) {
      pointing.push(p);
      grid = trace.input.grid;
    }
    o.onItem?.(n + errors.length, items.length, correct);
  }
  const m = engine.manifest;
  const window = m.window;
  const report: EvalReport = {
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
    pointing: pointing.length && grid && window ? pointingSummary(pointing, { ...grid, size: window.size, stride: window.stride }) : null,
    errors,
    elapsedMs: performance.now() - started,
  };
  return { report, outcomes };
}

/** A against B on the items both answered (by dataset line), overall and per question type */
export function compareEvals(a: EvalRun, b: EvalRun): EvalComparison {
  const byLine = new Map(b.outcomes.map((x) => [x.line, x]));
  const pairs = a.outcomes.flatMap((x) => {
    const y = byLine.get(x.line);
    return y ? [{ type: x.type, a: x.correct, b: y.correct }] : [];
  });
  if (pairs.length === 0) throw new Error('no item ran under both models; nothing to compare');
  const test = (ps: typeof pairs) => pairedAccuracy(ps.map((p) => p.a), ps.map((p) => p.b));
  const types = [...new Set(pairs.flatMap((p) => (p.type === undefined ? [] : [p.type])))].sort();
  return {
    against: b.report,
    paired: test(pairs),
    perType: Object.fromEntries(types.map((t) => [t, test(pairs.filter((p) => p.type === t))])),
    unpaired: a.outcomes.length + b.outcomes.length - 2 * pairs.length,
  };
}
