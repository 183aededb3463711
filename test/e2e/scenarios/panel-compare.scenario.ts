import { join } from 'node:path';
import { defineScenario } from '../scenario';
import { answerOpenDialog, attr, canvasHash, canvasStats, expect, toggleTheme, checkConsole, openSyntheticTrace } from './panel-helpers';

/**
 * Comparison: from a 6-step trace, "Compare with…" puts a 4-step trace beside it; one scrubber drives
 * both, the shorter trace holds its last step, and the convergence tab plots both. Then the palette's
 * "Compare Traces…" asks for the two traces in turn and shows the first as A.
 */
export default defineScenario({
  name: 'panel-compare',
  timeoutMs: 240_000,
  async run(ctx) {
    const { watch, dir } = await openSyntheticTrace(ctx);
    const panel = ctx.panel();
    await panel.locator('button[data-testid=compare-with]').click();
    await answerOpenDialog(ctx, join(dir, 'synthetic-disc-t4.ltrace.json'));
    await attr(ctx, '.compare-view', 'data-first-paint-ms');
    const a = await canvasStats(ctx, 'canvas[data-testid=compare-heatmap-a]');
    const b = await canvasStats(ctx, 'canvas[data-testid=compare-heatmap-b]');
    expect(a.std > 0 && b.std > 0, 'a comparison heatmap is blank');
    const before = [await canvasHash(ctx, 'canvas[data-testid=compare-heatmap-a]'), await canvasHash(ctx, 'canvas[data-testid=compare-heatmap-b]')];
    expect(before[0] !== before[1], 'the two traces draw the same heatmap');
    // one colour scale for both: the single legend's range covers both traces' own ranges
    const shared = (await attr(ctx, '.compare-view', 'data-shared-range')).split(',').map(Number);
    expect(shared.length === 2 && shared[0] < shared[1], `no shared range: ${shared}`);
    expect((await panel.locator('.compare-view .legend').count()) === 2, 'expected one shared legend and one for the difference');
    const diff = await canvasStats(ctx, 'canvas[data-testid=compare-difference]');
    expect(diff.std > 0, 'the difference map is blank');
    const diffRange = (await attr(ctx, '.compare-view', 'data-diff-range')).split(',').map(Number);
    expect(diffRange[0] === -diffRange[1] && diffRange[1] > 0, `the difference scale is not centred on 0: ${diffRange}`);
    const questions = await panel.locator('[data-testid^=compare-question]').allInnerTexts();
    expect(questions.length === 2 && questions.every((q) => /What colour is the disc\?/.test(q)), `questions not shown: ${questions}`);
    const overflow = await panel.locator('body').evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow <= 0, `the comparison scrolls sideways by ${overflow} px`);
    await ctx.screenshot('compare-shared-scale');

    const scrubber = panel.locator('input[data-testid=compare-scrubber]');
    await scrubber.focus();
    await ctx.page.keyboard.press('End');
    await panel.locator('.compare-view[data-step="5"]').waitFor({ timeout: 10_000 });
    const notes = await panel.locator('.pane .muted').allInnerTexts();
    expect(notes.some((n) => /stopped after step 4; showing its last step/.test(n)), `the shorter trace does not say it stopped: ${notes.join(' | ')}`);
    const after = await canvasHash(ctx, 'canvas[data-testid=compare-heatmap-a]');
    expect(after !== before[0], 'scrubbing did not redraw trace A');
    await ctx.screenshot('compare-dark');

    await panel.locator('.tabs button[data-tab="convergence"]').click();
    const markers = await attr(ctx, '.convergence-view', 'data-stop-markers');
    expect(/A stopped @ 6/.test(markers) && /B stopped @ 4/.test(markers), `both traces' stops should be marked: ${markers}`);
    await ctx.screenshot('compare-convergence-dark');
    await toggleTheme(ctx, 'light');
    await panel.locator('.tabs button[data-tab="comparison"]').click();
    await attr(ctx, '.compare-view', 'data-first-paint-ms');
    await ctx.screenshot('compare-light');

    // the palette asks for the two traces one dialog at a time (code-server's dialog selects one file)
    await ctx.runCommand('Latent Trace: Compare Traces…');
    await answerOpenDialog(ctx, join(dir, 'synthetic-disc-t4.ltrace.json'));
    await answerOpenDialog(ctx, join(dir, 'synthetic-disc.ltrace.json'));
    await panel.locator('.tabs button[data-tab="comparison"]').click();
    const paletteScrubber = panel.locator('input[data-testid=compare-scrubber]');
    await paletteScrubber.focus();
    await ctx.page.keyboard.press('End');
    await panel.locator('.compare-view[data-step="5"]').waitFor({ timeout: 10_000 });
    const firstPane = await panel.locator('.pane').first().innerText();
    expect(/stopped after step 4/.test(firstPane), `the palette's first choice should be trace A: ${firstPane}`);

    checkConsole(ctx, watch);
  },
});
