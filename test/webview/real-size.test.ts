import { test } from 'node:test';
import { inflateSync } from 'node:zlib';
import assert from 'node:assert/strict';
import { llavaTrace, realSizeTrace, BPE_ANSWER_WORDS } from '../fixtures/traces/synthetic-trace';
import { centreCropRegion } from '../../src/shared/trace-region';
import { assertTrace } from '../../src/shared/protocol';
import { patchAt, regionRect, windowInRegion, windowRect } from '../../webview/grid-geometry';
import { answerLayerCount, layerGrid, LayerCache } from '../../webview/heatmap-layers';
import { rasteriseGrid } from '../../webview/raster';
import { colorMapLut, cssColor } from '../../webview/colormap';
import { rangeOf } from '../../webview/normalise';
import { heatmapSvg } from '../../webview/svg';
import { compareStepTable, tracePatchTable } from '../../webview/tables';

const wide = realSizeTrace({ steps: 4 });
const tall = realSizeTrace({ steps: 4, portrait: true });

function argmax(a: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
}

/** width and height from the PNG's IHDR chunk */
function pngSize(base64: string): { width: number; height: number } {
  const b = Buffer.from(base64, 'base64');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

/** where the generator drew the disc: the centre of the target patch, in image pixels */
function discCentre(trace: typeof wide): { x: number; y: number; index: number } {
  const { rows, cols } = trace.input.grid;
  const last = trace.steps.at(-1)!;
  const index = argmax(last.saliency);
  const r = Math.floor(index / cols);
  const c = index % cols;
  const area = regionRect(trace.input.gridRegion, trace.input.imageWidth, trace.input.imageHeight);
  return { x: area.x + ((c + 0.5) / cols) * area.w, y: area.y + ((r + 0.5) / rows) * area.h, index };
}

/** the image's red pixels: where the generator drew the disc */
function redPixel(trace: typeof wide, x: number, y: number): boolean {
  // the PNG rows are filtered with filter 0 and deflated: inflate and read the RGB triple
  const png = Buffer.from(trace.input.imagePng, 'base64');
  const idat: Buffer[] = [];
  for (let o = 8; o < png.length;) {
    const len = png.readUInt32BE(o);
    if (png.toString('latin1', o + 4, o + 8) === 'IDAT') idat.push(png.subarray(o + 8, o + 8 + len));
    o += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = trace.input.imageWidth * 3 + 1;
  const p = Math.floor(y) * stride + 1 + Math.floor(x) * 3;
  return raw[p] === 220 && raw[p + 1] === 40 && raw[p + 2] === 40;
}

test('real-size traces: 26x46 and 46x26 grids of 1,196 tokens, 28 layers, a 1288x728 image, and they pass the panel guard', () => {
  assert.deepEqual(wide.input.grid, { rows: 26, cols: 46 });
  assert.deepEqual(tall.input.grid, { rows: 46, cols: 26 });
  assert.deepEqual(pngSize(wide.input.imagePng), { width: 1288, height: 728 });
  assert.deepEqual(pngSize(tall.input.imagePng), { width: 728, height: 1288 });
  for (const t of [wide, tall]) {
    assert.equal(t.steps[0].saliency.length, 1196);
    assert.equal(t.firstAnswerAttention.perLayer.length, 28 * 1196);
    assert.equal(answerLayerCount(t), 28);
    assert.doesNotThrow(() => assertTrace(t));
  }
  assert.equal(realSizeTrace({ steps: 32 }).steps.length, 32);
});

test('the hottest patch sits over the disc on both orientations: rows and columns are not swapped', () => {
  for (const t of [wide, tall]) {
    const { rows, cols } = t.input.grid;
    const disc = discCentre(t);
    // the image pixel at the disc is red, so the generator drew it where the grid says
    const p = patchAt(disc.x, disc.y, t.input.grid, t.input.imageWidth, t.input.imageHeight);
    assert.equal(p?.index, disc.index);
    assert.equal(p?.row, Math.floor(disc.index / cols));
    // the transposed reading of the same point lands elsewhere on a non-square grid
    const swapped = patchAt(disc.x, disc.y, { rows: cols, cols: rows }, t.input.imageWidth, t.input.imageHeight);
    assert.notEqual(swapped?.index, disc.index);
    // the step's window contains the disc
    const r = windowRect(t.steps.at(-1)!.window!, t.input.grid, t.input.imageWidth, t.input.imageHeight);
    assert.ok(disc.x >= r.x && disc.x < r.x + r.w && disc.y >= r.y && disc.y < r.y + r.h, `window ${JSON.stringify(r)} misses the disc`);
    assert.ok(Math.abs(r.w / r.h - 1) < 0.02, `a square window of patches is drawn ${r.w}x${r.h}`);
  }
});

test('the one-pixel-per-patch raster is cols wide: the hottest patch is at (x=col, y=row) in the colour map top colour', () => {
  const { rows, cols } = wide.input.grid;
  const values = wide.steps.at(-1)!.saliency;
  const lut = colorMapLut('viridis');
  const out = new Uint8ClampedArray(rows * cols * 4);
  rasteriseGrid(values, rangeOf([values]), lut, out);
  const hot = argmax(values);
  const [x, y] = [hot % cols, Math.floor(hot / cols)];
  const o = (y * cols + x) * 4;
  assert.deepEqual([...out.subarray(o, o + 4)], [lut[255 * 3], lut[255 * 3 + 1], lut[255 * 3 + 2], 255]);
});

test('the SVG export puts the hottest patch over the disc', () => {
  const t = wide;
  const values = t.steps.at(-1)!.saliency;
  const svg = heatmapSvg({ imagePngBase64: 'AAAA', width: 1288, height: 728, grid: t.input.grid, values, range: rangeOf([values]),
    colorMap: 'viridis', opacity: 0.5, window: null, title: 't' });
  const top = cssColor('viridis', 1);
  const m = new RegExp(`<rect x="([\\d.]+)" y="([\\d.]+)" width="([\\d.]+)" height="([\\d.]+)" fill="${top.replace(/[()]/g, '\\$&')}"`).exec(svg);
  assert.ok(m, 'no rect in the top colour');
  const [x, y, w, h] = m.slice(1).map(Number);
  const disc = discCentre(t);
  assert.ok(disc.x >= x && disc.x < x + w && disc.y >= y && disc.y < y + h, `hottest rect at ${x},${y} misses the disc at ${disc.x},${disc.y}`);
  assert.ok(Math.abs(w - 1288 / 46) < 1e-9 && Math.abs(h - 728 / 26) < 1e-9);
});

test('each of the 28 decoder layers is its own grid; the mean is their average', () => {
  const t = wide;
  const { rows, cols } = t.input.grid;
  const peaks = new Set<number>();
  for (let l = 0; l < 28; l++) peaks.add(argmax(layerGrid(t, 0, 'firstAnswerAttention', l)));
  assert.equal(peaks.size, 28);
  // layer 1 peaks at the top-left corner, layer 28 at the bottom-right
  assert.equal(argmax(layerGrid(t, 0, 'firstAnswerAttention', 0)), 0);
  assert.equal(argmax(layerGrid(t, 0, 'firstAnswerAttention', 27)), rows * cols - 1);
  const mean = layerGrid(t, 0, 'firstAnswerAttention');
  const i = 517;
  let sum = 0;
  for (let l = 0; l < 28; l++) sum += layerGrid(t, 0, 'firstAnswerAttention', l)[i];
  assert.ok(Math.abs(sum / 28 - mean[i]) <= 1e-7 + 1e-5 * Math.abs(mean[i]));
  assert.throws(() => layerGrid(t, 0, 'firstAnswerAttention', 28), /decoder layer 29 is outside the trace's 28 layers/);
  const cache = new LayerCache(t);
  assert.notDeepEqual(cache.range(0, 'firstAnswerAttention', 'step', 3), cache.range(0, 'firstAnswerAttention', 'step', 20));
  assert.equal(cache.grid(2, 'firstAnswerAttention', 5), cache.grid(0, 'firstAnswerAttention', 5));
});

test('the BPE answer decodes to text; its per-token texts hold no byte-level pieces or broken characters', () => {
  const a = wide.answer;
  assert.equal(a.text, BPE_ANSWER_WORDS.join(''));
  assert.equal(a.tokenTexts!.join(''), a.text);
  assert.equal(a.tokenTexts!.length, a.tokenIds.length);
  assert.ok(a.tokenTexts!.every((s) => !/[\u0120\u0100-\u0143\uFFFD]/.test(s)), JSON.stringify(a.tokenTexts));
  // "—", "é" and "🔴" are split over tokens: the token that completes each carries it whole
  for (const ch of ['—', 'é', '🔴']) assert.ok(a.tokenTexts!.some((s) => s.includes(ch)), ch);
  assert.ok(a.tokenTexts!.includes(''));
});

test('the panel tables and comparison handle two different grids', () => {
  assert.equal(tracePatchTable(wide).rows.length, 4 * 1196);
  const lastRow = tracePatchTable(tall).rows.at(-1)!;
  assert.deepEqual(lastRow.slice(0, 4), [4, 1195, 45, 25]);
  const t32 = realSizeTrace({ steps: 32 });
  const table = compareStepTable(t32, tall);
  assert.equal(table.rows.length, 32);
  assert.equal(table.rows[31][7], null);
});

test('CLIP centre crop: the region is the processor crop of a 1288x728 image, the grid is drawn inside it', () => {
  // 728 -> 224, 1288 -> int(224 * 1288 / 728) = 396, crop left (396 - 224) // 2 = 86
  const region = centreCropRegion(1288, 728, 224, 224, 224);
  const want = { x: 86 / 396, y: 0, width: 224 / 396, height: 1 };
  for (const k of ['x', 'y', 'width', 'height'] as const) assert.ok(Math.abs(region[k] - want[k]) <= 1e-12, k);
  const tallRegion = centreCropRegion(728, 1288, 224, 224, 224);
  assert.ok(Math.abs(tallRegion.y - 86 / 396) <= 1e-12 && tallRegion.x === 0);
  assert.throws(() => centreCropRegion(0, 10, 224, 224, 224), /is empty/);

  const t = llavaTrace({ steps: 4 });
  assert.doesNotThrow(() => assertTrace(t));
  const disc = discCentre(t);
  assert.ok(redPixel(t, disc.x, disc.y), 'the hottest patch, placed in the crop, is not over the red disc');
  // without the region the same patch lands elsewhere on the image
  const naive = { x: ((disc.index % 16) + 0.5) / 16 * 1288, y: (Math.floor(disc.index / 16) + 0.5) / 16 * 728 };
  assert.ok(!redPixel(t, naive.x, naive.y), 'the test cannot tell a region from the whole image');
  const area = regionRect(t.input.gridRegion, 1288, 728);
  const p = patchAt(disc.x - area.x, disc.y - area.y, t.input.grid, area.w, area.h);
  assert.equal(p?.index, disc.index);
  const w = windowInRegion(t.steps.at(-1)!.window!, t.input.grid, area);
  assert.ok(disc.x >= w.x && disc.x < w.x + w.w && disc.y >= w.y && disc.y < w.y + w.h);
  const values = t.steps.at(-1)!.saliency;
  const svg = heatmapSvg({ imagePngBase64: 'AAAA', width: 1288, height: 728, grid: t.input.grid, region: t.input.gridRegion, values,
    range: rangeOf([values]), colorMap: 'viridis', opacity: 0.5, window: null, title: 't' });
  const xs = [...svg.matchAll(/<rect x="([\d.]+)"/g)].map((m) => Number(m[1]));
  assert.ok(Math.min(...xs) >= area.x - 1e-9 && Math.max(...xs) < area.x + area.w, 'SVG cells outside the crop');
  const bad = { ...t, input: { ...t.input, gridRegion: { x: 0.5, y: 0, width: 0.6, height: 1 } } };
  assert.throws(() => assertTrace(bad), /trace.input.gridRegion: expected fractions of the image/);
});
