import { defineScenario } from '../scenario';

/** Explorer right-click on a sample PNG → Run LaRe on Image → question → answer and step heatmaps in the panel. */
export default defineScenario({
  name: 'run-on-image',
  async run(ctx) {
    await ctx.rightClick('sample.png', 'Run LaRe on Image');
    await ctx.answerQuickInput('what color is the square?');
    const panel = ctx.panel();
    const answer = panel.locator('[data-testid="answer"]');
    await answer.waitFor({ timeout: 120_000 });
    const answerText = (await answer.innerText()).replace(/\s+/g, ' ').trim();
    ctx.log(`answer section: ${answerText}`);
    if (!answerText) throw new Error('the answer section is empty');
    const heatmap = panel.locator('[data-testid="heatmap"]').first();
    await heatmap.waitFor({ timeout: 30_000 });
    const size = await heatmap.evaluate((c: HTMLCanvasElement) => ({ w: c.width, h: c.height }));
    if (size.w < 16 || size.h < 16) throw new Error(`the step heatmap canvas is ${size.w}x${size.h}`);
    await ctx.screenshot('step-1');
    const scrubber = panel.locator('[data-testid="scrubber"]');
    const max = Number(await scrubber.getAttribute('max'));
    if (!(max >= 1)) throw new Error(`the step scrubber has max=${max}`);
    await scrubber.fill(String(max));
    const label = await panel.locator('[data-testid="step-label"]').innerText();
    ctx.log(`scrubbed to the last step: ${label}`);
    await ctx.screenshot('last-step');
    const traces = (await ctx.results()).filter((f) => f.startsWith('traces/') && f.endsWith('.ltrace.json'));
    if (traces.length === 0) throw new Error('no trace written under .latent-trace/traces/');
    const log = await ctx.extensionLog();
    if (!/\[run\] answer "/.test(log)) throw new Error(`the log has no answer line:\n${log}`);
  },
});
