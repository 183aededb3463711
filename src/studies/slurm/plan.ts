/** A Slurm plan from a study's CLI arguments: the dataset is read once to size each shard. */
import { readDataset } from '../../runtime/datasets/read';
import type { StudyKind } from '../types';
import type { SlurmPlan, SlurmResources } from './scripts';

export const MAX_TASKS = 10_000;

export interface PlanRequest {
  study: StudyKind;
  /** the study's CLI arguments, the dataset first, without --out and --shard */
  studyArgs: string[];
  /** absolute: the dataset file as studyArgs[0] names it, resolved */
  dataset: string;
  out: string;
  cwd: string;
  tasks: number;
  cli: string[];
  resources: SlurmResources;
}

/** items k with k mod tasks = i go to shard i (as --shard i/n), so shard i has ceil((count - i) / tasks) */
export function shardSizes(count: number, tasks: number): number[] {
  return Array.from({ length: tasks }, (_, i) => (count > i ? Math.ceil((count - i) / tasks) : 0));
}

export async function makePlan(r: PlanRequest): Promise<SlurmPlan> {
  if (!Number.isInteger(r.tasks) || r.tasks < 1 || r.tasks > MAX_TASKS) throw new RangeError(`the number of tasks must be an integer in 1..${MAX_TASKS}, got ${r.tasks}`);
  const limitAt = r.studyArgs.indexOf('--limit');
  const limit = limitAt >= 0 ? Number(r.studyArgs[limitAt + 1]) : undefined;
  const read = await readDataset(r.dataset, r.studyArgs.includes('--skip-bad') ? 'skip' : 'fail');
  const count = limit !== undefined ? Math.min(limit, read.items.length) : read.items.length;
  return {
    format: 'latent-trace/slurm-plan',
    version: 1,
    study: r.study,
    studyArgs: r.studyArgs,
    out: r.out,
    cwd: r.cwd,
    tasks: r.tasks,
    shardItems: shardSizes(count, r.tasks),
    cli: r.cli,
    resources: r.resources,
  };
}
