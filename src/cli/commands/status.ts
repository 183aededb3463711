/** `latent-trace status <out>`: per-shard progress of a study submitted with `submit --slurm`, from the files on disk. */
import { resolve } from 'node:path';
import { readPlan } from '../../studies/slurm/submit';
import { slurmStatus } from '../../studies/slurm/status';
import { parseCommandArgs } from '../args';
import { UsageError, type CliCommand } from '../io';

export const statusCommand: CliCommand = {
  name: 'status',
  summary: 'per-shard progress of a study submitted with submit --slurm',
  usage: `latent-trace status <out-dir> [--json]`,
  examples: ['latent-trace status /shared/probe'],
  async run(argv, io) {
    const a = parseCommandArgs('status', argv, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
    if (a.positionals.length !== 1) throw new UsageError('expected the --out folder of a submitted study');
    const out = resolve(io.cwd, a.positionals[0]);
    const plan = readPlan(out);
    if (!plan) throw new UsageError(`${out} holds no submitted study (no slurm/plan.json); run latent-trace submit first`);
    const s = slurmStatus(plan);
    if (a.values.json) {
      io.stdout(`${JSON.stringify(s)}\n`);
      return 0;
    }
    const lines = [`${plan.study} on ${plan.studyArgs[0]}: ${s.shards.filter((x) => x.finished).length} of ${plan.tasks} shards finished${s.report ? ', report written' : ''}`];
    for (const x of s.shards) {
      const passes = x.files.length ? x.files.map((f) => `${f.done}/${x.items}`).join(' + ') : `0/${x.items}`;
      lines.push(`  shard ${x.shard}: ${x.finished ? 'done' : 'not finished'}, items ${passes}`);
    }
    io.stdout(`${lines.join('\n')}\n`);
    return 0;
  },
};
