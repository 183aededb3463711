/**
 * The `image` object of a version 2 manifest (docs/bundle-format.md, "Format version 2"): how the runtime turns
 * decoded RGB pixels into what the vision graph takes. Field names are the JSON's.
 */

export type ResampleFilter = 'bicubic' | 'bilinear';

/** CLIP / LLaVA: one fixed input size, a fixed visual-token grid. */
export interface FixedImageSpec {
  kind: 'fixed';
  /** model input size in pixels */
  height: number;
  width: number;
  /** shortest-edge-center-crop: CLIPImageProcessor (resize the shortest edge to `shortestEdge`, centre-crop height x width);
   *  stretch: resize straight to height x width */
  resize: 'shortest-edge-center-crop' | 'stretch';
  /** required for shortest-edge-center-crop */
  shortestEdge?: number;
  resample: ResampleFilter;
  mean: [number, number, number];
  std: [number, number, number];
  patchSize: number;
  /** visual token grid; rows*cols = N */
  grid: { rows: number; cols: number };
}

/** Qwen2-VL / Qwen2.5-VL: smart_resize to a multiple of patchSize*mergeSize, the grid follows the image. */
export interface DynamicImageSpec {
  kind: 'dynamic';
  patchSize: number;
  temporalPatchSize: number;
  mergeSize: number;
  minPixels: number;
  maxPixels: number;
  resample: ResampleFilter;
  mean: [number, number, number];
  std: [number, number, number];
  /** window-attention window side in pixels (Qwen2.5-VL window_size) */
  windowSize: number;
}

export type ImageSpecV2 = FixedImageSpec | DynamicImageSpec;
