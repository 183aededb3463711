/**
 * The two sbatch scripts of a study on Slurm: an array job whose task i runs shard i/N of the study
 * and marks it done, and a merge job (submitted with --dependency=afterok on the array) that merges
 * the shards' results and writes the report. Pure: text in, text out.
 */
import type { StudyKind } from '../types';

export interface SlurmResources {
  partition?: string;
  /** HH:MM:SS, or any form sbatch's --time takes */
  time?: string;
  /** e.g. gpu:1 */
  gres?: string;
  /** further sbatch options, passed as they are */
  extra?: string[];
}

export interface SlurmPlan {
  format: 'latent-trace/slurm-plan';
  version: 1;
  study: StudyKind;
  /** the study's own arguments (dataset, models, options), as the CLI takes them, without --out / --shard */
  studyArgs: string[];
  out: string;
  /** the folder relative paths in studyArgs are read from */
  cwd: string;
  tasks: number;
  /** items of each shard, index = shard */
  shardItems: number[];
  /** how each script starts the CLI: the node binary, its flags, the CLI's entry file */
  cli: string[];
  resources: SlurmResources;
}

/** one shell word, single-quoted unless it is plainly safe */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

const line = (words: string[]) => words.map(shellQuote).join(' ');

function directives(plan: SlurmPlan, name: string, log: string): string[] {
  const r = plan.resources;
  const d = [`#SBATCH --job-name=${shellQuote(name)}`, `#SBATCH --output=${shellQuote(log)}`, `#SBATCH --chdir=${shellQuote(plan.cwd)}`];
  if (r.partition) d.push(`#SBATCH --partition=${shellQuote(r.partition)}`);
  if (r.time) d.push(`#SBATCH --time=${shellQuote(r.time)}`);
  if (r.gres) d.push(`#SBATCH --gres=${shellQuote(r.gres)}`);
  for (const x of r.extra ?? []) d.push(`#SBATCH ${x}`);
  return d;
}

export const slurmFolder = (out: string) => `${out}/slurm`;
export const shardDoneMarker = (out: string, shard: number) => `${slurmFolder(out)}/shard-${shard}.done`;

/** the array script: the --array range is given on the sbatch command line, so a resubmission can name only some shards */
export function arrayScript(plan: SlurmPlan): string {
  const dir = slurmFolder(plan.out);
  return [
    '#!/bin/bash',
    ...directives(plan, `lt-${plan.study}`, `${dir}/shard-%a.log`),
    'set -euo pipefail',
    `# shard $SLURM_ARRAY_TASK_ID of ${plan.tasks}: its results go to ${plan.out}/results/, resumable`,
    `${line([...plan.cli, plan.study, ...plan.studyArgs, '--out', plan.out])} --shard "$SLURM_ARRAY_TASK_ID/${plan.tasks}"`,
    `touch ${shellQuote(dir)}/shard-"$SLURM_ARRAY_TASK_ID".done`,
    '',
  ].join('\n');
}

/** the merge script: merge the shards, then the unsharded study finds every item done and writes the report */
export function mergeScript(plan: SlurmPlan): string {
  const dir = slurmFolder(plan.out);
  return [
    '#!/bin/bash',
    ...directives({ ...plan, resources: { ...plan.resources, gres: undefined } }, `lt-${plan.study}-merge`, `${dir}/merge.log`),
    'set -euo pipefail',
    line([...plan.cli, 'merge', plan.out]),
    line([...plan.cli, plan.study, ...plan.studyArgs, '--out', plan.out]),
    `touch ${shellQuote(dir)}/report.done`,
    '',
  ].join('\n');
}

/** "0,2-4" for sbatch --array */
export function arraySpec(shards: number[]): string {
  const sorted = [...shards].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let k = 0; k < sorted.length; ) {
    let j = k;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j === k ? String(sorted[k]) : `${sorted[k]}-${sorted[j]}`);
    k = j + 1;
  }
  return parts.join(',');
}
