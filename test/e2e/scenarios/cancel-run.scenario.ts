import { defineScenario } from '../scenario';

/**
 * A long run (the adaptive-stopping study over the 300-item sample dataset) is cancelled from its
 * progress notification: the run stops, says so, writes no report, the panel's progress bar goes away,
 * and the extension host (whose worker threads ran the items) still answers commands.
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
    // the study ran on worker threads (one per core): cancelling must leave the extension host alive,
    // so a command that needs it still answers
    await ctx.runCommand('Latent Trace: Select Model…');
    await ctx.page.locator('.quick-input-list .monaco-list-row', { hasText: 'lare-shapes' }).first().waitFor({ timeout: 30_000 });
    await ctx.page.keyboard.press('Escape');
  },
});
