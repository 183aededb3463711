import { mkdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineScenario } from '../scenario';
import { openInPanel } from './panel-helpers';

/**
 * Trace files built to hurt the extension host: a 2 GB one (sparse) is refused by its size before a
 * byte is read, one nested 5,000 levels deep is a format error instead of a stack overflow. Each gives a
 * notification naming the file, and the host stays responsive: the panel still opens afterwards.
 */
export default defineScenario({
  name: 'hostile-traces',
  async run(ctx) {
    const dir = join(ctx.workspace, 'hostile-traces');
    mkdirSync(dir, { recursive: true });
    const big = join(dir, 'big.ltrace.json');
    const deep = join(dir, 'deep.ltrace.json');
    try {
      writeFileSync(big, '');
      truncateSync(big, 2 * 1024 ** 3);
      writeFileSync(deep, `{"format":"latent-trace/trace","version":1,"model":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`);

      await openInPanel(ctx, big);
      ctx.log('2 GB trace:', await ctx.waitForNotification(/big\.ltrace\.json: the file is 2048 MiB, more than the 256 MiB a trace may be/, 60_000));
      await ctx.screenshot('too-large');
      await ctx.clearNotifications();

      await openInPanel(ctx, deep);
      ctx.log('deep trace:', await ctx.waitForNotification(/deep\.ltrace\.json: .*nested deeper than 64 levels/, 60_000));
      await ctx.clearNotifications();

      await ctx.runCommand('Latent Trace: Open Panel');
      await ctx.page.locator('.tab', { hasText: 'Latent Trace' }).first().waitFor({ timeout: 30_000 });
      const log = await ctx.extensionLog();
      if (/Maximum call stack|RangeError|ERR_FS_FILE_TOO_LARGE/.test(log)) throw new Error('the host hit a limit instead of refusing the file');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
});
