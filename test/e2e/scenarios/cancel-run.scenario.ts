import { spawnSync } from 'node:child_process';
import { defineScenario } from '../scenario';

/**
 * A long run (the adaptive-stopping study over the 300-item sample dataset) is cancelled from its
 * progress notification: the run stops, says so, writes no report, the panel's progress bar goes away,
 * its worker processes are gone, and the extension host still answers commands.
 */
export default defineScenario({
  name: 'cancel-run',
  timeoutMs: 240_000,
  async run(ctx) {
    await ctx.runCommand('Latent Trace: Run Adaptive-Stopping Study');
    await ctx.pickQuickItem('samples.jsonl');
    await ctx.waitForNotification(/adaptive-stopping study.*item \d+ of 300/i, 120_000);
    await ctx.page.locator('.tab', { hasText: 'Latent Trace' }).first().waitFor({ timeout: 30_000 });
    await ctx.panel().locator('[data-testid="progress"]').waitFor({ timeout: 30_000 });
    await ctx.screenshot('running');
    await ctx.clickNotificationButton(/adaptive-stopping study/i, 'Cancel');
    const cancelled = await ctx.waitForNotification(/Adaptive-Stopping Study cancelled/, 60_000);
    ctx.log('after cancel:', cancelled);
    await ctx.panel().locator('[data-testid="progress"]').waitFor({ state: 'hidden', timeout: 30_000 });
    await ctx.screenshot('cancelled');
    const reports = (await ctx.results()).filter((f) => f.includes('steps') && f.endsWith('.report.json'));
    if (reports.length) throw new Error(`a cancelled run wrote ${reports.join(', ')}`);
    const log = await ctx.extensionLog();
    if (!/Adaptive-Stopping Study: cancelled/.test(log)) throw new Error('the cancel is not in the Latent Trace log');
    // the study ran on worker processes (one per core), killed by the cancel before the run ended; the
    // extension host must be alive, so a command that needs it still answers
    if (spawnSync('pgrep', ['-f', 'dataset-worker\\.js']).status === 0) throw new Error('a dataset worker process outlived the cancelled study');
    await ctx.runCommand('Latent Trace: Select Model…');
    await ctx.page.locator('.quick-input-list .monaco-list-row', { hasText: 'lare-shapes' }).first().waitFor({ timeout: 30_000 });
    await ctx.page.keyboard.press('Escape');
  },
});
