/**
 * A study's typed options as the CLI's arguments: what an array task of a study submitted from the
 * extension runs (the cluster's tasks start the CLI, so the plan carries its arguments). Pure.
 */
import type { CommonStudyOptions, StudyRequest, StudyRequestOptions } from '../types';

const opt = (flag: string, value: string | number | undefined): string[] => (value === undefined ? [] : [flag, String(value)]);

/** the dataset, model, loop settings and runtime every study command takes */
function commonArgs(o: StudyRequestOptions<CommonStudyOptions>): string[] {
  const s = o.settings ?? {};
  const adaptive = s.stop !== undefined && s.stop !== 'fixed';
  return [
    o.dataset,
    '--model', o.modelDir,
    ...opt('--stop', s.stop),
    // the CLI's --steps is T for a fixed stop and the cap for an adaptive one; --max-steps is always the cap
    ...(adaptive ? [] : opt('--steps', s.latentSteps)),
    ...opt('--max-steps', s.maxLatentSteps),
    ...opt('--threshold', s.threshold),
    ...opt('--lvr-stop', s.lvrStop),
    ...opt('--max-answer-tokens', s.maxAnswerTokens),
    ...opt('--temperature', s.temperature),
    ...opt('--top-p', s.topP),
    ...opt('--provider', o.provider),
    ...opt('--threads', o.threads),
    ...opt('--workers', o.workers),
    ...opt('--limit', o.limit),
    ...(o.onBadRecord === 'skip' ? ['--skip-bad'] : []),
  ];
}

/**
 * The CLI arguments of `r` (without --out and --shard, which the scripts add). The probing study's
 * --seed is its probing seed, so a probing request carries its sampling seed nowhere (its traces are greedy).
 */
export function studyArgs(r: StudyRequest): string[] {
  switch (r.study) {
    case 'probe': {
      const p = r.options.probing ?? {};
      if (p.view !== undefined || p.projection !== undefined || p.mlp !== undefined) throw new Error('a Slurm probing study takes the probing settings pairs, bootstrapResamples and seed only');
      return [...commonArgs(r.options), ...opt('--ablation', r.options.ablationDir), ...opt('--pairs', p.pairs), ...opt('--bootstrap', p.bootstrapResamples), ...opt('--seed', p.seed)];
    }
    case 'attention':
      return [...commonArgs(r.options), '--baseline', r.options.baselineDir, ...opt('--layer', r.options.layer), ...opt('--seed', r.options.settings?.seed)];
    case 'steps': {
      const t = r.options.thresholds ?? {};
      return [...commonArgs(r.options), ...opt('--max-t', r.options.maxSteps), ...opt('--cosine', t.cosine), ...opt('--l1', t.l1), ...opt('--l2', t.l2), ...opt('--seed', r.options.settings?.seed)];
    }
  }
}
