/**
 * What "Run on Slurm…" asks, with its defaults: the values last used in this workspace, else the
 * `latentTrace.slurm.*` settings. The answers' checks are pure (unit-tested without vscode).
 */
import { MAX_TASKS } from '../studies/slurm/plan';

export interface SlurmChoices {
  tasks: number;
  partition: string;
  time: string;
  gres: string;
  /** further sbatch options, e.g. --mem=16G */
  sbatchArgs: string[];
}

export const SLURM_DEFAULTS: SlurmChoices = { tasks: 4, partition: '', time: '', gres: '', sbatchArgs: [] };

/** the remembered or configured value where it has the right type, else the default */
export function slurmChoicesFrom(...sources: Partial<Record<keyof SlurmChoices, unknown>>[]): SlurmChoices {
  const out: SlurmChoices = { ...SLURM_DEFAULTS };
  for (const s of sources.reverse()) {
    if (Number.isInteger(s.tasks) && (s.tasks as number) >= 1 && (s.tasks as number) <= MAX_TASKS) out.tasks = s.tasks as number;
    for (const k of ['partition', 'time', 'gres'] as const) if (typeof s[k] === 'string') out[k] = (s[k] as string).trim();
    if (Array.isArray(s.sbatchArgs) && s.sbatchArgs.every((a) => typeof a === 'string')) out.sbatchArgs = s.sbatchArgs as string[];
  }
  return out;
}

/** why a tasks answer is not usable; undefined when it is */
export function tasksProblem(text: string): string | undefined {
  const n = Number(text.trim());
  return /^\d+$/.test(text.trim()) && n >= 1 && n <= MAX_TASKS ? undefined : `a whole number of array tasks from 1 to ${MAX_TASKS}`;
}

/** sbatch's --time forms: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS; empty for the partition's default */
export function timeProblem(text: string): string | undefined {
  return text.trim() === '' || /^(\d+-)?\d+(:\d{1,2}){0,2}$/.test(text.trim()) ? undefined : 'a time limit as sbatch takes it, e.g. 01:30:00 or 1-00:00:00 (empty: the partition\'s default)';
}

/** one word per option; an option must start with "-" (sbatch would read anything else as the script) */
export function parseSbatchArgs(text: string): { args: string[] } | { problem: string } {
  const args = text.trim() === '' ? [] : text.trim().split(/\s+/);
  const bad = args.find((a) => !a.startsWith('-'));
  return bad ? { problem: `"${bad}" is not an sbatch option (options start with -, e.g. --mem=16G)` } : { args };
}
