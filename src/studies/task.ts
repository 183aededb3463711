/**
 * A dataset run for one model, as the studies use it: read the dataset, take this shard, run the
 * named processor with resumable results under <out>/results/, and say whether every item of the
 * dataset is now done (a shard alone is not: merge first).
 */
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { readManifest } from '../runtime/bundle';
import type { BadRecordPolicy, DatasetItem, SkippedRecord } from '../runtime/datasets/item';
import { readDataset } from '../runtime/datasets/read';
import type { ResultLine, ResultsHeader } from '../runtime/datasets/results';
import { shardItems, shardLabel, WHOLE, type Shard } from '../runtime/datasets/shard';
import { runDataset } from './runner';
import type { TaskName, TaskOptionsOf, TaskResultOf } from './types';

export interface TaskProgress {
  model: string;
  done: number;
  total: number;
  /** items found done in the results file when the run started */
  resumed: number;
  line?: ResultLine;
}

export interface TaskOptions<K extends TaskName> {
  dataset: string;
  task: K;
  /** the processor's options; all of them are part of the results' identity */
  options: TaskOptionsOf[K];
  out: string;
  shard?: Shard;
  /** worker processes (default: one per core, each engine with 1-thread sessions) */
  workers?: number;
  onBadRecord?: BadRecordPolicy;
  /** only the first N items of the dataset */
  limit?: number;
  signal?: AbortSignal;
  onProgress?: (p: TaskProgress) => void;
  log?: (message: string) => void;
}

export interface TaskResult<R> {
  model: { name: string; hash: string };
  resultsPath: string;
  /** the whole dataset is done (false for a shard run) */
  complete: boolean;
  items: DatasetItem[];
  lines: ResultLine<R>[];
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

export async function runTask<K extends TaskName>(o: TaskOptions<K>): Promise<TaskResult<TaskResultOf[K]>> {
  if (o.workers !== undefined && !(Number.isInteger(o.workers) && o.workers >= 0 && o.workers <= MAX_WORKERS)) {
    throw new RangeError(`workers must be an integer in 0..${MAX_WORKERS}, got ${o.workers}`);
  }
  const manifest = await readManifest(o.options.modelDir);
  const dataset = await readDataset(o.dataset, o.onBadRecord ?? 'fail');
  for (const s of dataset.skipped) o.log?.(`skipped ${s.where}: ${s.message}`);
  const all = o.limit !== undefined ? dataset.items.slice(0, o.limit) : dataset.items;
  const shard = o.shard ?? WHOLE;
  const items = shardItems(all, shard);
  const resultsPath = resultsPathFor(o.out, o.task, manifest.name, shard);
  // modelDir is where the bundle lies, not what it is: the hash says that
  const { modelDir: _where, ...identity } = o.options;
  const header: ResultsHeader = {
    format: 'latent-trace/results',
    version: 1,
    task: o.task,
    dataset: o.dataset,
    shard: shardLabel(shard),
    datasetItems: all.length,
    config: { model: manifest.name, hash: manifest.hash, ...identity },
  };
  let resumed = 0;
  const summary = await runDataset({
    items,
    resultsPath,
    header,
    processor: { name: o.task, options: o.options },
    workers: o.workers ?? defaultWorkers(),
    signal: o.signal,
    onStart: (already) => {
      resumed = already;
      o.onProgress?.({ model: manifest.name, done: already, total: items.length, resumed });
    },
    onProgress: (done, total, line) => {
      if (!line.ok) o.log?.(`${line.source} failed: ${line.error}`);
      o.onProgress?.({ model: manifest.name, done, total, resumed, line });
    },
  });
  return { model: { name: manifest.name, hash: manifest.hash }, resultsPath, complete: shard.count === 1, items, lines: summary.lines, skipped: dataset.skipped };
}
