/**
 * A heatmap as SVG: the image, one rect per patch in the colour map, and the window outline.
 * Vector output for papers; values are the same ones the canvas draws.
 */
import type { WindowBox } from '../src/shared/trace';
import { cssColor, type ColorMapName } from './colormap';
import { toUnit, type ValueRange } from './normalise';
import { regionRect, windowInRegion, type Grid } from './grid-geometry';
import type { GridRegion } from '../src/shared/trace-region';

export interface HeatmapSvgInput {
  imagePngBase64: string;
  width: number;
  height: number;
  grid: Grid;
  /** the part of the image the grid covers; absent = the whole image */
  region?: GridRegion;
  values: ArrayLike<number>;
  range: ValueRange | null;
  colorMap: ColorMapName;
  opacity: number;
  window: WindowBox | null;
  title: string;
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

export function heatmapSvg(input: HeatmapSvgInput): string {
  const { width, height, grid, values, range } = input;
  if (values.length !== grid.rows * grid.cols) {
    throw new RangeError(`heatmap has ${values.length} values for a ${grid.rows}x${grid.cols} grid`);
  }
  const area = regionRect(input.region, width, height);
  const cw = area.w / grid.cols;
  const ch = area.h / grid.rows;
  const cells: string[] = [];
  if (range) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isFinite(v)) continue;
      const x = area.x + (i % grid.cols) * cw;
      const y = area.y + Math.floor(i / grid.cols) * ch;
      cells.push(`<rect x="${x}" y="${y}" width="${cw}" height="${ch}" fill="${cssColor(input.colorMap, toUnit(v, range))}"><title>patch ${i}: ${v}</title></rect>`);
    }
  }
  const outline = input.window ? windowInRegion(input.window, grid, area) : null;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<title>${escapeXml(input.title)}</title>`,
    `<image width="${width}" height="${height}" href="data:image/png;base64,${input.imagePngBase64}"/>`,
    `<g fill-opacity="${input.opacity}" shape-rendering="crispEdges">${cells.join('')}</g>`,
    outline ? `<rect x="${outline.x}" y="${outline.y}" width="${outline.w}" height="${outline.h}" fill="none" stroke="#fff" stroke-width="${Math.max(1.5, width / 300)}"/>` : '',
    '</svg>',
  ].join('\n');
}
