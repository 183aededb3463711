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
    // The walkthrough's markdown step is an extension webview too, visible beside the panel, and may come after
    // it in the DOM: look for the answer in every frame instead of in the last extension webview.
    const deadline = Date.now() + 120_000;
    const answerShown = async () => {
      for (const frame of ctx.page.frames()) if (await frame.locator('[data-testid="answer"]').isVisible().catch(() => false)) return true;
      return false;
    };
    while (!(await answerShown())) {
      if (Date.now() > deadline) throw new Error('the panel showed no answer within 120 s of "Run the sample"');
      await ctx.page.waitForTimeout(500);
    }
    // opened beside the walkthrough's own webview, the panel's script sometimes fails to load (VS Code for the
    // Web's resource worker) and the session loads the app again: say when that was needed
    const reloads = (await ctx.extensionLog()).split('\n').filter((l) => /the panel app did not start/.test(l));
    if (reloads.length) ctx.log('the panel app was loaded again:', reloads.map((l) => l.replace(/^.*\] \[/, '[')).join(' | '));
    await ctx.screenshot('sample-trace');
  },
});
