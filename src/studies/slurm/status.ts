/** Per-shard progress of a Slurm study, read from the files on disk (results lines, done markers). */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readResults } from '../../runtime/datasets/results';
import { reportDone } from './submit';
import { shardDoneMarker, type SlurmPlan } from './scripts';

export interface ShardStatus {
  shard: number;
  /** items of this shard */
  items: number;
  /** per results file (one per model the study runs): items committed */
  files: { file: string; done: number }[];
  finished: boolean;
}

export interface StudyStatus {
  shards: ShardStatus[];
  /** the merge job wrote the report */
  report: boolean;
}

export function slurmStatus(plan: SlurmPlan): StudyStatus {
  const dir = join(plan.out, 'results');
  const names = existsSync(dir) ? readdirSync(dir).sort() : [];
  const shards = plan.shardItems.map((items, shard): ShardStatus => {
    const suffix = `.shard-${shard}-of-${plan.tasks}.jsonl`;
    const files = names.filter((n) => n.endsWith(suffix)).map((n) => ({ file: join(dir, n), done: readResults(join(dir, n), { allowTornTail: true }).lines.length }));
    return { shard, items, files, finished: existsSync(shardDoneMarker(plan.out, shard)) };
  });
  return { shards, report: reportDone(plan.out) };
}
