/**
 * Where a submitted study stands, for a watcher that polls it: each shard's items done (from the
 * files on disk, as `latent-trace status` reads them) joined with the state Slurm gives its array
 * task and the merge job (squeue while they are queued or running, sacct after), and cancelling
 * them. Slurm's answers are read from the fields its clients print on request (-o / --format), never
 * from messages meant for people.
 */
import type { StudyKind } from '../types';
import { slurmStatus } from './status';
import { readJobs, type Exec, type SlurmJobs } from './submit';
import type { SlurmPlan } from './scripts';

/** a shard's or the merge job's state, in words the panel shows */
export type JobState = 'waiting' | 'pending' | 'running' | 'done' | 'failed' | 'cancelled' | 'stopped';

export interface ShardView {
  shard: number;
  state: JobState;
  /** items committed over all of this shard's model passes, of `of` */
  done: number;
  of: number;
}

export interface SlurmView {
  shards: ShardView[];
  merge: { job: string; state: JobState };
  /** the merge job wrote the report */
  report: boolean;
  /** nothing more will happen without a new submission: the report is written, the merge job ended without it, or no task runs and one ended unfinished */
  over: boolean;
}

/** Slurm's job state names (squeue %T, sacct State) in the panel's words; undefined for states it does not know */
export function jobState(slurm: string): JobState | undefined {
  const s = slurm.trim().split(/\s+/)[0]?.replace(/\+$/, '').toUpperCase() ?? '';
  if (['PENDING', 'REQUEUED', 'RESV_DEL_HOLD', 'REQUEUE_HOLD', 'REQUEUE_FED', 'SUSPENDED', 'RESIZING', 'CONFIGURING'].includes(s)) return 'pending';
  if (['RUNNING', 'COMPLETING', 'STAGE_OUT', 'SIGNALING'].includes(s)) return 'running';
  if (s === 'COMPLETED') return 'done';
  if (s === 'CANCELLED') return 'cancelled';
  if (['FAILED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL', 'BOOT_FAIL', 'DEADLINE', 'PREEMPTED', 'REVOKED', 'SPECIAL_EXIT'].includes(s)) return 'failed';
  return undefined;
}

/**
 * Job and array-task ids ("123", "123_4") to their Slurm state names. squeue (-r: one line per array
 * task) knows what is queued or running; sacct what has ended, where accounting is on. A client
 * that fails (no accounting, a job purged) answers nothing rather than failing the poll.
 */
export async function jobStates(exec: Exec, ids: string[]): Promise<Map<string, string>> {
  const states = new Map<string, string>();
  if (ids.length === 0) return states;
  const list = ids.join(',');
  const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);
  for (const l of lines(await exec('sacct', ['-n', '-P', '-X', '-j', list, '-o', 'JobID,State']).catch(() => ''))) {
    const [id, state] = l.split('|');
    if (id && state) states.set(id, state);
  }
  // squeue last: for a job still in the queue it is the live answer
  for (const l of lines(await exec('squeue', ['-h', '-r', '-j', list, '-o', '%i %T']).catch(() => ''))) {
    const [id, state] = l.split(/\s+/);
    if (id && state) states.set(id, state);
  }
  return states;
}

/** the model passes a study makes over its items (each writes its own results file per shard) */
export function studyPasses(study: StudyKind, studyArgs: readonly string[]): number {
  if (study === 'attention') return 2;
  if (study === 'probe') return studyArgs.includes('--ablation') ? 2 : 1;
  return 1;
}

/** a task id's state, where sacct may still list a pending array as one line "123_[0-3]" */
function taskState(states: Map<string, string>, array: string, shard: number): string | undefined {
  const own = states.get(`${array}_${shard}`);
  if (own) return own;
  for (const [id, state] of states) {
    const m = /^(\d+)_\[([^\]]+)\]$/.exec(id);
    if (!m || m[1] !== array) continue;
    const inRange = m[2].split('%')[0].split(',').some((part) => {
      const [lo, hi] = part.split('-').map(Number);
      return shard >= lo && shard <= (hi ?? lo);
    });
    if (inRange) return state;
  }
  return undefined;
}

/**
 * The study as the watcher shows it, from the plan, the files on disk and the last submission's jobs.
 * A shard whose task ended without writing its done marker failed (Slurm may still say COMPLETED
 * for a task killed from outside); one Slurm no longer knows and that has no marker is `stopped`.
 */
