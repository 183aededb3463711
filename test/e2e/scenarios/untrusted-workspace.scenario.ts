import { defineScenario } from '../scenario';

/** Restricted Mode: the model picker lists the workspace's bundle as blocked, and choosing it is refused. */
export default defineScenario({
  name: 'untrusted-workspace',
  trusted: false,
  async run(ctx) {
    await ctx.page.locator('.statusbar-item', { hasText: /Restricted Mode/ }).first().waitFor({ timeout: 30_000 });
    await ctx.runCommand('Latent Trace: Select Model…');
    await ctx.page.locator('.quick-input-list .monaco-list-row', { hasText: 'blocked in Restricted Mode' }).first().waitFor({ timeout: 30_000 });
    await ctx.screenshot('picker');
    await ctx.pickQuickItem('blocked in Restricted Mode');
    const refusal = await ctx.waitForNotification(/Restricted Mode/);
    ctx.log('refused:', refusal);
    if (!refusal.includes('lare-tiny')) throw new Error(`the refusal does not name the workspace model: ${refusal}`);
    await ctx.screenshot('refused');
    const log = await ctx.extensionLog();
    if (!/Restricted Mode: the workspace is not trusted/.test(log)) throw new Error('the refusal is not in the Latent Trace log');
  },
});
