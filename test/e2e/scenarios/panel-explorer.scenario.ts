import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineScenario } from '../scenario';
import { encodeTrace } from '../../../src/shared/trace-codec';
import { syntheticTrace } from '../../fixtures/traces/synthetic-trace';
import { attentionRow, splitRow } from '../../../webview/head-attention';
import { acceptSaveDialog, attr, checkConsole, expect, openInPanel, toggleTheme, watchConsole } from './panel-helpers';

/**
 * Issue 13's explorer views on a synthetic trace with per-head attention (4 layers x 4 heads), a logit
 * lens, ground truth from a dataset item and a vocabulary warning: the head grid of layer 2, the
 * question words highlighted by the attention of a latent step, the lens listing tokens for every step,
 * and the ground-truth box with a ✓ on the trace view. Each is checked in the DOM against the trace and
 * photographed.
 */
export default defineScenario({
  name: 'panel-explorer',
  timeoutMs: 240_000,
  async run(ctx) {
    const watch = watchConsole(ctx);
    const dir = join(ctx.workspace, 'panel-fixtures');
    mkdirSync(dir, { recursive: true });
    const trace = syntheticTrace({
      seed: 21, steps: 4, heads: 4, lens: true, groundTruth: { expected: 'red' },
      question: 'What colour is the disc? Describe the scene.', warnings: ['"describe" and "scene" are outside the vocabulary of the training questions'],
    });
    const file = join(dir, 'explorer-disc.ltrace.json');
    writeFileSync(`${file}.tmp`, encodeTrace(trace));
    renameSync(`${file}.tmp`, file);
    const panel = ctx.panel();
    await openInPanel(ctx, file);
    await attr(ctx, '.trace-view', 'data-first-paint-ms');
    await toggleTheme(ctx, 'dark');

    // ground truth: expected answer with a tick, the box drawn, each step marked
    const expected = (await panel.locator('[data-testid=expected]').textContent()) ?? '';
    expect(/Expected \(dataset\): red/.test(expected) && /✓ correct/.test(expected), `expected answer line reads "${expected}"`);
    const hits = await panel.locator('.thumb[data-hit]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.hit));
    const want = trace.steps.map((s) => String(s.windowHitsBox));
    expect(JSON.stringify(hits) === JSON.stringify(want), `window-hits marks ${hits} instead of ${want}`);
    const warn = (await panel.locator('[data-testid=input-warnings]').textContent()) ?? '';
    expect(/outside the vocabulary/.test(warn), `no visible vocabulary warning (got "${warn}")`);
    // the box's outline is drawn in #39ff88: a pixel on its left edge, halfway down, must be that green
    const bbox = trace.input.groundTruth!.bbox!;
    const edge = await panel.locator('canvas[data-testid=heatmap]').evaluate((c, b) => {
      const canvas = c as HTMLCanvasElement;
      const x = Math.round((b.box[0] / b.w) * canvas.width);
      const y = Math.round((((b.box[1] + b.box[3]) / 2) / b.h) * canvas.height);
      const d = canvas.getContext('2d')!.getImageData(x - 1, y - 6, 3, 12).data;
      let green = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 1] > 200 && d[i] < 120 && d[i + 2] < 180) green++;
      return green;
    }, { box: bbox, w: trace.input.imageWidth, h: trace.input.imageHeight });
    expect(edge >= 3, `the ground-truth box's left edge is not drawn (${edge} green pixels)`);
    await ctx.screenshot('bbox-correct');

    // the head grid of layer 2: four heads, each peaking on its own patch
    await panel.locator('.tabs [data-tab=attention]').click();
    await panel.locator('.attention-view[data-ready=true]').waitFor({ timeout: 30_000 });
    await panel.locator('[data-testid=attn-layer]').selectOption('1');
    await panel.locator('.attention-view[data-layer="1"]').waitFor({ timeout: 10_000 });
    const cells = panel.locator('[data-testid=head-grid] .head-cell');
    expect((await cells.count()) === 4, `the head grid shows ${await cells.count()} heads, not 4`);
    const hashes = await cells.locator('canvas').evaluateAll((cs) => cs.map((c) => (c as HTMLCanvasElement).toDataURL().length + ':' + (c as HTMLCanvasElement).toDataURL().slice(-64)));
    expect(new Set(hashes).size === 4, 'two small multiples of layer 2 look the same');
    await ctx.screenshot('head-grid-layer2');

    // text side: latent step 2's attention over the question words, heaviest word highlighted most
    const source = trace.headAttention!.sources.findIndex((s) => s.kind === 'latent' && s.index === 2);
    await panel.locator('[data-testid=attn-source]').selectOption(String(source));
    await panel.locator('[data-testid=attn-head]').selectOption('mean');
    await panel.locator('[data-testid=attn-target]').selectOption('text');
    await panel.locator('.attention-view[data-target=text]').waitFor({ timeout: 10_000 });
    const weights = await panel.locator('[data-testid=attn-text] .attn-token').evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.weight)));
    const ha = trace.headAttention!;
    const expectWeights = splitRow(attentionRow(ha, source, 1, 'mean'), ha, ha.sources[source]).question;
    expect(weights.length === expectWeights.length && weights.every((w, i) => Math.abs(w - expectWeights[i]) < 1e-5),
      `question-word weights ${weights} differ from the trace's ${Array.from(expectWeights)}`);
    await ctx.screenshot('text-attention');

    // the latent lens: a token list for every step
    await panel.locator('.tabs [data-tab=lens]').click();
    await panel.locator('.lens-view[data-ready=true]').waitFor({ timeout: 30_000 });
    const kind = (await panel.locator('[data-testid=lens-kind]').textContent()) ?? '';
    expect(/^Plain logit lens/.test(kind), `lens label reads "${kind}"`);
    const lists = await panel.locator('[data-testid=lens-steps] .lens-step').evaluateAll((els) => els.map((e) => e.querySelectorAll('.lens-tokens li').length));
    expect(lists.length === 4 && lists.every((n) => n === 5), `lens token lists per step: ${lists}`);
    const top = await panel.locator('[data-testid=lens-steps] .lens-step .lens-tokens li:first-child .lens-token').allTextContents();
    const wantTop = trace.steps.map((s) => s.lens![s.lens!.length - 1].tokens[0].text);
    expect(JSON.stringify(top) === JSON.stringify(wantTop), `top lens tokens ${top} instead of ${wantTop}`);
    await ctx.screenshot('latent-lens');

    // the convergence charts export as vector SVG (paths from the data, no raster), and a toast offers Reveal
    await panel.locator('.tabs [data-tab=convergence]').click();
    await attr(ctx, '.convergence-view', 'data-stop-markers');
    const svgFile = join(dir, 'synthetic-disc-convergence.svg');
    await panel.locator('.exports button[data-export="svg"]').click();
    await acceptSaveDialog(ctx, 'synthetic-disc-convergence.svg');
    for (let i = 0; i < 50 && !existsSync(svgFile); i++) await ctx.page.waitForTimeout(200);
    expect(existsSync(svgFile), 'the SVG export was not written');
    const svg = readFileSync(svgFile, 'utf8');
    const lines = (svg.match(/<path data-series="[^"]+" d="M/g) ?? []).length;
    expect(svg.startsWith('<svg') && lines >= 3 && !/<image|data:image/.test(svg), `the SVG has ${lines} series paths or embeds a raster`);
    const toast = await ctx.waitForNotification(/exported synthetic-disc-convergence\.svg/);
    expect(/Reveal/.test(await ctx.page.locator('.notifications-toasts').innerText()), `the export toast has no Reveal: ${toast}`);
    await ctx.screenshot('svg-export-toast');
    checkConsole(ctx, watch);
  },
});