export async function slurmView(plan: SlurmPlan, exec: Exec, jobs: SlurmJobs = readJobs(plan.out)): Promise<SlurmView> {
  const last = jobs.submissions.at(-1);
  const states = await jobStates(exec, last ? [last.array, last.merge].filter(Boolean) : []);
  const disk = slurmStatus(plan);
  const passes = studyPasses(plan.study, plan.studyArgs);
  const shards = disk.shards.map((s): ShardView => {
    const done = s.files.reduce((n, f) => n + f.done, 0);
    const of = s.items * passes;
    if (s.finished) return { shard: s.shard, state: 'done', done: of, of };
    const submitted = last?.array && last.shards.includes(s.shard) ? taskState(states, last.array, s.shard) : undefined;
    const state = submitted === undefined ? 'stopped' : jobState(submitted) ?? 'stopped';
    return { shard: s.shard, state: state === 'done' ? 'failed' : state, done, of };
  });
  const mergeSlurm = last ? states.get(last.merge) : undefined;
  let mergeState: JobState = disk.report ? 'done' : mergeSlurm === undefined ? 'stopped' : jobState(mergeSlurm) ?? 'stopped';
  // a merge job waiting on its array's dependency is pending in Slurm's words; say what it waits for
  if (mergeState === 'pending' && shards.some((s) => s.state !== 'done')) mergeState = 'waiting';
  if (mergeState === 'done' && !disk.report) mergeState = 'failed';
  const ended = (s: JobState) => s === 'failed' || s === 'cancelled' || s === 'stopped';
  const live = shards.some((s) => s.state === 'pending' || s.state === 'running');
  const over = disk.report || ended(mergeState) || (!live && shards.some((s) => ended(s.state)));
  return { shards, merge: { job: last?.merge ?? '', state: mergeState }, report: disk.report, over };
}

/** scancel the last submission's array and merge jobs; returns the job ids it cancelled */
export async function cancelStudy(out: string, exec: Exec): Promise<string[]> {
  const last = readJobs(out).submissions.at(-1);
  const ids = last ? [last.array, last.merge].filter(Boolean) : [];
  if (ids.length) await exec('scancel', ids);
  return ids;
}

/** one line for a progress bar: "3 of 4 shards done, 41 of 60 items; merge waiting" */
export function viewSummary(v: SlurmView): string {
  const done = v.shards.reduce((n, s) => n + s.done, 0);
  const of = v.shards.reduce((n, s) => n + s.of, 0);
  const finished = v.shards.filter((s) => s.state === 'done').length;
  return `${finished} of ${v.shards.length} shards done, ${done} of ${of} items; merge ${v.merge.state}`;
}

/** the whole study's progress in 0..1: the shards' items, the merge the last 5 % */
export function viewFraction(v: SlurmView): number {
  const of = v.shards.reduce((n, s) => n + s.of, 0);
  const items = of > 0 ? v.shards.reduce((n, s) => n + s.done, 0) / of : 1;
  return v.report ? 1 : 0.95 * items;
}

export interface WatchOptions {
  exec: Exec;
  /** between polls */
  pollMs: number;
  /** aborting it cancels the jobs (scancel) and ends the watch */
  signal?: AbortSignal;
  onView?: (view: SlurmView) => void;
  /** after a cancel, how long to wait for Slurm to end the jobs before the last view (default 30 s) */
  settleMs?: number;
}

const live = (s: JobState) => s === 'pending' || s === 'running' || s === 'waiting';
const isLive = (v: SlurmView) => v.shards.some((x) => live(x.state)) || live(v.merge.state);

export type WatchOutcome =
  | { kind: 'report'; view: SlurmView }
  | { kind: 'ended'; view: SlurmView }
  | { kind: 'cancelled'; view: SlurmView; jobs: string[] };

const pause = (ms: number, signal?: AbortSignal) => new Promise<void>((resolvePause) => {
  if (signal?.aborted) return resolvePause();
  const timer = setTimeout(done, ms);
  function done() {
    clearTimeout(timer);
    signal?.removeEventListener('abort', done);
    resolvePause();
  }
  signal?.addEventListener('abort', done, { once: true });
});

/**
 * Polls a submitted study until its report is written or nothing more will happen; an abort runs
 * scancel on the array and merge jobs and reports the view after it. Every view goes to onView.
 */
export async function watchStudy(plan: SlurmPlan, o: WatchOptions): Promise<WatchOutcome> {
  for (;;) {
    if (o.signal?.aborted) {
      const jobs = await cancelStudy(plan.out, o.exec);
      // without accounting (no sacct) a cancelled job simply leaves the queue: that is the cancel
      const cancelled = (s: JobState): JobState => (s === 'stopped' ? 'cancelled' : s);
      const look = async (): Promise<SlurmView> => {
        const v = await slurmView(plan, o.exec);
        return { ...v, shards: v.shards.map((x) => ({ ...x, state: cancelled(x.state) })), merge: { ...v.merge, state: cancelled(v.merge.state) } };
      };
      // Slurm takes a moment to end cancelled tasks (COMPLETING): wait until none is live, within settleMs
      const settleBy = Date.now() + (o.settleMs ?? 30_000);
      let view = await look();
      while (isLive(view) && Date.now() < settleBy) {
        o.onView?.(view);
        await pause(o.pollMs);
        view = await look();
      }
      o.onView?.(view);
      return { kind: 'cancelled', view, jobs };
    }
    const view = await slurmView(plan, o.exec);
    o.onView?.(view);
    if (view.report) return { kind: 'report', view };
    if (view.over) return { kind: 'ended', view };
    await pause(o.pollMs, o.signal);
  }
}
