/** Options and outputs shared by the dataset commands (attention, probe, steps). */
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../../runtime/atomic';
import { parseShard, type Shard } from '../../runtime/datasets/shard';
import type { Tables } from '../../analysis/reportTables';
import { intOpt, stringOpt, type OptionSpec, type ParsedArgs } from '../args';
import { UsageError, type CliIO } from '../io';

export const datasetOptionSpec: OptionSpec = {
  out: { type: 'string' },
  shard: { type: 'string' },
  workers: { type: 'string' },
  'skip-bad': { type: 'boolean' },
};

export const datasetOptionsUsage = `dataset run:
  --out <dir>               results (resumable) and reports go here (default: latent-trace-out/<command>)
  --shard <i/n>             run only items k with k mod n = i (merge the shards with latent-trace merge)
  --workers <N>             worker threads, each with its own engine (default: one per core)
  --skip-bad                skip (and report) malformed dataset lines instead of failing`;

export interface DatasetArgs {
  dataset: string;
  out: string;
  shard?: Shard;
  workers?: number;
  onBadRecord: 'skip' | 'fail';
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
    workers: intOpt(a, 'workers', 0),
    onBadRecord: a.values['skip-bad'] === true ? 'skip' : 'fail',
  };
}

/** writes <kind>.report.json, <kind>.csv and <kind>.md, each atomically; returns their paths */
export async function writeReportFiles(out: string, kind: string, report: unknown, tables: Tables): Promise<string[]> {
  const files = [join(out, `${kind}.report.json`), join(out, `${kind}.csv`), join(out, `${kind}.md`)];
  await writeFileAtomic(files[0], `${JSON.stringify(report, null, 2)}\n`);
  await writeFileAtomic(files[1], tables.csv);
  await writeFileAtomic(files[2], tables.markdown);
  return files;
}

export function shardNotice(io: CliIO, command: string, resultsPath: string, out: string): number {
  io.stderr(`shard finished: ${resultsPath}\nwhen every shard is done, run: latent-trace merge ${out} && latent-trace ${command} ... --out ${out}\n`);
  return 0;
}
