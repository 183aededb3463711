import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { heatColour, reconstructionPng, saliencyOverlayPng } from '../../src/runtime/overlays';
import { normaliseAnswer, pointingItem, type EvalItem } from '../../src/runtime/evaluate';
import type { Trace } from '../../src/shared/trace';

test('the heat ramp runs dark to bright and clamps', () => {
  assert.deepEqual(heatColour(0), [0, 0, 4]);
  assert.deepEqual(heatColour(1), [252, 255, 164]);
  assert.deepEqual(heatColour(-3), heatColour(0));
  const lum = (c: number[]) => c[0] + c[1] + c[2];
  for (let v = 0.1; v <= 1; v += 0.1) assert.ok(lum(heatColour(v)) > lum(heatColour(v - 0.1)));
});

test('the saliency overlay keeps the aspect ratio and outlines the window', async () => {
  const image = await sharp({ create: { width: 80, height: 40, channels: 3, background: '#000000' } }).png().toBuffer();
  const saliency = new Float32Array(8).fill(0);
  saliency[7] = 1;
  const png = await saliencyOverlayPng(image, saliency, { rows: 2, cols: 4 }, { row: 0, col: 0, size: 1 }, { width: 160, alpha: 1 });
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height], [160, 80]);
  const px = (x: number, y: number) => Array.from(data.subarray((y * 160 + x) * 3, (y * 160 + x) * 3 + 3));
  assert.deepEqual(px(0, 0), [0, 255, 255]); // window outline (top-left cell)
  assert.deepEqual(px(150, 70), [252, 255, 164]); // the salient bottom-right cell at full heat
  assert.deepEqual(px(100, 10), [0, 0, 4]); // a cold cell
});

test('reconstructions map [-1, 1] to 0..255 and upscale', async () => {
  const pixels = new Float32Array(2 * 3 * 2 * 2).fill(-1);
  pixels.fill(1, 12); // step 2 is white
  const png = await reconstructionPng(pixels, 1, 3, 2, 4);
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  assert.equal(info.width, 8);
  assert.ok(data.every((v) => v === 255));
  await assert.rejects(reconstructionPng(pixels, 2, 3, 2), /no reconstruction for step 3/);
});

test('answers match without case and punctuation', () => {
  assert.equal(normaliseAnswer(' Red. '), 'red');
  assert.equal(normaliseAnswer('the  circle is RED!'), 'the circle is red');
});

test('pointing: the bbox centre, the object centres and the windows in grid units', () => {
  const trace = {
    input: { grid: { rows: 8, cols: 8 }, imageWidth: 64, imageHeight: 32 },
    steps: [{ window: { row: 0, col: 0, size: 2 } }, { window: { row: 4, col: 5, size: 2 } }],
  } as unknown as Trace;
  const item = (bbox?: [number, number, number, number], objects?: [number, number, number, number][]) =>
    ({ line: 1, index: 0, source: 'x', image: 'a.png', imageName: 'a.png', question: 'q', answer: 'a', type: 'color', bbox, objects }) as EvalItem;
  const p = pointingItem(trace, item([40, 16, 48, 20], [[0, 0, 8, 4], [40, 16, 48, 20]]));
  assert.deepEqual(p, { type: 'color', target: [5.5, 4.5], objects: [[0.5, 0.5], [5.5, 4.5]], windows: [{ row: 0, col: 0, size: 2 }, { row: 4, col: 5, size: 2 }] });
  assert.equal(pointingItem(trace, item([0, 0, 8, 8]))?.objects, null);
  assert.equal(pointingItem(trace, item(undefined)), null);
  const lvr = { ...trace, steps: [{ window: null }] } as unknown as Trace;
  assert.equal(pointingItem(lvr, item([0, 0, 8, 8])), null);
});
