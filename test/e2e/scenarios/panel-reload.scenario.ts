import { defineScenario } from '../scenario';
import { attr, expect, webviewHostFrame, toggleTheme, checkConsole, openSyntheticTrace } from './panel-helpers';

/**
 * The panel survives a window reload (serializer + webview state: same trace, same step), a
 * malformed message from the webview is rejected and logged.
 */
export default defineScenario({
  name: 'panel-reload',
  timeoutMs: 240_000,
  async run(ctx) {
    const { watch } = await openSyntheticTrace(ctx);
    const panel = ctx.panel();
    // console errors are told apart by URL: the app's own assets must be under a /webview/ path
    const script = await panel.locator('script[nonce]').getAttribute('src');
    expect(/\/webview\//.test(script ?? ''), `the panel script is served from ${script}, outside /webview/`);
    await panel.locator('.thumb[data-step="3"]').click();
    await attr(ctx, '.trace-view[data-step="3"]', 'data-step');

    // a message no guard accepts, posted through VS Code's own webview channel
    await webviewHostFrame(ctx).evaluate(() => {
      const post = (window as unknown as Record<string, (channel: string, data: unknown) => void>).__vscode_post_message__;
      post('onmessage', { message: { type: 'export', requestId: 1, format: 'png', suggestedName: '../../outside.png', bytes: 'not bytes' }, transfer: [] });
    });
    const rejected = await attr(ctx, 'body', 'data-protocol-error');
    expect(/suggestedName: must be a plain file name/.test(rejected), `the panel shows no rejection: ${rejected}`);
    let log = '';
    for (let i = 0; i < 50 && !/rejected a malformed message/.test(log); i++) {
      await ctx.page.waitForTimeout(200);
      log = await ctx.extensionLog();
    }
    expect(/rejected a malformed message from the webview: message\.suggestedName/.test(log), 'the rejection is not in the extension log');

    await ctx.reloadWindow();
    const restored = ctx.panel();
    await restored.locator('.trace-view[data-step="3"]').waitFor({ timeout: 60_000 });
    await attr(ctx, '.trace-view', 'data-first-paint-ms');
    log = await ctx.extensionLog();
    expect(/restored after reload \(trace\)/.test(log), 'the serializer did not log the restore');
    await ctx.screenshot('restored');

    await toggleTheme(ctx, 'light');
    checkConsole(ctx, watch);
  },
});
