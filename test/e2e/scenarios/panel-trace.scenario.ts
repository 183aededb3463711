import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineScenario } from '../scenario';
import { acceptSaveDialog, attr, canvasHash, canvasStats, expect, openInPanel, toggleTheme, checkConsole, openSyntheticTrace } from './panel-helpers';

/**
 * The trace view of a 1024 px synthetic trace (16x16 grid, 6 steps): each step's heatmap differs,
 * reconstructions and window crops are drawn, settings redraw, hover names the patch, the first paint
 * and the scrubbing redraws are timed, the convergence chart marks the stops, and a CSV export lands.
 */
export default defineScenario({
  name: 'panel-trace',
  timeoutMs: 240_000,
  async run(ctx) {
    const { watch, dir, firstPaintMs: firstPaint } = await openSyntheticTrace(ctx);
    const panel = ctx.panel();
    const steps = Number(await attr(ctx, '.trace-view', 'data-steps'));
    expect(steps === 6, `expected 6 steps, the view says ${steps}`);
    const stage = await canvasStats(ctx, 'canvas[data-testid=heatmap]');
    expect(stage.width === 1024, `the heatmap canvas is ${stage.width} px wide, not the image's 1024`);

    // every step's heatmap is its own: the canvas differs for each step
    const hashes: string[] = [];
    for (let i = 0; i < steps; i++) {
      await panel.locator(`.thumb[data-step="${i}"]`).click();
      await attr(ctx, `.trace-view[data-step="${i}"]`, 'data-step');
      hashes.push(await canvasHash(ctx, 'canvas[data-testid=heatmap]'));
      const recon = await canvasStats(ctx, 'canvas[data-testid=reconstruction]');
      const crop = await canvasStats(ctx, 'canvas[data-testid=window-crop]');
      expect(recon.std > 5 && crop.std > 5, `step ${i + 1}: reconstruction (std ${recon.std.toFixed(1)}) or window crop (std ${crop.std.toFixed(1)}) is blank`);
    }
    expect(new Set(hashes).size === steps, `some steps draw the same heatmap: ${hashes.join(' ')}`);
    await ctx.screenshot('trace-dark');

    // settings apply at once: another colour map and layer change the pixels
    const before = await canvasHash(ctx, 'canvas[data-testid=heatmap]');
    await panel.locator('label.control', { hasText: 'Colour map' }).locator('select').selectOption('magma');
    const afterColour = await canvasHash(ctx, 'canvas[data-testid=heatmap]');
    await panel.locator('label.control', { hasText: /^Layer/ }).locator('select').selectOption('extractorAttention');
    const afterLayer = await canvasHash(ctx, 'canvas[data-testid=heatmap]');
    expect(before !== afterColour && afterColour !== afterLayer, 'changing the colour map or the layer did not redraw the heatmap');
    await ctx.screenshot('trace-extractor-magma');
    await panel.locator('label.control', { hasText: /^Layer/ }).locator('select').selectOption('saliency');

    // hover names the patch under the cursor
    const canvas = panel.locator('canvas[data-testid=heatmap]');
    const box = await canvas.boundingBox();
    if (!box) throw new Error('heatmap canvas has no box');
    await canvas.hover({ position: { x: box.width * (5.5 / 16), y: box.height * (2.5 / 16) } });
    const tip = await panel.locator('.tooltip').innerText();
    expect(/patch 37 \(row 2, col 5\)/.test(tip), `hover tooltip does not name patch 37: "${tip}"`);

    // scrubbing with the keyboard: each redraw within one frame
    await canvas.focus();
    for (let i = 0; i < 24; i++) await ctx.page.keyboard.press('ArrowRight');
    const scrubs = (await attr(ctx, '.trace-view', 'data-scrub-ms')).split(' ').map(Number).sort((x, y) => x - y);
    const p95 = scrubs[Math.ceil(scrubs.length * 0.95) - 1];
    const median = scrubs[Math.floor(scrubs.length / 2)];
    ctx.log(`${scrubs.length} scrub redraws: median ${median} ms, p95 ${p95} ms, max ${scrubs.at(-1)} ms`);
    expect(scrubs.length === 30, `expected 30 scrub redraws, measured ${scrubs.length}`);
    // the first paint, measured on three deliveries of the trace; the median faces the budget, because the
    // two cores here are shared with training and other test suites and one sample can catch a busy moment
    const paints = [firstPaint];
    for (let i = 0; i < 2; i++) {
      await panel.locator('.trace-view').evaluate((el) => ((el as HTMLElement).dataset.old = 'yes'));
      await openInPanel(ctx, join(dir, 'synthetic-disc.ltrace.json'));
      paints.push(Number(await attr(ctx, '.trace-view:not([data-old])', 'data-first-paint-ms')));
    }
    paints.sort((x, y) => x - y);
    ctx.log(`first paint over three deliveries: ${paints.map((p) => p.toFixed(1)).join(', ')} ms`);
    expect(paints[1] < 300, `first paint median ${paints[1]} ms (budget 300 ms)`);
    // p95, not max: this machine's two cores are shared with a training job, and one GC pause is not the panel
    expect(p95 < 16, `scrub redraws p95 ${p95} ms (budget one frame, 16 ms)`);
    const log = await ctx.extensionLog();
    expect(/\[perf\] first-paint/.test(log) && /\[perf\] scrub/.test(log), 'the perf messages did not reach the extension log');

    // convergence: one chart per metric, the cosine stop marked (the trace stopped by a cosine rule)
    await panel.locator('.tabs button[data-tab="convergence"]').click();
    const markers = await attr(ctx, '.convergence-view', 'data-stop-markers');
    expect(/cosine:cosine stop @ \d/.test(markers) && /stopped @ 6/.test(markers), `stop markers missing: ${markers}`);
    for (const m of ['cosine', 'l1', 'l2']) {
      const c = await canvasStats(ctx, `canvas[data-testid=convergence-${m}]`);
      expect(c.std > 0, `the ${m} chart is blank`);
    }
    // any metric's rule can be asked: an L2 threshold of 0.5 stops at step 5 (d5 = 0.24 after d4 = 0.54)
    await panel.locator('input[data-threshold="l2"]').fill('0.5');
    await panel.locator('input[data-threshold="l2"]').press('Tab');
    const withL2 = await attr(ctx, '.convergence-view', 'data-stop-markers');
    expect(/l2:l2 stop @ 5\b/.test(withL2), `no L2 stop marker at step 5: ${withL2}`);
    await ctx.screenshot('convergence-dark');

    // CSV export through the save dialog, accepting the suggested name beside the trace file
    const target = join(ctx.workspace, 'panel-fixtures', 'synthetic-disc-convergence.csv');
    await panel.locator('.exports button[data-export="csv"]').click();
    await acceptSaveDialog(ctx, 'synthetic-disc-convergence.csv');
    for (let i = 0; i < 50 && !existsSync(target); i++) await ctx.page.waitForTimeout(200);
    expect(existsSync(target), 'the CSV export was not written');
    const csv = readFileSync(target, 'utf8');
    expect(csv.startsWith('step,window_row,window_col,window_size,cosine,l1,l2\r\n') && csv.trim().split('\r\n').length === 7, `unexpected CSV:\n${csv.slice(0, 300)}`);

    await toggleTheme(ctx, 'light');
    await ctx.screenshot('convergence-light');
    await panel.locator('.tabs button[data-tab="trace"]').click();
    await attr(ctx, '.trace-view', 'data-first-paint-ms');
    await ctx.screenshot('trace-light');

    // PNG and SVG of the heatmap at the current step (6), named after the image and the step
    for (const [format, magic] of [['png', '\x89PNG'], ['svg', '<svg']] as const) {
      const file = join(ctx.workspace, 'panel-fixtures', `synthetic-disc-step6.${format}`);
      await panel.locator(`.exports button[data-export="${format}"]`).click();
      await acceptSaveDialog(ctx, `synthetic-disc-step6.${format}`);
      for (let i = 0; i < 50 && !existsSync(file); i++) await ctx.page.waitForTimeout(200);
      expect(existsSync(file), `the ${format} export was not written`);
      const head = readFileSync(file).subarray(0, 4).toString('latin1');
      expect(head === magic, `the ${format} export starts with ${JSON.stringify(head)}`);
    }

    checkConsole(ctx, watch);
  },
});
