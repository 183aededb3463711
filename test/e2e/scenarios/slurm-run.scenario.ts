import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineScenario, type ScenarioContext } from '../scenario';
import { fakeSlurmState } from '../server';

/**
 * "Run on Slurm…" with fake sbatch, squeue, sacct and scancel on code-server's PATH (test/e2e/fake-slurm:
 * sbatch runs each array task's script here, in its own process group, with SLURM_ARRAY_TASK_ID set).
 * An adaptive-stopping study submitted as 2 tasks shows its shards' progress in the panel; the panel's
 * Cancel runs scancel, the tasks' processes are gone and the panel says cancelled. A second, small
 * study runs to the end and its report opens in its own tab.
 */

/** pids of the live (not zombie) processes in process group `pgid` */
function liveInGroup(pgid: number): number[] {
  const live: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') live.push(Number(name));
  }
  return live;
}

/** answers the input box whose prompt contains `prompt` (waiting for it, not for the box before it) */
async function answer(ctx: ScenarioContext, prompt: string, text: string): Promise<void> {
  const widget = ctx.page.locator('.quick-input-widget', { hasText: prompt });
  await widget.waitFor({ state: 'visible', timeout: 30_000 });
  const input = widget.locator('input');
  await input.fill(text);
  await ctx.page.waitForTimeout(200);
  await input.press('Enter');
  await widget.waitFor({ state: 'hidden', timeout: 30_000 }).catch(() => undefined);
}

async function submitSteps(ctx: ScenarioContext, dataset: string, out: string): Promise<void> {
  await ctx.runCommand('Latent Trace: Run Adaptive-Stopping Study');
  await ctx.pickQuickItem('Run on Slurm…');
  await ctx.pickQuickItem(dataset);
  await answer(ctx, 'Array tasks', '2');
  await answer(ctx, 'Partition', '');
  await answer(ctx, 'Time limit', '');
  await answer(ctx, 'Generic resources', '');
  await answer(ctx, 'Further sbatch options', '');
  await answer(ctx, 'Output folder', out);
}

export default defineScenario({
  name: 'slurm-run',
  timeoutMs: 240_000,
  async run(ctx) {
    const settingsFile = join(ctx.workspace, '.vscode/settings.json');
    const saved = readFileSync(settingsFile, 'utf8');
    writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(saved), 'latentTrace.slurm.offer': true, 'latentTrace.slurm.pollSeconds': 1 }, null, 2));
    const lines = readFileSync(join(ctx.workspace, 'small.jsonl'), 'utf8').split('\n').filter(Boolean);
    writeFileSync(join(ctx.workspace, 'slurm-tiny.jsonl'), `${lines.slice(0, 6).join('\n')}\n`);
    // long enough that the shards are still running when the panel's Cancel is clicked
    writeFileSync(join(ctx.workspace, 'slurm-long.jsonl'), `${Array.from({ length: 6 }, () => lines.join('\n')).join('\n')}\n`);
    const jobs = join(fakeSlurmState(ctx.workspace), 'jobs');
    const panel = () => ctx.panel();
    try {
      await ctx.page.waitForTimeout(1500); // the settings file watcher
      const cancelOut = join(ctx.workspace, '.latent-trace/reports/slurm-cancelled');
      await submitSteps(ctx, 'slurm-long.jsonl', cancelOut);
      const rows = panel().locator('[data-testid="slurm-shards"] tbody tr');
      // per-shard progress read from the shards' results files: some items of a running shard done
      await panel().locator('[data-testid="slurm-shards"] tbody tr[data-state="running"]', { hasText: /shard \d\s*running\s*[1-9]\d* of \d+/ }).first().waitFor({ timeout: 90_000 });
      const shown = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
      ctx.log('shard rows:', shown.join(' | '));
      if (shown.length !== 3 || !/^shard 0 /.test(shown[0]) || !/^shard 1 /.test(shown[1]) || !/^merge \(job \d+\) waiting/.test(shown[2])) throw new Error(`expected two shard rows and a waiting merge job, got ${shown.join(' | ')}`);
      await ctx.waitForNotification(/adaptive-stopping study: lare-shapes on slurm-long.jsonl on Slurm: adaptive-stopping study: \d of 2 shards done/, 30_000);
      await ctx.screenshot('shards-running');
      const groups = readdirSync(jobs).filter((f) => f.endsWith('.pgid')).map((f) => Number(readFileSync(join(jobs, f), 'utf8')));
      if (!groups.some((g) => liveInGroup(g).length > 0)) throw new Error('no shard process was running before the cancel');

      await panel().locator('[data-testid="cancel-run"]').click();
      await panel().locator('[data-testid="slurm-outcome"]', { hasText: /cancelled \(scancel \d+ \d+\)/ }).waitFor({ timeout: 30_000 });
      const after = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
      ctx.log('after cancel:', after.join(' | '));
      if (!after.slice(0, 2).some((t) => /cancelled/.test(t)) || !/cancelled/.test(after[2])) throw new Error(`the rows do not say cancelled: ${after.join(' | ')}`);
      const deadline = Date.now() + 15_000;
      while (groups.some((g) => liveInGroup(g).length > 0)) {
        if (Date.now() > deadline) throw new Error(`processes still running after scancel: ${groups.flatMap(liveInGroup).join(', ')}`);
        await ctx.page.waitForTimeout(250);
      }
      if (existsSync(join(cancelOut, 'steps.report.json'))) throw new Error('the cancelled study wrote a report');
      await ctx.screenshot('cancelled');
      await ctx.clearNotifications();

      await submitSteps(ctx, 'slurm-tiny.jsonl', join(ctx.workspace, '.latent-trace/reports/slurm-done'));
      await ctx.page.locator('.tab', { hasText: 'steps.report.json' }).first().waitFor({ timeout: 150_000 });
      await ctx.panel().locator('.convergence-view').waitFor({ timeout: 30_000 });
      await ctx.screenshot('report-tab');
    } finally {
      writeFileSync(settingsFile, saved);
    }
  },
});
