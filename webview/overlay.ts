/**
 * Paints any grid of values over a trace's image (the attention explorer's heads, the lens's patches):
 * one pixel per patch, scaled up without smoothing so patch edges stay crisp, alpha growing with the value.
 */
import type { Trace } from '../src/shared/trace';
import { colorMapLut, type ColorMapName } from './colormap';
import type { ValueRange } from './normalise';
import { rasteriseGrid } from './raster';
import { bboxRect, regionRect, type Rect } from './grid-geometry';

export class GridOverlay {
  private readonly heat: HTMLCanvasElement;
  private readonly heatCtx: CanvasRenderingContext2D;
  private readonly pixels: ImageData;

  constructor(readonly trace: Trace, readonly image: ImageBitmap) {
    const { rows, cols } = trace.input.grid;
    this.heat = document.createElement('canvas');
    this.heat.width = cols;
    this.heat.height = rows;
    this.heatCtx = this.heat.getContext('2d')!;
    this.pixels = this.heatCtx.createImageData(cols, rows);
  }

  /** Image, then `values` through the colour map over `range`; returns the grid's rectangle on ctx. */
  paint(ctx: CanvasRenderingContext2D, w: number, h: number, values: ArrayLike<number>, range: ValueRange | null, colorMap: ColorMapName, opacity: number, fade = true): Rect {
    rasteriseGrid(values, range, colorMapLut(colorMap), this.pixels.data, fade);
    this.heatCtx.putImageData(this.pixels, 0, 0);
    const area = regionRect(this.trace.input.gridRegion, w, h);
    ctx.globalAlpha = 1;
    ctx.imageSmoothingEnabled = this.image.width >= w;
    ctx.drawImage(this.image, 0, 0, w, h);
    ctx.globalAlpha = opacity;
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(this.heat, area.x, area.y, area.w, area.h);
    ctx.globalAlpha = 1;
    return area;
  }
}

/** Outlines the ground-truth box, if the trace has one, on a w x h drawing of the image. */
export function strokeGroundTruth(ctx: CanvasRenderingContext2D, trace: Trace, w: number, h: number): void {
  const bbox = trace.input.groundTruth?.bbox;
  if (!bbox) return;
  const r = bboxRect(bbox, trace.input.imageWidth, trace.input.imageHeight, w, h);
  const line = Math.max(1.5, w / 300);
  ctx.setLineDash([line * 4, line * 2]);
  ctx.lineWidth = line * 2;
  ctx.strokeStyle = 'rgba(0, 0, 0, 0.85)';
  ctx.strokeRect(r.x, r.y, r.w, r.h);
  ctx.lineWidth = line;
  ctx.strokeStyle = '#39ff88';
  ctx.strokeRect(r.x, r.y, r.w, r.h);
  ctx.setLineDash([]);
}
