/**
 * The colour-map legend: a gradient bar with tick values for the range the heatmap spans.
 */
import { colorMapLut, type ColorMapName } from './colormap';
import { legendTicks, type ValueRange } from './normalise';
import { formatNumber } from './format';
import { h } from './dom';

export class Legend {
  readonly element: HTMLElement;
  private readonly bar: HTMLCanvasElement;
  private readonly ticks: HTMLElement;
  private readonly caption: HTMLElement;

  constructor() {
    this.bar = h('canvas', { width: 256, height: 1, class: 'legend-bar', 'aria-hidden': 'true' });
    this.ticks = h('div', { class: 'legend-ticks' });
    this.caption = h('div', { class: 'legend-caption' });
    this.element = h('figure', { class: 'legend', 'data-testid': 'legend' }, this.caption, this.bar, this.ticks);
  }

  update(colorMap: ColorMapName, range: ValueRange | null, caption: string): void {
    const ctx = this.bar.getContext('2d')!;
    const img = ctx.createImageData(256, 1);
    const lut = colorMapLut(colorMap);
    for (let i = 0; i < 256; i++) {
      img.data.set([lut[i * 3], lut[i * 3 + 1], lut[i * 3 + 2], 255], i * 4);
    }
    ctx.putImageData(img, 0, 0);
    this.caption.textContent = caption;
    this.ticks.replaceChildren(...(range ? legendTicks(range, 5).map((v) => h('span', {}, formatNumber(v, 3))) : [h('span', {}, 'no values')]));
    this.element.dataset.min = range ? String(range.min) : '';
    this.element.dataset.max = range ? String(range.max) : '';
  }
}

/** The legend drawn on a canvas of the given width, to go under a heatmap in a PNG export. */
export function legendCanvas(colorMap: ColorMapName, range: ValueRange | null, caption: string, width: number, foreground: string): HTMLCanvasElement {
  const scale = Math.max(1, width / 600);
  const c = document.createElement('canvas');
  c.width = width;
  c.height = Math.round(64 * scale);
  const ctx = c.getContext('2d')!;
  const pad = 10 * scale;
  const lut = colorMapLut(colorMap);
  const barW = width - 2 * pad;
  for (let x = 0; x < barW; x++) {
    const k = Math.round((x / Math.max(1, barW - 1)) * 255) * 3;
    ctx.fillStyle = `rgb(${lut[k]}, ${lut[k + 1]}, ${lut[k + 2]})`;
    ctx.fillRect(pad + x, 24 * scale, 1, 14 * scale);
  }
  ctx.fillStyle = foreground;
  ctx.font = `${Math.round(13 * scale)}px sans-serif`;
  ctx.textBaseline = 'top';
  ctx.fillText(caption, pad, 4 * scale);
  if (range) {
    legendTicks(range, 5).forEach((v, i) => {
      ctx.textAlign = i === 0 ? 'left' : i === 4 ? 'right' : 'center';
      ctx.fillText(formatNumber(v, 3), pad + (barW * i) / 4, 42 * scale);
    });
  }
  return c;
}
