/**
 * A dataset run for one model, as the attention / probe / steps commands use it: read the dataset,
 * take this shard, run the named processor with resumable results under <out>/results/, and say
 * whether every item of the dataset is now done (a shard alone is not: merge first).
 */
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { readManifest } from '../bundle';
import type { BadRecordPolicy, DatasetItem, SkippedRecord } from './item';
import { readDataset } from './read';
import type { ResultLine, ResultsHeader } from './results';
import { runDataset } from './runner';
import { shardItems, shardLabel, WHOLE, type Shard } from './shard';

export interface TaskOptions {
  dataset: string;
  task: 'attention' | 'probe' | 'steps' | 'causal';
  modelDir: string;
  /** passed to the processor besides modelDir; part of the results' identity */
  options: Record<string, unknown>;
  out: string;
  shard?: Shard;
  /** worker processes (default: one per core, each engine with 1-thread sessions) */
  workers?: number;
  onBadRecord?: BadRecordPolicy;
  /** only the first N items of the dataset */
  limit?: number;
  signal?: AbortSignal;
  log?: (message: string) => void;
}

export interface TaskResult {
  model: { name: string; hash: string };
  resultsPath: string;
  /** the whole dataset is done (false for a shard run) */
  complete: boolean;
  items: DatasetItem[];
  lines: ResultLine[];
  skipped: SkippedRecord[];
}

/** Worker processes one run may start, at most: each holds a whole engine. */
export const MAX_WORKERS = 256;

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

export function resultsPathFor(out: string, task: string, modelName: string, shard: Shard): string {
  const safe = modelName.replace(/[^A-Za-z0-9._-]+/g, '_');
  const suffix = shard.count > 1 ? `.shard-${shard.index}-of-${shard.count}` : '';
  return join(out, 'results', `${task}-${safe}${suffix}.jsonl`);
}

export async function runTask(o: TaskOptions): Promise<TaskResult> {
  if (o.workers !== undefined && !(Number.isInteger(o.workers) && o.workers >= 0 && o.workers <= MAX_WORKERS)) {
    throw new RangeError(`workers must be an integer in 0..${MAX_WORKERS}, got ${o.workers}`);
  }
  const manifest = await readManifest(o.modelDir);
  const dataset = await readDataset(o.dataset, o.onBadRecord ?? 'fail');
  for (const s of dataset.skipped) o.log?.(`skipped ${s.where}: ${s.message}`);
  const all = o.limit !== undefined ? dataset.items.slice(0, o.limit) : dataset.items;
  const shard = o.shard ?? WHOLE;
  const items = shardItems(all, shard);
  const resultsPath = resultsPathFor(o.out, o.task, manifest.name, shard);
  const header: ResultsHeader = {
    format: 'latent-trace/results',
    version: 1,
    task: o.task,
    dataset: o.dataset,
    shard: shardLabel(shard),
    datasetItems: all.length,
    config: { model: manifest.name, hash: manifest.hash, ...o.options },
  };
  const every = Math.max(1, Math.floor(items.length / 20));
  const summary = await runDataset({
    items,
    resultsPath,
    header,
    processor: { name: o.task, options: { modelDir: o.modelDir, ...o.options } },
    workers: o.workers ?? defaultWorkers(),
    signal: o.signal,
    onProgress: (done, total, line) => {
      if (!line.ok) o.log?.(`${line.source} failed: ${line.error}`);
      if (done % every === 0 || done === total) o.log?.(`[${manifest.name} ${o.task}] ${done}/${total}`);
    },
  });
  if (summary.resumed > 0) o.log?.(`resumed ${resultsPath}: ${summary.resumed} items were already done`);
  return { model: { name: manifest.name, hash: manifest.hash }, resultsPath, complete: shard.count === 1, items, lines: summary.lines, skipped: dataset.skipped };
}
