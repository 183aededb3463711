import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { defineScenario } from '../scenario';

const bundledModels = (repo: string) =>
  existsSync(join(repo, 'models')) ? readdirSync(join(repo, 'models')).filter((d) => existsSync(join(repo, 'models', d, 'latent-trace.json'))) : [];

/**
 * Restricted Mode: the model picker lists the workspace's bundles as blocked, choosing one is refused,
 * choosing a bundled one takes effect (saved in the user settings), and the bundled models still run.
 */
export default defineScenario({
  name: 'untrusted-workspace',
  trusted: false,
  async run(ctx) {
    await ctx.page.locator('.statusbar-item', { hasText: /Restricted Mode/ }).first().waitFor({ timeout: 30_000 });
    await ctx.runCommand('Latent Trace: Select Model…');
    const blocked = ctx.page.locator('.quick-input-list .monaco-list-row', { hasText: 'blocked in Restricted Mode' });
    await blocked.first().waitFor({ timeout: 30_000 });
    await ctx.screenshot('picker');
    await ctx.pickQuickItem('lare-tiny');
    const refusal = await ctx.waitForNotification(/Restricted Mode/);
    ctx.log('refused:', refusal);
    if (!refusal.includes('lare-tiny')) throw new Error(`the refusal does not name the workspace model: ${refusal}`);
    await ctx.page.waitForTimeout(500); // the toast fades in
    await ctx.screenshot('refused');
    const log = await ctx.extensionLog();
    if (!/Restricted Mode: the workspace is not trusted/.test(log)) throw new Error('the refusal is not in the Latent Trace log');
    await ctx.clearNotifications();
    if (bundledModels(ctx.repo).length === 0) {
      ctx.log('models/ holds no bundled model yet: the bundled-model half of this scenario has nothing to run');
      return;
    }
    // choosing a bundled model takes effect although the workspace settings are ignored in Restricted Mode
    const other = bundledModels(ctx.repo).find((m) => m.startsWith('lvr'));
    if (other) {
      await ctx.runCommand('Latent Trace: Select Model…');
      await ctx.pickQuickItem(other);
      await ctx.page.locator('.statusbar-item', { hasText: other }).first().waitFor({ timeout: 30_000 });
      if (!/saved in the user settings/.test(await ctx.extensionLog())) throw new Error('the Restricted Mode model choice was not saved in the user settings');
    }
    // the bundled models still run in Restricted Mode
    await ctx.runCommand('Latent Trace: Run the Bundled Sample');
    await ctx.panel().locator('[data-testid="answer"]').waitFor({ timeout: 120_000 });
    await ctx.screenshot('bundled-model-runs');
  },
});
