/**
 * "Run on Slurm…": where `sbatch` is on the PATH (a cluster's login node, under Remote-SSH), a study
 * is submitted as an array job (one shard per task) and a dependent merge job, through the same
 * src/studies/slurm API as `latent-trace submit`. The watcher polls the shards' files and Slurm's job
 * states into the panel's shard rows and a notification; Cancel runs scancel on both jobs; the merge
 * job's report opens in its own tab. Submitting again to the same folder resubmits only what did not
 * finish, or watches the submission again while it is still queued or running.
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import { REPORT_STEMS, STUDY_LABELS, type StudyRequest } from '../../studies';
import { studyArgs } from '../../studies/slurm/args';
import { onPath } from '../../studies/slurm/path';
import { makePlan } from '../../studies/slurm/plan';
import { execSlurm, readPlan, runningSubmission, samePlan, submitStudy } from '../../studies/slurm/submit';
import { viewFraction, viewSummary, watchStudy, type SlurmView, type WatchOutcome } from '../../studies/slurm/watch';
import type { SlurmRows } from '../../shared/protocol';
import { Dismissed, UserError } from '../errors';
import { withRunProgress } from '../progress';
import { parseSbatchArgs, slurmChoicesFrom, tasksProblem, timeProblem, type SlurmChoices } from '../slurmSettings';
import { studyFolder } from '../studyProgress';
import type { CommandContext } from './context';

const REMEMBERED = 'latentTrace.slurm.last';

/** checked at command time: a cluster's PATH can change between sessions, and looking costs a few stat calls */
const sbatchAvailable = (): boolean => onPath('sbatch') !== undefined;

/** "Run here" or "Run on Slurm…"; only asked where sbatch is on the PATH and latentTrace.slurm.offer is on */
export async function chooseEngine(title: string): Promise<'local' | 'slurm'> {
  if (vscode.workspace.getConfiguration('latentTrace.slurm').get('offer') === false || !sbatchAvailable()) return 'local';
  const picked = await vscode.window.showQuickPick(
    [
      { label: 'Run here', description: 'in this window\'s host, one worker per core', engine: 'local' as const },
      { label: 'Run on Slurm…', description: 'sbatch an array job, one shard per task, and a merge job that writes the report', engine: 'slurm' as const },
    ],
    { title: `Latent Trace: where to run the ${title}`, ignoreFocusOut: true },
  );
  if (!picked) throw new Dismissed('no engine chosen, nothing was run');
  return picked.engine;
}

async function ask(title: string, prompt: string, value: string, validate?: (text: string) => string | undefined): Promise<string> {
  const answer = await vscode.window.showInputBox({ title, prompt, value, ignoreFocusOut: true, validateInput: validate });
  if (answer === undefined) throw new Dismissed('Slurm submission dismissed, nothing was submitted');
  return answer.trim();
}

async function askChoices(ctx: CommandContext, title: string, defaultOut: string): Promise<{ choices: SlurmChoices; out: string }> {
  const config = vscode.workspace.getConfiguration('latentTrace.slurm');
  const settings = { tasks: config.get('tasks'), partition: config.get('partition'), time: config.get('time'), gres: config.get('gres'), sbatchArgs: config.get('sbatchArgs') };
  const last = slurmChoicesFrom(ctx.extension.workspaceState.get<Partial<SlurmChoices>>(REMEMBERED) ?? {}, settings);
  const t = `Latent Trace: ${title} on Slurm`;
  const tasks = Number(await ask(t, 'Array tasks (one shard of the dataset each)', String(last.tasks), tasksProblem));
  const partition = await ask(t, 'Partition (empty: the cluster\'s default)', last.partition);
  const time = await ask(t, 'Time limit per task, e.g. 01:00:00 (empty: the partition\'s default)', last.time, timeProblem);
  const gres = await ask(t, 'Generic resources per task, e.g. gpu:1 (empty: none)', last.gres);
  const extra = await ask(t, 'Further sbatch options, space-separated, e.g. --mem=16G (empty: none)', last.sbatchArgs.join(' '), (text) => {
    const parsed = parseSbatchArgs(text);
    return 'problem' in parsed ? parsed.problem : undefined;
  });
  const parsed = parseSbatchArgs(extra);
  const sbatchArgs = 'args' in parsed ? parsed.args : [];
  const roots = ctx.catalog.workspaceRoots();
  const outText = await ask(t, 'Output folder on storage every node sees (results, scripts, logs, report); the same folder again resumes', defaultOut,
    (text) => (text.trim() === '' ? 'an output folder is needed' : undefined));
  const out = path.resolve(roots[0] ?? path.dirname(defaultOut), outText);
  const choices: SlurmChoices = { tasks, partition, time, gres, sbatchArgs };
  await ctx.extension.workspaceState.update(REMEMBERED, choices);
  return { choices, out };
}

