/**
 * `latent-trace submit <probe|attention|steps> <dataset> [study options] --out <shared dir> --slurm`:
 * the study as a Slurm array job (one shard per task) and a dependent merge job that writes the report.
 */
import { resolve } from 'node:path';
import { STUDY_KINDS, type StudyKind } from '../../studies';
import { submitStudy } from '../../studies/slurm/submit';
import { makePlan, MAX_TASKS } from '../../studies/slurm/plan';
import { arrayScript, mergeScript } from '../../studies/slurm/scripts';
import { UsageError, type CliCommand } from '../io';

const VALUE_FLAGS = new Set(['--out', '--tasks', '--partition', '--time', '--gres', '--sbatch-arg']);

/** the CLI as the cluster's tasks start it: this node, its loader flags (tsx from source), this entry file */
export function cliInvocation(): string[] {
  return [process.execPath, ...process.execArgv, process.argv[1]];
}

export const submitCommand: CliCommand = {
  name: 'submit',
  summary: 'run a probe/attention/steps study as a Slurm array job with a dependent merge (rerun: only unfinished shards)',
  usage: `latent-trace submit <probe|attention|steps> <dataset> [study options] --out <shared dir> --slurm [options]

  --out <dir>               a folder every node sees: results, the scripts (<dir>/slurm/) and the report
  --slurm                   submit with sbatch (the only engine)
  --tasks <N>               array tasks, one shard each (default 4)
  --partition <p>  --time <HH:MM:SS>  --gres <gpu:1>   passed to sbatch
  --sbatch-arg <arg>        any further sbatch option, repeatable (e.g. --sbatch-arg=--mem=16G)
  --dry-run                 print both scripts, submit nothing

  Rerunning submit on the same --out resubmits only the shards that did not finish.
  latent-trace status <dir> shows per-shard progress.`,
  examples: [
    'latent-trace submit probe data.jsonl --model models/lare --ablation models/lare-noext --out /shared/probe --slurm --tasks 8 --gres gpu:1',
    'latent-trace submit steps data.jsonl --out /shared/steps --slurm --dry-run',
  ],
  async run(argv, io) {
    const [kind, ...rest] = argv;
    const study = kind as StudyKind;
    if (!STUDY_KINDS.includes(study)) throw new UsageError(`expected a study (${STUDY_KINDS.join(', ')}) first, got ${JSON.stringify(kind ?? '')}`);
    const own: Record<string, string[]> = {};
    const studyArgs: string[] = [];
    let slurm = false;
    let dryRun = false;
    for (let k = 0; k < rest.length; k++) {
      const [flag, inline] = rest[k].startsWith('--') ? rest[k].split(/=(.*)/s) : [rest[k], undefined];
      if (flag === '--slurm') slurm = true;
      else if (flag === '--dry-run') dryRun = true;
      else if (VALUE_FLAGS.has(flag)) {
        const value = inline ?? rest[++k];
        if (value === undefined) throw new UsageError(`${flag} needs a value`);
        (own[flag] ??= []).push(value);
      } else if (flag === '--shard') throw new UsageError('submit makes the shards itself: leave out --shard');
      else studyArgs.push(rest[k]);
    }
    if (!slurm) throw new UsageError('submit needs an engine: --slurm');
    const out = own['--out']?.at(-1);
    if (!out) throw new UsageError('--out <shared dir> is required: every array task writes there');
    const tasks = Number(own['--tasks']?.at(-1) ?? 4);
    if (!Number.isInteger(tasks) || tasks < 1 || tasks > MAX_TASKS) throw new UsageError(`--tasks must be an integer in 1..${MAX_TASKS}`);
    const dataset = studyArgs[0];
    if (!dataset || dataset.startsWith('-')) throw new UsageError('expected the dataset file right after the study (see latent-trace submit --help)');
    const plan = await makePlan({
      study,
      studyArgs,
      dataset: resolve(io.cwd, dataset),
      out: resolve(io.cwd, out),
      cwd: io.cwd,
      tasks,
      cli: cliInvocation(),
      resources: { partition: own['--partition']?.at(-1), time: own['--time']?.at(-1), gres: own['--gres']?.at(-1), extra: own['--sbatch-arg'] ?? [] },
    });
    if (dryRun) {
      await submitStudy(plan, { dryRun: true });
      io.stdout(`# ${plan.out}/slurm/array.sbatch (sbatch --array=0-${tasks - 1})\n${arrayScript(plan)}\n# ${plan.out}/slurm/merge.sbatch (sbatch --dependency=afterok:<array job>)\n${mergeScript(plan)}`);
      return 0;
    }
    const r = await submitStudy(plan);
    if (!r.mergeJob) {
      io.stdout(`every shard is done and the report is written; nothing to submit (${plan.out})\n`);
      return 0;
    }
    const shards = r.shards.length === tasks ? `all ${tasks} shards` : r.shards.length ? `shards ${r.shards.join(', ')} of ${tasks} (the others are done)` : 'no shards (all done)';
    io.stdout(`submitted ${shards}${r.arrayJob ? ` as array job ${r.arrayJob}` : ''}; merge job ${r.mergeJob} writes the report\n`);
    io.stderr(`watch it with: latent-trace status ${plan.out}\n`);
    return 0;
  },
};
