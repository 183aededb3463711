import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineScenario, type ScenarioContext } from '../scenario';
import { encodeTrace } from '../../../src/shared/trace-codec';
import type { Trace } from '../../../src/shared/trace';
import { llavaTrace, realSizeTrace } from '../../fixtures/traces/synthetic-trace';
import { WHOLE_IMAGE, type GridRegion } from '../../../src/shared/trace-region';
import { colorMapLut } from '../../../webview/colormap';
import { rangeOf, toUnit } from '../../../webview/normalise';
import { answerOpenDialog, attr, canvasHash, checkConsole, expect, openInPanel, watchConsole } from './panel-helpers';

/**
 * The panel at the size of a converted Qwen2.5-VL checkpoint: 26x46 and 46x26 grids (1,196 visual
 * tokens) over 1288x728 and 728x1288 images, 28 decoder layers, T=32 and T=4, a byte-level BPE answer.
 * Every patch's colour is read back from the canvas at its centre and checked against the trace, on both
 * orientations, so swapped rows and columns fail. The first paint (message receipt to the first frame,
 * measured inside the webview) is taken on three deliveries of the T=32 trace.
 */

const FIRST_PAINT_BUDGET_MS = 300;

function writeTrace(dir: string, name: string, trace: Trace): string {
  const file = join(dir, name);
  writeFileSync(`${file}.tmp`, encodeTrace(trace));
  renameSync(`${file}.tmp`, file);
  return file;
}

/** Sets the heatmap controls through the DOM the user touches. */
async function setControl(ctx: ScenarioContext, label: string, value: string): Promise<void> {
  await ctx.panel().locator('.trace-view label.control', { hasText: new RegExp(`^${label}`) }).locator('select').selectOption(value);
}

