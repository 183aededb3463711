import { defineScenario } from '../scenario';

/** Activation is lazy and cheap: the first command activates the extension without loading onnxruntime. */
export default defineScenario({
  name: 'activation',
  async run(ctx) {
    await ctx.runCommand('Latent Trace: Show Log');
    let log = '';
    for (let i = 0; i < 50 && !/activated in/.test(log); i++) {
      await ctx.page.waitForTimeout(200);
      log = await ctx.extensionLog();
    }
    const m = /activated in ([\d.]+) ms; onnxruntime loaded: (\w+)/.exec(log);
    if (!m) throw new Error(`no activation line in the Latent Trace log:\n${log}`);
    ctx.log(`activation took ${m[1]} ms; onnxruntime loaded at activation: ${m[2]}`);
    if (m[2] !== 'no') throw new Error('activation loaded onnxruntime');
    await ctx.page.locator('.statusbar-item', { hasText: /lare|Latent Trace/i }).first().waitFor({ timeout: 30_000 });
    await ctx.screenshot('status-bar');
    // VS Code's own measurement: code loading + activate() call, shown in Running Extensions
    await ctx.runCommand('Developer: Show Running Extensions');
    const list = ctx.page.locator('.runtime-extensions-editor .monaco-list').first();
    await list.waitFor({ timeout: 30_000 });
    const row = ctx.page.locator('.runtime-extensions-editor .monaco-list-row', { hasText: /Latent Trace|latent-trace\.latent-trace/ }).first();
    // the list is virtual and sorted by activation time: scroll until our row is rendered
    await list.hover();
    for (let i = 0; i < 40 && !(await row.isVisible()); i++) await ctx.page.mouse.wheel(0, 200);
    await row.waitFor({ timeout: 10_000 });
    const text = (await row.innerText()).replace(/\s+/g, ' ');
    const measured = /Activation: (\d+)ms/.exec(text);
    if (!measured) throw new Error(`no activation time in the Running Extensions row: ${text}`);
    ctx.log(`VS Code measured the activation (code loading + activate): ${measured[1]} ms`);
    await ctx.screenshot('running-extensions');
  },
});
