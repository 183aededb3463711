import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineScenario } from '../scenario';

/**
 * Malformed input from the UI gives a specific notification and a log entry, never an unhandled
 * rejection (the harness fails a scenario on any): a dismissed question box, an image that does not
 * decode, a dataset with broken lines, a model folder without a manifest.
 */
export default defineScenario({
  name: 'malformed-input',
  timeoutMs: 240_000,
  async run(ctx) {
    await ctx.rightClick('sample.png', 'Run LaRe on Image');
    await ctx.dismissQuickInput();
    ctx.log('dismissed:', await ctx.waitForNotification(/no question asked about sample\.png/));
    await ctx.clearNotifications();

    await ctx.rightClick('corrupt.png', 'Run LaRe on Image');
    await ctx.answerQuickInput('what color is the square?');
    const decode = await ctx.waitForNotification(/corrupt\.png: not an image/, 120_000);
    ctx.log('undecodable image:', decode);
    await ctx.screenshot('corrupt-image');
    await ctx.clearNotifications();

    await ctx.runCommand('Latent Trace: Run Adaptive-Stopping Study');
    await ctx.pickQuickItem('broken.jsonl');
    const broken = await ctx.waitForNotification(/broken\.jsonl:\d+/, 60_000);
    ctx.log('dataset with broken lines:', broken);
    await ctx.screenshot('broken-dataset');
    await ctx.clearNotifications();

    const settingsFile = join(ctx.workspace, '.vscode/settings.json');
    const original = existsSync(settingsFile) ? readFileSync(settingsFile, 'utf8') : undefined;
    try {
      writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(original ?? '{}'), 'latentTrace.modelPath': 'not-a-model' }));
      await ctx.page.waitForTimeout(1500); // the configuration file watcher
      await ctx.rightClick('sample.png', 'Run LaRe on Image');
      const noManifest = await ctx.waitForNotification(/has no latent-trace\.json/);
      ctx.log('model folder without manifest:', noManifest);
      if (!noManifest.includes('not-a-model')) throw new Error(`the notification does not name the folder: ${noManifest}`);
      await ctx.screenshot('no-manifest');
    } finally {
      if (original === undefined) writeFileSync(settingsFile, '{}');
      else writeFileSync(settingsFile, original);
    }
    const log = await ctx.extensionLog();
    for (const expected of [/no question asked about sample\.png/, /corrupt\.png: not an image/, /broken\.jsonl:\d+/, /has no latent-trace\.json/]) {
      if (!expected.test(log)) throw new Error(`the Latent Trace log has no entry matching ${expected}`);
    }
  },
});
