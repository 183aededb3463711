/**
 * Draws a trace's image with one step's heatmap and window on canvases: the grid is rasterised at
 * one pixel per patch and scaled up by drawImage, so a redraw costs two image draws however big the image.
 */
import type { Trace } from '../src/shared/trace';
import { colorMapLut, type ColorMapName } from './colormap';
import { LayerCache, type HeatmapLayer } from './heatmap-layers';
import type { Normalisation, ValueRange } from './normalise';
import { rasteriseGrid } from './raster';
import { strokeGroundTruth } from './overlay';
import { fitSize, patchAt, regionRect, renderScale, windowInRegion, type Patch } from './grid-geometry';

export interface HeatmapSettings {
  layer: HeatmapLayer;
  colorMap: ColorMapName;
  opacity: number;
  normalisation: Normalisation;
  smooth: boolean;
  /** the decoder layer of the first-answer attention (0-based), null = mean over layers */
  answerLayer: number | null;
  /** alpha grows with the value (low end transparent) */
  fade: boolean;
  /** the image alone, no heatmap */
  plain: boolean;
}

/**
 * Decodes the trace's base64 PNG into a bitmap the canvases can draw. The browser reads the data URL
 * and decodes off the main thread; a base64 loop in script would hold the main thread for megabytes.
 */
export async function decodeTraceImage(trace: Trace): Promise<ImageBitmap> {
  const img = new Image();
  img.src = `data:image/png;base64,${trace.input.imagePng}`;
  await img.decode();
  return createImageBitmap(img);
}

export class HeatmapStage {
  readonly cache: LayerCache;
  private readonly heat: HTMLCanvasElement;
  private readonly heatCtx: CanvasRenderingContext2D;
  private readonly pixels: ImageData;

  constructor(readonly trace: Trace, readonly image: ImageBitmap) {
    this.cache = new LayerCache(trace);
    const { rows, cols } = trace.input.grid;
    this.heat = document.createElement('canvas');
    this.heat.width = cols;
    this.heat.height = rows;
    this.heatCtx = this.heat.getContext('2d')!;
    this.pixels = this.heatCtx.createImageData(cols, rows);
  }

  get width(): number {
    return this.image.width;
  }

  get height(): number {
    return this.image.height;
  }

  /** The value range the colour map spans for this step and settings (null: nothing to show). */
  range(step: number, s: HeatmapSettings): ValueRange | null {
    return this.cache.range(step, s.layer, s.normalisation, s.answerLayer);
  }

  /**
   * Paints image, heatmap and window of `step` onto ctx, scaled to w x h. Returns the range used:
   * `shared` when given (a comparison puts two traces on one scale), else this step's own.
   */
  paint(ctx: CanvasRenderingContext2D, w: number, h: number, step: number, s: HeatmapSettings, shared?: ValueRange | null): ValueRange | null {
    const range = shared === undefined ? this.range(step, s) : shared;
    rasteriseGrid(this.cache.grid(step, s.layer, s.answerLayer), range, colorMapLut(s.colorMap), this.pixels.data, s.fade);
    this.heatCtx.putImageData(this.pixels, 0, 0);
    const area = regionRect(this.trace.input.gridRegion, w, h);
    ctx.globalAlpha = 1;
    // a small image (64x64) drawn large stays crisp: smoothing only when it is scaled down
    ctx.imageSmoothingEnabled = this.image.width >= w;
    ctx.drawImage(this.image, 0, 0, w, h);
    // what the model did not see (outside a centre crop) is dimmed
    ctx.fillStyle = 'rgba(0, 0, 0, 0.55)';
    ctx.fillRect(0, 0, w, area.y);
    ctx.fillRect(0, area.y + area.h, w, h - area.y - area.h);
    ctx.fillRect(0, area.y, area.x, area.h);
    ctx.fillRect(area.x + area.w, area.y, w - area.x - area.w, area.h);
    ctx.globalAlpha = s.plain ? 0 : s.opacity;
    ctx.imageSmoothingEnabled = s.smooth;
    ctx.drawImage(this.heat, area.x, area.y, area.w, area.h);
    ctx.globalAlpha = 1;
    const window = this.trace.steps[step]?.window;
    if (window) {
      const r = windowInRegion(window, this.trace.input.grid, area);
      const line = Math.max(1.5, w / 300);
      ctx.lineWidth = line * 2;
      ctx.strokeStyle = 'rgba(0, 0, 0, 0.8)';
      ctx.strokeRect(r.x + line, r.y + line, r.w - 2 * line, r.h - 2 * line);
      ctx.lineWidth = line;
      ctx.strokeStyle = '#ffffff';
      ctx.strokeRect(r.x + line, r.y + line, r.w - 2 * line, r.h - 2 * line);
    }
    strokeGroundTruth(ctx, this.trace, w, h);
    return range;
  }

  /** Sizes a canvas for this image: enough pixels to stay sharp, shown as large as `box` allows. */
  attach(canvas: HTMLCanvasElement, box: HTMLElement, reserveHeight: number): () => void {
    const k = renderScale(this.image.width, this.image.height);
    canvas.width = this.image.width * k;
    canvas.height = this.image.height * k;
    const fit = () => {
      const size = fitSize(canvas.width, canvas.height, box.clientWidth, Math.max(200, window.innerHeight - reserveHeight));
      canvas.style.width = `${size.width}px`;
      canvas.style.height = `${size.height}px`;
      // shown larger than drawn (a wide panel, a HiDPI screen): scale up without blurring the patch edges
      canvas.classList.toggle('pixelated', size.width * window.devicePixelRatio > canvas.width);
    };
    fit();
    const observer = new ResizeObserver(fit);
    observer.observe(box);
    return () => observer.disconnect();
  }

  /** The patch under a mouse event on a canvas that shows this stage at any CSS size. */
  patchAtEvent(ev: MouseEvent, canvas: HTMLCanvasElement): Patch | null {
    const rect = canvas.getBoundingClientRect();
    const area = regionRect(this.trace.input.gridRegion, rect.width, rect.height);
    return patchAt(ev.clientX - rect.left - area.x, ev.clientY - rect.top - area.y, this.trace.input.grid, area.w, area.h);
  }

  /** Draws the window's crop of the original image, the part the Extractor reads. */
  paintWindowCrop(ctx: CanvasRenderingContext2D, size: number, step: number): boolean {
    const window = this.trace.steps[step]?.window;
    ctx.clearRect(0, 0, size, size);
    if (!window) return false;
    const r = windowInRegion(window, this.trace.input.grid, regionRect(this.trace.input.gridRegion, this.image.width, this.image.height));
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(this.image, r.x, r.y, r.w, r.h, 0, 0, size, size);
    return true;
  }
}