async function setOpacity(ctx: ScenarioContext, value: number): Promise<void> {
  await ctx.panel().locator('.trace-view input[aria-label="Heatmap opacity"]').evaluate((el, v) => {
    const input = el as HTMLInputElement;
    input.value = String(v);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
  // the colours are checked against the colour map itself: no fading of low values
  const fade = ctx.panel().locator('.trace-view input[data-testid=fade]');
  if (await fade.isChecked()) await fade.uncheck();
}

/** RGB at the centre of every patch of the stage canvas, row-major; the grid spans `region` of the image. */
async function patchColours(ctx: ScenarioContext, rows: number, cols: number, region: GridRegion = WHOLE_IMAGE): Promise<{ rgb: number[]; width: number; height: number }> {
  return ctx.panel().locator('canvas[data-testid=heatmap]').evaluate((c, g) => {
    const canvas = c as HTMLCanvasElement;
    const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    const rgb: number[] = [];
    for (let r = 0; r < g.rows; r++) {
      for (let k = 0; k < g.cols; k++) {
        const x = Math.floor((g.region.x + ((k + 0.5) / g.cols) * g.region.width) * canvas.width);
        const y = Math.floor((g.region.y + ((r + 0.5) / g.rows) * g.region.height) * canvas.height);
        const o = (y * canvas.width + x) * 4;
        rgb.push(d[o], d[o + 1], d[o + 2]);
      }
    }
    return { rgb, width: canvas.width, height: canvas.height };
  }, { rows, cols, region });
}

/** How many patches the canvas shows in a colour other than the colour map's colour of the trace's value. */
function wrongPatches(values: Float32Array, rgb: number[]): number {
  const lut = colorMapLut('viridis');
  const range = rangeOf([values])!;
  let wrong = 0;
  for (let i = 0; i < values.length; i++) {
    const k = Math.round(toUnit(values[i], range) * 255) * 3;
    if ([0, 1, 2].some((c) => Math.abs(rgb[i * 3 + c] - lut[k + c]) > 2)) wrong++;
  }
  return wrong;
}

/** The drawn heatmap equals the trace's values patch by patch, the canvas keeps the image's aspect. */
async function checkStage(ctx: ScenarioContext, trace: Trace, step: number): Promise<void> {
  const { rows, cols } = trace.input.grid;
  const aspect = trace.input.imageWidth / trace.input.imageHeight;
  const grid = await attr(ctx, '.trace-view', 'data-grid');
  expect(grid === `${rows}x${cols}`, `the view says grid ${grid}, the trace ${rows}x${cols}`);
  const caption = await ctx.panel().locator('[data-testid=grid-caption]').innerText();
  expect(caption.includes(`${rows} rows × ${cols} cols`) && caption.includes(`${(rows * cols).toLocaleString('en')} visual tokens`), `grid caption: "${caption}"`);
  const shown = await patchColours(ctx, rows, cols, trace.input.gridRegion);
  expect(Math.abs(shown.width / shown.height / aspect - 1) < 0.01, `canvas ${shown.width}x${shown.height} has not the image's aspect ${aspect.toFixed(3)}`);
  const box = await ctx.panel().locator('canvas[data-testid=heatmap]').boundingBox();
  expect(box && Math.abs(box.width / box.height / aspect - 1) < 0.02, `the canvas is shown at ${box?.width}x${box?.height} px, not in the image's aspect`);
  const values = trace.steps[step].saliency;
  const wrong = wrongPatches(values, shown.rgb);
  expect(wrong === 0, `${wrong} of ${rows * cols} patches of step ${step + 1} are drawn in another colour than their value's`);
  // the same pixels read as the transposed grid do not match: the check above can tell rows from columns
  const transposed = Float32Array.from({ length: rows * cols }, (_, i) => values[(i % rows) * cols + Math.floor(i / rows)]);
  expect(wrongPatches(transposed, shown.rgb) > rows * cols * 0.5, 'the transposed grid matches the canvas as well');
  const thumb = await ctx.panel().locator('.thumb canvas').first().evaluate((c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]);
  expect(Math.abs(thumb[0] / thumb[1] / aspect - 1) < 0.05, `thumbnails are ${thumb[0]}x${thumb[1]}, not in the image's aspect`);
}

export default defineScenario({
  name: 'panel-real-size',
  timeoutMs: 300_000,
  async run(ctx) {
    const watch = watchConsole(ctx);
    const dir = join(ctx.workspace, 'panel-fixtures');
    mkdirSync(dir, { recursive: true });
    const wide = realSizeTrace({ steps: 32 });
    const tall = realSizeTrace({ seed: 12, steps: 4, portrait: true, method: 'lvr' });
    const wideFile = writeTrace(dir, 'qwen-26x46-t32.ltrace.json', wide);
    const tallFile = writeTrace(dir, 'qwen-46x26-t4.ltrace.json', tall);
    const panel = ctx.panel();

    // first paint of a 1,196-token, 32-step, 28-layer trace, on three deliveries (the median faces the budget)
    const paints: number[] = [];
    for (let i = 0; i < 3; i++) {
      if (i > 0) await panel.locator('.trace-view').evaluate((el) => ((el as HTMLElement).dataset.old = 'yes'));
      await openInPanel(ctx, wideFile);
      paints.push(Number(await attr(ctx, '.trace-view:not([data-old])', 'data-first-paint-ms')));
    }
    const sorted = [...paints].sort((x, y) => x - y);
    ctx.log(`first paint of the 26x46 T=32 trace over three deliveries: ${paints.map((p) => p.toFixed(1)).join(', ')} ms (median ${sorted[1].toFixed(1)} ms)`);
    mkdirSync(join(ctx.repo, 'test-results/e2e'), { recursive: true });
    writeFileSync(join(ctx.repo, 'test-results/e2e/panel-real-size-first-paint.json'),
      JSON.stringify({ trace: '26x46 grid, 1196 visual tokens, 32 steps, 28 layers, 1288x728 image', firstPaintMs: paints, medianMs: sorted[1] }));
    expect(sorted[1] < FIRST_PAINT_BUDGET_MS, `first paint median ${sorted[1]} ms (budget ${FIRST_PAINT_BUDGET_MS} ms)`);

    await setControl(ctx, 'Layer', 'saliency');
    await setControl(ctx, 'Colour map', 'viridis');
    await setControl(ctx, 'Normalise', 'step');
    await setOpacity(ctx, 1);
    const steps = Number(await attr(ctx, '.trace-view', 'data-steps'));
    expect(steps === 32 && (await panel.locator('.thumb').count()) === 32, `expected 32 steps and thumbnails, the view says ${steps}`);
    await panel.locator('canvas[data-testid=heatmap]').focus();
    await ctx.page.keyboard.press('End');
    await panel.locator('.trace-view[data-step="31"]').waitFor({ timeout: 10_000 });
    await checkStage(ctx, wide, 31);
    await ctx.screenshot('wide-t32');

    // the 28 decoder layers of the first-answer attention, one by one: layer 1 peaks top left, 28 bottom right
    await setControl(ctx, 'Layer', 'firstAnswerAttention');
    const decoder = panel.locator('[data-testid=decoder-layer] select');
    expect((await decoder.locator('option').count()) === 29, 'the decoder-layer picker does not list the mean and 28 layers');
    const hashes = new Set<string>();
    for (const [layer, cell] of [['1', 0], ['28', 26 * 46 - 1]] as const) {
      await decoder.selectOption(layer);
      const { rgb } = await patchColours(ctx, 26, 46);
      const top = colorMapLut('viridis').subarray(255 * 3, 256 * 3);
      expect([0, 1, 2].every((c) => Math.abs(rgb[cell * 3 + c] - top[c]) <= 2), `decoder layer ${layer} is not hottest at patch ${cell}`);
      hashes.add(await canvasHash(ctx, 'canvas[data-testid=heatmap]'));
    }
    expect(hashes.size === 2, 'decoder layers 1 and 28 draw the same heatmap');
    const legend = await panel.locator('.legend').first().innerText();
    expect(/layer 28 of 28/.test(legend), `the legend does not name the decoder layer: "${legend}"`);
    await ctx.screenshot('wide-decoder-layer-28');
    await setControl(ctx, 'Layer', 'saliency');

    // the BPE answer: decoded text per token, no byte-level pieces, multi-byte characters whole
    const answer = await panel.locator('.answer-text').innerText();
    expect(answer === wide.answer.text, `answer shown as "${answer}", the trace says "${wide.answer.text}"`);
    const tokenList = panel.locator('[data-testid=answer-tokens] .token-text');
    expect((await tokenList.count()) === wide.answer.tokenIds.length, 'not one entry per answer token');
    const tokenText = (await tokenList.allInnerTexts()).join('|');
    expect(!/[ĠÃâð\uFFFD]/.test(tokenText), `byte-level pieces or broken characters in the token list: ${tokenText}`);
    expect(['—', 'é', '🔴', 'af', '␣d'].every((s) => tokenText.includes(s)), `decoded pieces missing from the token list: ${tokenText}`);

    // scrubbing at real size stays within a frame
    await panel.locator('canvas[data-testid=heatmap]').focus();
    for (let i = 0; i < 20; i++) await ctx.page.keyboard.press('ArrowLeft');
    const scrubs = (await attr(ctx, '.trace-view', 'data-scrub-ms')).split(' ').map(Number).sort((x, y) => x - y);
    const p95 = scrubs[Math.ceil(scrubs.length * 0.95) - 1];
    ctx.log(`${scrubs.length} scrub redraws at 26x46 on a ${wide.input.imageWidth} px canvas: median ${scrubs[Math.floor(scrubs.length / 2)]} ms, p95 ${p95} ms`);
    expect(p95 < 16, `scrub redraws p95 ${p95} ms (budget one frame, 16 ms)`);

    // the portrait trace (46 rows x 26 cols, LVR: no window) on its own, then beside the wide one
    await openInPanel(ctx, tallFile);
    await panel.locator('.trace-view[data-grid="46x26"]').waitFor({ timeout: 30_000 });
    await attr(ctx, '.trace-view[data-grid="46x26"]', 'data-first-paint-ms');
    await setControl(ctx, 'Layer', 'saliency');
    await setOpacity(ctx, 1);
    await panel.locator('canvas[data-testid=heatmap]').focus();
    await ctx.page.keyboard.press('End');
    await panel.locator('.trace-view[data-step="3"]').waitFor({ timeout: 10_000 });
    await checkStage(ctx, tall, 3);
    await ctx.screenshot('tall-t4');

    // LLaVA: CLIP's 16x16 grid over the 224 px centre crop of the 1288x728 image, drawn inside the crop
    const llava = llavaTrace({ steps: 4 });
    await openInPanel(ctx, writeTrace(dir, 'llava-16x16-crop.ltrace.json', llava));
    await attr(ctx, '.trace-view[data-grid="16x16"]', 'data-first-paint-ms');
    await setControl(ctx, 'Layer', 'saliency');
    await setOpacity(ctx, 1);
    await panel.locator('canvas[data-testid=heatmap]').focus();
    await ctx.page.keyboard.press('End');
    await panel.locator('.trace-view[data-step="3"]').waitFor({ timeout: 10_000 });
    await checkStage(ctx, llava, 3);
    await ctx.screenshot('llava-centre-crop');

    await openInPanel(ctx, wideFile);
    await attr(ctx, '.trace-view[data-grid="26x46"]', 'data-first-paint-ms');
    await panel.locator('button[data-testid=compare-with]').click();
    await answerOpenDialog(ctx, tallFile);
    await attr(ctx, '.compare-view', 'data-first-paint-ms');
    for (const [k, t] of [['a', wide], ['b', tall]] as const) {
      const size = await panel.locator(`canvas[data-testid=compare-heatmap-${k}]`).evaluate((c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]);
      const aspect = t.input.imageWidth / t.input.imageHeight;
      expect(Math.abs(size[0] / size[1] / aspect - 1) < 0.01, `comparison pane ${k} is ${size[0]}x${size[1]}, not in its image's aspect`);
      const text = await panel.locator(`[data-testid=compare-grid-${k}]`).innerText();
      expect(text.includes(`${t.input.grid.rows} rows × ${t.input.grid.cols} cols`), `pane ${k} shows "${text}"`);
    }
    await ctx.screenshot('compare-two-grids');

    checkConsole(ctx, watch);
  },
});
