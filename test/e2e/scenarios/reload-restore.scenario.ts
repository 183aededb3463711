import { defineScenario } from '../scenario';

/** The walkthrough's sample run shows a trace; after Developer: Reload Window the panel comes back with it. */
export default defineScenario({
  name: 'reload-restore',
  async run(ctx) {
    await ctx.runCommand('Latent Trace: Run the Bundled Sample');
    const answer = () => ctx.panel().locator('[data-testid="answer"]');
    await answer().waitFor({ timeout: 120_000 });
    const before = (await answer().innerText()).replace(/\s+/g, ' ').trim();
    await ctx.screenshot('before-reload');
    await ctx.reloadWindow();
    await ctx.page.locator('.tab', { hasText: 'Latent Trace' }).first().waitFor({ timeout: 60_000 });
    await answer().waitFor({ timeout: 60_000 });
    const after = (await answer().innerText()).replace(/\s+/g, ' ').trim();
    ctx.log(`restored answer section: ${after.slice(0, 120)}`);
    if (!after.includes('Answer') || after.split('Time')[0] !== before.split('Time')[0]) {
      throw new Error(`the restored panel differs:\nbefore: ${before}\nafter:  ${after}`);
    }
    await ctx.screenshot('after-reload');
  },
});
