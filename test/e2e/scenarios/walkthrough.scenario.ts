import { defineScenario } from '../scenario';

/** Welcome: Open Walkthrough → "Get started with Latent Trace" → "Run the sample" shows a trace in the panel. */
export default defineScenario({
  name: 'walkthrough',
  async run(ctx) {
    await ctx.runCommand('Welcome: Open Walkthrough...');
    await ctx.pickQuickItem('Get started with Latent Trace');
    const link = ctx.page.locator('.gettingStartedContainer a, .gettingStartedContainer .button-link', { hasText: 'Run the sample' }).first();
    await link.waitFor({ timeout: 30_000 });
    await ctx.screenshot('walkthrough');
    await link.click();
    await ctx.panel().locator('[data-testid="answer"]').waitFor({ timeout: 120_000 });
    await ctx.screenshot('sample-trace');
  },
});
