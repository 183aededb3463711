import { defineScenario } from '../scenario';
import { expect, toggleTheme, watchConsole, checkConsole } from './panel-helpers';

/**
 * A long run (the adaptive-stopping study over the 300-item sample dataset) shows its progress in the
 * panel, and the panel's Cancel button stops it: the bar goes away and the log names the cancel.
 */
export default defineScenario({
  name: 'panel-progress',
  timeoutMs: 240_000,
  async run(ctx) {
    const watch = watchConsole(ctx);
    await ctx.runCommand('Latent Trace: Run Adaptive-Stopping Study');
    await ctx.pickQuickItem('samples.jsonl');
    const panel = ctx.panel();
    const progress = panel.locator('[data-testid=progress]');
    await progress.waitFor({ state: 'visible', timeout: 60_000 });
    await toggleTheme(ctx, 'dark');
    const bar = panel.locator('[data-testid=progress] progress');
    let value = 0;
    for (let i = 0; i < 300 && !(value > 0.02); i++) {
      await ctx.page.waitForTimeout(200);
      value = Number((await bar.getAttribute('value')) ?? 0);
    }
    const label = await panel.locator('.progress-label').innerText();
    ctx.log(`progress in the panel: ${label} (${(value * 100).toFixed(1)}%)`);
    expect(value > 0.02 && /item \d+ of 300/.test(label), `no item progress reached the panel: "${label}" at ${value}`);
    await ctx.screenshot('running');
    await panel.locator('[data-testid=cancel-run]').click();
    await progress.waitFor({ state: 'hidden', timeout: 60_000 });
    let log = '';
    for (let i = 0; i < 50 && !/cancelled from the panel/.test(log); i++) {
      await ctx.page.waitForTimeout(200);
      log = await ctx.extensionLog();
    }
    expect(/cancelled from the panel/.test(log), 'the extension log does not record the cancel');
    await ctx.screenshot('cancelled');
    await toggleTheme(ctx, 'light');
    checkConsole(ctx, watch);
  },
});
