/**
 * A study as a Slurm array job over a shared `out` folder: the plan and scripts are written under
 * <out>/slurm/, `sbatch` submits the array (only the shards not yet done) and a merge job that waits
 * for it with --dependency=afterok. What is done is read from the files on disk, so a rerun after a
 * killed or failed task resubmits exactly the shards that did not finish.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../runtime/atomic';
import { arrayScript, arraySpec, mergeScript, shardDoneMarker, slurmFolder, type SlurmPlan } from './scripts';

export interface SlurmJobs {
  /** every submission, oldest first */
  submissions: { array: string; merge: string; shards: number[]; at: string }[];
}

export type Exec = (command: string, args: string[]) => Promise<string>;

/** runs a Slurm client command and returns its stdout; a failure names the command and its stderr */
export const execSlurm: Exec = (command, args) => new Promise((resolvePromise, reject) => {
  execFile(command, args, { encoding: 'utf8' }, (err, stdout, stderr) => {
    if (err) reject(new Error(`${command} ${args.join(' ')} failed: ${(stderr || err.message).trim()}`));
    else resolvePromise(stdout);
  });
});

const planPath = (out: string) => join(slurmFolder(out), 'plan.json');
const jobsPath = (out: string) => join(slurmFolder(out), 'jobs.json');

function readJson<T>(file: string, what: string): T | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (err) {
    throw new Error(`${file}: not a readable ${what} (${(err as Error).message})`);
  }
}

export function readPlan(out: string): SlurmPlan | undefined {
  const plan = readJson<SlurmPlan>(planPath(out), 'Slurm plan');
  if (plan && plan.format !== 'latent-trace/slurm-plan') throw new Error(`${planPath(out)}: not a Slurm plan (format ${JSON.stringify(plan.format)})`);
  return plan;
}

export function readJobs(out: string): SlurmJobs {
  return readJson<SlurmJobs>(jobsPath(out), 'Slurm job list') ?? { submissions: [] };
}

/** the shards whose task finished (their done marker exists) */
export function finishedShards(plan: SlurmPlan): number[] {
  return Array.from({ length: plan.tasks }, (_, i) => i).filter((i) => existsSync(shardDoneMarker(plan.out, i)));
}

export const reportDone = (out: string) => existsSync(join(slurmFolder(out), 'report.done'));

export interface SubmitResult {
  /** the shards submitted this time (none: everything was done) */
  shards: number[];
  arrayJob?: string;
  mergeJob?: string;
  scripts: { array: string; merge: string };
}

/** the same study with the same arguments and task count (how its scripts start the CLI may differ) */
export function samePlan(a: SlurmPlan, b: SlurmPlan): boolean {
  const key = (p: SlurmPlan) => JSON.stringify([p.study, p.studyArgs, p.tasks, p.shardItems]);
  return key(a) === key(b);
}

/** jobs of earlier submissions Slurm still holds (pending or running), by job id */
async function activeJobs(exec: Exec, jobs: SlurmJobs): Promise<Map<string, string>> {
  const ids = jobs.submissions.flatMap((s) => [s.array, s.merge]);
  if (ids.length === 0) return new Map();
  const text = await exec('squeue', ['-h', '-j', ids.join(','), '-o', '%i %T']).catch(() => '');
  return new Map(text.split('\n').filter(Boolean).map((l) => l.trim().split(/\s+/) as [string, string]));
}

function runningIn(jobs: SlurmJobs, active: Map<string, string>): SlurmJobs['submissions'][number] | undefined {
  return jobs.submissions.find((s) => s.array !== '' && (active.has(s.array) || [...active.keys()].some((k) => k.startsWith(`${s.array}_`))));
}

/** the earlier submission whose array Slurm still holds (queued or running), if any */
export async function runningSubmission(out: string, exec: Exec = execSlurm): Promise<SlurmJobs['submissions'][number] | undefined> {
  const jobs = readJobs(out);
  return runningIn(jobs, await activeJobs(exec, jobs));
}

/**
 * Writes the plan and both scripts; unless `dryRun`, submits the unfinished shards and the merge job.
 * A plan already in `out` must be the same study with the same arguments and task count.
 */
export async function submitStudy(plan: SlurmPlan, o: { dryRun?: boolean; exec?: Exec } = {}): Promise<SubmitResult> {
  const exec = o.exec ?? execSlurm;
  const dir = slurmFolder(plan.out);
  const earlier = readPlan(plan.out);
  if (earlier) {
    if (!samePlan(earlier, plan)) throw new Error(`${planPath(plan.out)} is a different study (${earlier.study} ${earlier.studyArgs.join(' ')}, ${earlier.tasks} tasks); choose another --out`);
  }
  const scripts = { array: join(dir, 'array.sbatch'), merge: join(dir, 'merge.sbatch') };
  const texts = { array: arrayScript(plan), merge: mergeScript(plan) };
  if (o.dryRun) return { shards: [], scripts };
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(planPath(plan.out), `${JSON.stringify(plan, null, 2)}\n`);
  await writeFileAtomic(scripts.array, texts.array);
  await writeFileAtomic(scripts.merge, texts.merge);
  const jobs = readJobs(plan.out);
  const active = await activeJobs(exec, jobs);
  const running = runningIn(jobs, active);
  if (running) throw new Error(`array job ${running.array} of this study is still queued or running; wait for it or scancel it, then submit again`);
  // a merge job whose array failed waits forever on its dependency: the new submission replaces it
  for (const s of jobs.submissions) if (active.has(s.merge)) await exec('scancel', [s.merge]);
  const done = new Set(finishedShards(plan));
  const shards = Array.from({ length: plan.tasks }, (_, i) => i).filter((i) => !done.has(i));
  if (shards.length === 0 && reportDone(plan.out)) return { shards, scripts };
  let arrayJob: string | undefined;
  const dependency: string[] = [];
  if (shards.length) {
    arrayJob = (await exec('sbatch', ['--parsable', `--array=${arraySpec(shards)}`, scripts.array])).trim().split(';')[0];
    dependency.push(`--dependency=afterok:${arrayJob}`);
  }
  const mergeJob = (await exec('sbatch', ['--parsable', ...dependency, scripts.merge])).trim().split(';')[0];
  jobs.submissions.push({ array: arrayJob ?? '', merge: mergeJob, shards, at: new Date().toISOString() });
  await writeFileAtomic(jobsPath(plan.out), `${JSON.stringify(jobs, null, 2)}\n`);
  return { shards, arrayJob, mergeJob, scripts };
}

export { arrayScript, mergeScript };
