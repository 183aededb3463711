/**
 * Ground truth for a trace: the expected answer and the box from a dataset item, a sidecar file or the
 * CLI, whether the answer is right (the same normalisation as eval), and whether each step's window
 * hits the box. Pure apart from readSidecar.
 */
import { readFile } from 'node:fs/promises';
import { WHOLE_IMAGE, type GridRegion } from '../shared/trace-region';
import type { GroundTruth, TraceStep, WindowBox } from '../shared/trace';
import { normaliseAnswer } from './evaluate';
import { InputError } from './prompt';

export type Box = [number, number, number, number];

/** what a caller knows before the run; `correct` is the engine's to fill in */
export type GroundTruthInput = Omit<GroundTruth, 'correct'>;

export function checkBox(value: unknown, where: string): Box {
  const ok = Array.isArray(value) && value.length === 4 && value.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (!ok || !(value[2] > value[0] && value[3] > value[1])) {
    throw new InputError(`${where}: bbox must be [x0, y0, x1, y1] (image pixels) with x1 > x0 and y1 > y0, got ${JSON.stringify(value)}`);
  }
  return value as Box;
}

/** "x0,y0,x1,y1" as the CLI takes it */
export function parseBox(text: string, where = '--bbox'): Box {
  return checkBox(text.split(',').map((s) => (s.trim() === '' ? NaN : Number(s))), where);
}

/**
 * The window's rectangle in original image pixels, [x0, y0, x1, y1) with x1/y1 exclusive: the grid covers
 * `region` of the image (the whole image unless a centre crop), each patch an equal share of it.
 */
export function windowRect(window: WindowBox, grid: { rows: number; cols: number }, width: number, height: number, region: GridRegion = WHOLE_IMAGE): Box {
  const patchW = (region.width * width) / grid.cols;
  const patchH = (region.height * height) / grid.rows;
  const left = region.x * width;
  const top = region.y * height;
  return [left + window.col * patchW, top + window.row * patchH, left + (window.col + window.size) * patchW, top + (window.row + window.size) * patchH];
}

/** half-open rectangles intersect when they share an area, not merely an edge */
export function boxesIntersect(a: Box, b: Box): boolean {
  return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
}

export function answerIsCorrect(answer: string, expected: string): boolean {
  return normaliseAnswer(answer) === normaliseAnswer(expected);
}

/** input.groundTruth for a finished run, and steps' windowHitsBox where a step has a window */
export function applyGroundTruth(
  gt: GroundTruthInput,
  answer: string,
  steps: TraceStep[],
  image: { width: number; height: number; grid: { rows: number; cols: number }; region?: GridRegion },
): GroundTruth {
  const out: GroundTruth = { source: gt.source };
  if (gt.bbox) out.bbox = [...gt.bbox];
  if (gt.expected !== undefined) {
    out.expected = gt.expected;
    out.correct = answerIsCorrect(answer, gt.expected);
  }
  if (gt.bbox) {
    const box = gt.bbox;
    for (const s of steps) {
      if (s.window) s.windowHitsBox = boxesIntersect(windowRect(s.window, image.grid, image.width, image.height, image.region), box);
    }
  }
  return out;
}

/**
 * `<image>.json` next to an image: {"bbox": [x0,y0,x1,y1], "answer": "..."}, both optional. Returns null
 * when there is no sidecar; a sidecar that is not such an object is an InputError naming the file.
 */
export async function readSidecar(imagePath: string): Promise<GroundTruthInput | null> {
  const file = `${imagePath}.json`;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new InputError(`${file}: cannot read the sidecar (${(e as Error).message})`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${file}: the sidecar is not JSON (${(e as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InputError(`${file}: the sidecar must be an object {"bbox": [x0,y0,x1,y1], "answer": "..."}`);
  const o = v as Record<string, unknown>;
  const out: GroundTruthInput = { source: 'sidecar' };
  if (o.bbox !== undefined && o.bbox !== null) out.bbox = checkBox(o.bbox, file);
  if (o.answer !== undefined && o.answer !== null) {
    if (typeof o.answer !== 'string' || o.answer.trim() === '') throw new InputError(`${file}: "answer" must be a non-empty string`);
    out.expected = o.answer;
  }
  if (!out.bbox && out.expected === undefined) throw new InputError(`${file}: the sidecar has neither "bbox" nor "answer"`);
  return out;
}
