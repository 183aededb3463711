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
