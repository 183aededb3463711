import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEngine, type TraceEngine } from '../../src/runtime/engine';
import { applyGroundTruth, boxesIntersect, parseBox, readSidecar, windowRect } from '../../src/runtime/ground-truth';
import { centreCropRegion } from '../../src/shared/trace-region';

const SAMPLE = 'media/samples/images/0000.png';
let engine: TraceEngine;
let dir: string;

before(async () => {
  engine = await openEngine('models/lare-shapes');
  dir = await mkdtemp(join(tmpdir(), 'lt-gt-'));
});
after(async () => {
  await engine.dispose();
  await rm(dir, { recursive: true, force: true });
});

test('a window maps to image pixels through the grid, and through a centre-crop region', () => {
  assert.deepEqual(windowRect({ row: 1, col: 2, size: 3 }, { rows: 8, cols: 8 }, 64, 64), [16, 8, 40, 32]);
  // a 448x224 image centre-cropped to 224x224: the grid covers x in [112, 336)
  const region = centreCropRegion(448, 224, 224, 224, 224);
  assert.deepEqual(windowRect({ row: 0, col: 0, size: 16 }, { rows: 16, cols: 16 }, 448, 224, region), [112, 0, 336, 224]);
});

test('boxes that only share an edge do not intersect; overlapping ones do', () => {
  assert.equal(boxesIntersect([0, 0, 10, 10], [10, 0, 20, 10]), false);
  assert.equal(boxesIntersect([0, 0, 10, 10], [9, 9, 20, 20]), true);
  assert.equal(boxesIntersect([0, 0, 10, 10], [2, 2, 3, 3]), true);
  assert.equal(boxesIntersect([0, 0, 10, 10], [0, 11, 10, 20]), false);
});

test('--bbox text is parsed and a malformed one is refused', () => {
  assert.deepEqual(parseBox('1,2,30,40'), [1, 2, 30, 40]);
  assert.throws(() => parseBox('1,2,30'), /--bbox: bbox must be/);
  assert.throws(() => parseBox('5,2,3,40'), /x1 > x0/);
  assert.throws(() => parseBox('1,,3,4'), /bbox must be/);
});

test('applyGroundTruth marks correctness with eval normalisation and each windowed step', () => {
  const steps = [
    { window: { row: 0, col: 0, size: 2 } },
    { window: { row: 6, col: 6, size: 2 } },
    { window: null },
  ] as Parameters<typeof applyGroundTruth>[2];
  const gt = applyGroundTruth({ bbox: [0, 0, 10, 10], expected: 'Orange.', source: 'cli' }, 'orange', steps, { width: 64, height: 64, grid: { rows: 8, cols: 8 } });
  assert.deepEqual(gt, { source: 'cli', bbox: [0, 0, 10, 10], expected: 'Orange.', correct: true });
  assert.deepEqual(steps.map((s) => s.windowHitsBox), [true, false, undefined]);
  assert.equal(applyGroundTruth({ expected: 'red', source: 'cli' }, 'orange', [], { width: 64, height: 64, grid: { rows: 8, cols: 8 } }).correct, false);
});

test('readSidecar reads {bbox, answer}, returns null without a file and names a bad file', async () => {
  const img = join(dir, 'a.png');
  assert.equal(await readSidecar(img), null);
  await writeFile(`${img}.json`, JSON.stringify({ bbox: [1, 2, 3, 4], answer: 'red' }));
  assert.deepEqual(await readSidecar(img), { source: 'sidecar', bbox: [1, 2, 3, 4], expected: 'red' });
  await writeFile(`${img}.json`, '{"bbox": [1, 2]}');
  await assert.rejects(readSidecar(img), (e: Error) => e.message.includes(`${img}.json`) && /bbox must be/.test(e.message));
  await writeFile(`${img}.json`, 'not json');
  await assert.rejects(readSidecar(img), /is not JSON/);
  await writeFile(`${img}.json`, '{}');
  await assert.rejects(readSidecar(img), /neither "bbox" nor "answer"/);
});

test('a trace with ground truth carries it, says right or wrong and marks every window against the box', async () => {
  // samples.jsonl line 1: the orange square at [27, 29, 38, 40]
  const bbox: [number, number, number, number] = [27, 29, 38, 40];
  const t = await engine.trace({ image: SAMPLE, question: 'what color is the square?', groundTruth: { bbox, expected: 'orange', source: 'dataset' } });
  const gt = t.input.groundTruth!;
  assert.equal(gt.source, 'dataset');
  assert.deepEqual(gt.bbox, bbox);
  assert.equal(gt.correct, t.answer.text === 'orange');
  assert.ok(t.steps.length > 0);
  for (const s of t.steps) {
    const r = windowRect(s.window!, t.input.grid, t.input.imageWidth, t.input.imageHeight);
    assert.equal(s.windowHitsBox, boxesIntersect(r, bbox));
  }
  const wrong = await engine.trace({ image: SAMPLE, question: 'what color is the square?', groundTruth: { expected: 'not-' + t.answer.text, source: 'cli' } });
  assert.equal(wrong.input.groundTruth?.correct, false);
  assert.equal(wrong.steps.every((s) => s.windowHitsBox === undefined), true);
  const none = await engine.trace({ image: SAMPLE, question: 'what color is the square?' });
  assert.equal(none.input.groundTruth, undefined);
});
