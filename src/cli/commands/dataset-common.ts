/** Options and outputs shared by the dataset commands (attention, probe, steps). */
import { join, resolve } from 'node:path';
import { parseShard, type Shard } from '../../runtime/datasets/shard';
import { MAX_WORKERS, type CommonStudyOptions, type StudyProgress } from '../../studies';
import type { TraceOptions } from '../trace-options';
import { intOpt, stringOpt, type OptionSpec, type ParsedArgs } from '../args';
import { UsageError, type CliIO } from '../io';

export const datasetOptionSpec: OptionSpec = {
  out: { type: 'string' },
  shard: { type: 'string' },
  workers: { type: 'string' },
  'skip-bad': { type: 'boolean' },
  limit: { type: 'string' },
};

export const datasetOptionsUsage = `dataset run:
  --out <dir>               results (resumable) and reports go here (default: latent-trace-out/<command>)
  --shard <i/n>             run only items k with k mod n = i (merge the shards with latent-trace merge)
  --workers <N>             worker processes, each with its own engine, 0..${MAX_WORKERS} (default: one per core)
  --skip-bad                skip (and report) malformed dataset lines instead of failing
  --limit <N>               only the first N items`;

export interface DatasetArgs {
  dataset: string;
  out: string;
  shard?: Shard;
  workers?: number;
  onBadRecord: 'skip' | 'fail';
  limit?: number;
}

export function readDatasetArgs(command: string, a: ParsedArgs, io: CliIO): DatasetArgs {
  if (a.positionals.length !== 1) throw new UsageError(`expected one dataset file (.jsonl or .parquet), got ${a.positionals.length} (see latent-trace ${command} --help)`);
  const shardText = stringOpt(a, 'shard');
  let shard: Shard | undefined;
  try {
    shard = shardText === undefined ? undefined : parseShard(shardText);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return {
    dataset: resolve(io.cwd, a.positionals[0]),
    out: resolve(io.cwd, stringOpt(a, 'out') ?? join('latent-trace-out', command)),
    shard,
    workers: intOpt(a, 'workers', 0, MAX_WORKERS),
    onBadRecord: a.values['skip-bad'] === true ? 'skip' : 'fail',
    limit: intOpt(a, 'limit', 1),
  };
}

/**
 * A study's progress as lines for people on stderr: about 20 per model pass, one per probe cell, and
 * what a resumed run found already done.
 */
export function progressLines(io: CliIO): (e: StudyProgress) => void {
  let announced = -1;
  return (e) => {
    if (e.phase === 'items') {
      if (e.pass !== announced) {
        announced = e.pass;
        if (e.resumed > 0) io.stderr(`[${e.model} ${e.study}] resumed: ${e.resumed} of ${e.of} items were already done\n`);
      }
      const every = Math.max(1, Math.floor(e.of / 20));
      if (e.item > e.resumed && (e.item % every === 0 || e.item === e.of)) io.stderr(`[${e.model} ${e.study}] ${e.item}/${e.of}\n`);
    } else if (e.phase === 'fitting probes' && e.of > 0) {
      io.stderr(`[probe ${e.item}/${e.of}] ${e.detail ?? ''}\n`);
    }
  };
}

/** the options every dataset command passes: dataset, out, shard, workers, model and loop settings */
export function studyOptions(d: DatasetArgs, opts: TraceOptions, io: CliIO): CommonStudyOptions {
  return {
    dataset: d.dataset,
    modelDir: opts.modelDir,
    out: d.out,
    settings: opts.settings,
    provider: opts.provider,
    threads: opts.threads,
    shard: d.shard,
    workers: d.workers,
    onBadRecord: d.onBadRecord,
    limit: d.limit,
    signal: io.signal,
    onProgress: progressLines(io),
    log: (m: string) => io.stderr(`${m}\n`),
  };
}

export function shardNotice(io: CliIO, command: string, resultsPaths: string[], out: string): number {
  io.stderr(`shard finished: ${resultsPaths.join(', ')}\nwhen every shard is done, run: latent-trace merge ${out} && latent-trace ${command} ... --out ${out}\n`);
  return 0;
}