/** how the cluster's tasks start the CLI that ships with this extension (Electron's binary as Node where it is one) */
function cliInvocation(extensionPath: string): string[] {
  const node = process.versions.electron ? ['env', 'ELECTRON_RUN_AS_NODE=1', process.execPath] : [process.execPath];
  return [...node, path.join(extensionPath, 'dist', 'cli.js')];
}

export const slurmRows = (v: SlurmView): SlurmRows => ({
  shards: v.shards.map((s) => ({ shard: s.shard, state: s.state, done: s.done, of: s.of })),
  merge: { job: v.merge.job, state: v.merge.state },
});

/** the words the panel keeps under the shard rows */
function outcomeWords(o: WatchOutcome): string {
  if (o.kind === 'report') return 'report written';
  if (o.kind === 'cancelled') return `cancelled (scancel ${o.jobs.join(' ') || 'found no job'})`;
  return 'ended without a report';
}

/** why a watch ended without a report, naming the shards and where their logs are */
function endedProblem(out: string, v: SlurmView): string {
  const bad = v.shards.filter((s) => s.state !== 'done');
  const logs = path.join(out, 'slurm');
  if (bad.length) return `shard${bad.length > 1 ? 's' : ''} ${bad.map((s) => `${s.shard} (${s.state})`).join(', ')} did not finish; logs in ${logs}. Run it again with the same output folder to resubmit only those.`;
  return `the merge job ${v.merge.job} ${v.merge.state} without writing the report; see ${path.join(logs, 'merge.log')}`;
}

export interface SubmittedReport {
  file: string;
}

/**
 * Submits `request` and watches it. Resolves with the report file once the merge job wrote it,
 * or undefined when the user cancelled (the jobs are scancelled and the panel says so).
 */
export async function runOnSlurm(ctx: CommandContext, request: StudyRequest, models: string[], results: string, label: string): Promise<SubmittedReport | undefined> {
  const title = STUDY_LABELS[request.study];
  const dataset = request.options.dataset;
  const defaultOut = `${studyFolder(results, request.study, models, dataset, request.options)}-slurm`;
  const { choices, out } = await askChoices(ctx, title, defaultOut);
  const plan = await makePlan({
    study: request.study,
    studyArgs: studyArgs(request),
    dataset,
    out,
    cwd: out,
    tasks: choices.tasks,
    cli: cliInvocation(ctx.extension.extensionPath),
    resources: {
      ...(choices.partition ? { partition: choices.partition } : {}),
      ...(choices.time ? { time: choices.time } : {}),
      ...(choices.gres ? { gres: choices.gres } : {}),
      extra: choices.sbatchArgs,
    },
  }).catch((err: Error) => {
    throw new UserError(`${title} not submitted: ${err.message}`);
  });
  const reportFile = path.join(out, `${REPORT_STEMS[request.study]}.report.json`);
  const fail = (err: Error): never => {
    throw new UserError(`${title} not submitted: ${err.message}`);
  };
  const earlier = readPlan(out);
  // the same study still queued or running there (e.g. submitted before the window was reloaded): watch it again
  const running = earlier && samePlan(earlier, plan) ? await runningSubmission(out).catch(fail) : undefined;
  if (running) {
    ctx.log.info(`[slurm] ${label}: array job ${running.array} is still queued or running in ${out}; watching it`);
  } else {
    const submitted = await submitStudy(plan).catch(fail);
    if (!submitted.mergeJob) {
      ctx.log.info(`[slurm] ${label}: every shard is done and the report is written (${out})`);
      return { file: reportFile };
    }
    const shards = submitted.shards.length === plan.tasks ? `all ${plan.tasks} shards` : `shards ${submitted.shards.join(', ') || 'none'} of ${plan.tasks} (the others are done)`;
    ctx.log.info(`[slurm] ${label}: submitted ${shards}${submitted.arrayJob ? ` as array job ${submitted.arrayJob}` : ''}, merge job ${submitted.mergeJob} → ${out}`);
  }
  const pollMs = 1000 * Math.max(1, Number(vscode.workspace.getConfiguration('latentTrace.slurm').get('pollSeconds')) || 10);
  const panelRun = ctx.panel.beginRun(`${label} (Slurm)`);
  const outcome = await withRunProgress(`${label} on Slurm`, panelRun, (run) => watchStudy(plan, {
    exec: execSlurm,
    pollMs,
    signal: run.signal,
    onView: (v) => {
      panelRun.slurm(slurmRows(v));
      run.report(`${title}: ${viewSummary(v)}`, viewFraction(v));
    },
  }), outcomeWords);
  if (outcome.kind === 'cancelled') {
    ctx.log.info(`[slurm] ${label}: cancelled, scancel ${outcome.jobs.join(' ')}`);
    void vscode.window.showInformationMessage(`Latent Trace: ${label} on Slurm cancelled (scancel ${outcome.jobs.join(' ')}). Run it again with the same output folder to resume.`);
    return undefined;
  }
  if (outcome.kind === 'ended') throw new UserError(`${title} on Slurm: ${endedProblem(out, outcome.view)}`);
  return { file: reportFile };
}
