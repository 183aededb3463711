import { defineScenario } from '../scenario';

/** An image open in VS Code's image preview: the editor title button "Run LaRe on Image" traces it. */
export default defineScenario({
  name: 'image-editor',
  async run(ctx) {
    const row = ctx.page.locator('.explorer-folders-view .monaco-list-row', { has: ctx.page.locator('.label-name', { hasText: 'sample.png' }) }).first();
    await row.dblclick();
    await ctx.page.locator('.tab', { hasText: 'sample.png' }).first().waitFor({ timeout: 30_000 });
    const button = ctx.page.locator('.editor-actions .action-label[aria-label*="Run LaRe on Image"]').first();
    await button.waitFor({ timeout: 30_000 });
    await ctx.page.waitForTimeout(500); // the preview draws the image after its tab appears
    await ctx.screenshot('image-preview');
    await button.click();
    await ctx.answerQuickInput('what shape is the red object?');
    const answer = ctx.panel().locator('[data-testid="answer"]');
    await answer.waitFor({ timeout: 120_000 });
    const text = (await answer.innerText()).replace(/\s+/g, ' ');
    if (!text.includes('what shape is the red object?')) throw new Error(`the panel shows another question: ${text}`);
    if (!/\[run\] .* on .*sample\.png/.test(await ctx.extensionLog())) throw new Error('the run is not the open image');
    await ctx.screenshot('traced');
  },
});
