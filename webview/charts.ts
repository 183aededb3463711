/**
 * chart.js set-up for the panel: the controllers we use, theme-following colours, and two small
 * plugins (vertical step markers, CI error bars) so no annotation plugin is needed.
 */
import {
  BarController, BarElement, CategoryScale, Chart, Filler, Legend, LinearScale, LineController, LineElement,
  PointElement, Tooltip, type ChartConfiguration, type Plugin,
} from 'chart.js';
import { BoxAndWiskers, BoxPlotController, Violin, ViolinController } from '@sgratzl/chartjs-chart-boxplot';
import { themeColor } from './dom';
import { placeLabels } from './chart-svg';

Chart.register(BarController, BarElement, CategoryScale, Filler, Legend, LinearScale, LineController, LineElement,
  PointElement, Tooltip, BoxPlotController, BoxAndWiskers, ViolinController, Violin);

/** Series colours that read on light, dark and high-contrast backgrounds. */
export const SERIES = { cosine: '#3794ff', l1: '#d18616', l2: '#b267e6', a: '#4e9ad6', b: '#e0823d', control: '#8a8a8a' };

/** the k models of a Table 5 comparison: a and b first, then colours distinct from both */
export const MODEL_SERIES = [SERIES.a, SERIES.b, '#4ec9b0', '#c586c0', '#d7ba7d', '#f14c4c', '#6a9955', '#9cdcfe'];
export const modelColour = (k: number): string => MODEL_SERIES[k % MODEL_SERIES.length];

export function chartTheme(): { fg: string; grid: string; bg: string; font: string } {
  return {
    fg: themeColor('--vscode-foreground', '#cccccc'),
    grid: themeColor('--vscode-editorWidget-border', 'rgba(128,128,128,0.35)'),
    bg: themeColor('--vscode-editor-background', '#1e1e1e'),
    font: themeColor('--vscode-font-family', 'sans-serif'),
  };
}

/** Applies the theme to chart.js defaults; call before creating charts and when the theme changes. */
export function applyChartTheme(): void {
  const t = chartTheme();
  Chart.defaults.color = t.fg;
  Chart.defaults.borderColor = t.grid;
  Chart.defaults.font.family = t.font;
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
}

export interface StepMarker {
  /** category index on the x axis */
  index: number;
  label: string;
  color: string;
  dashed?: boolean;
}

/** Height of one row of marker labels; `markerPadding` reserves one row per marker above the plot. */
const LABEL_ROW = 15;

/** The top padding a chart needs so marker labels sit above the plot area, clear of the curves. */
export function markerPadding(markers: readonly StepMarker[]): number {
  return markers.length ? markers.length * LABEL_ROW + 4 : 0;
}

/**
 * Draws labelled vertical lines at x categories (the steps where a stop rule halts). The labels sit in
 * rows at the top of the chart, above legend and plot (the chart reserves them with markerPadding), each in the first row where it
 * overlaps no other label, so they collide neither with each other nor with the data.
 */
export function markerPlugin(markers: StepMarker[]): Plugin {
  return {
    id: 'stepMarkers',
    afterDatasetsDraw(chart) {
      const { ctx, chartArea, scales } = chart;
      const theme = chartTheme();
      ctx.save();
      ctx.font = `11px ${theme.font}`;
      const xs = markers.map((m) => scales.x.getPixelForValue(m.index));
      const boxes = markers.map((m, i) => {
        const w = ctx.measureText(m.label).width + 6;
        const right = xs[i] > (chartArea.left + chartArea.right) / 2;
        return { x: right ? xs[i] - w : xs[i], width: w };
      });
      const rows = placeLabels(boxes);
      markers.forEach((m, i) => {
        const x = xs[i];
        if (!Number.isFinite(x)) return;
        ctx.strokeStyle = m.color;
        ctx.lineWidth = 2;
        ctx.setLineDash(m.dashed ? [5, 4] : []);
        ctx.beginPath();
        ctx.moveTo(x, chartArea.top);
        ctx.lineTo(x, chartArea.bottom);
        ctx.stroke();
        ctx.setLineDash([]);
        // the reserved rows are the chart's top padding, above the legend and the plot
        const ly = 2 + rows[i] * LABEL_ROW;
        ctx.fillStyle = m.color;
        ctx.textAlign = 'left';
        ctx.textBaseline = 'top';
        ctx.fillText(m.label, boxes[i].x + 3, ly + 1);
      });
      chart.canvas.dataset.markerRows = rows.join(',');
      ctx.restore();
    },
  };
}

/** Draws [low, high] whiskers on each bar of the datasets that have intervals. */
export function errorBarPlugin(intervals: ([number, number][] | null)[]): Plugin {
  return {
    id: 'errorBars',
    afterDatasetsDraw(chart) {
      const { ctx, scales } = chart;
      ctx.save();
      ctx.strokeStyle = chartTheme().fg;
      ctx.lineWidth = 1.5;
      intervals.forEach((bars, d) => {
        if (!bars || !chart.isDatasetVisible(d)) return;
        chart.getDatasetMeta(d).data.forEach((el, i) => {
          const iv = bars[i];
          if (!iv) return;
          const x = el.x;
          const lo = scales.y.getPixelForValue(iv[0]);
          const hi = scales.y.getPixelForValue(iv[1]);
          ctx.beginPath();
          ctx.moveTo(x, lo);
          ctx.lineTo(x, hi);
          ctx.moveTo(x - 5, lo);
          ctx.lineTo(x + 5, lo);
          ctx.moveTo(x - 5, hi);
          ctx.lineTo(x + 5, hi);
          ctx.stroke();
        });
      });
      ctx.restore();
    },
  };
}

/** Creates a chart in a fixed-height box; the caller keeps it to destroy on re-render. */
export function createChart(parent: HTMLElement, config: ChartConfiguration, label: string, testId: string): Chart {
  const canvas = document.createElement('canvas');
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', label);
  canvas.dataset.testid = testId;
  const box = document.createElement('div');
  box.className = 'chart-box';
  box.append(canvas);
  parent.append(box);
  return new Chart(canvas, config);
}
