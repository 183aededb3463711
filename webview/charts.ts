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

Chart.register(BarController, BarElement, CategoryScale, Filler, Legend, LinearScale, LineController, LineElement,
  PointElement, Tooltip, BoxPlotController, BoxAndWiskers, ViolinController, Violin);

/** Series colours that read on light, dark and high-contrast backgrounds. */
export const SERIES = { cosine: '#3794ff', l1: '#d18616', l2: '#b267e6', a: '#4e9ad6', b: '#e0823d', control: '#8a8a8a' };

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

/** Draws labelled vertical lines at x categories (the steps where a stop rule halts). */
export function markerPlugin(markers: StepMarker[]): Plugin {
  return {
    id: 'stepMarkers',
    afterDatasetsDraw(chart) {
      const { ctx, chartArea, scales } = chart;
      const theme = chartTheme();
      ctx.save();
      markers.forEach((m, i) => {
        const x = scales.x.getPixelForValue(m.index);
        if (!Number.isFinite(x)) return;
        ctx.strokeStyle = m.color;
        ctx.fillStyle = m.color;
        ctx.lineWidth = 2;
        ctx.setLineDash(m.dashed ? [5, 4] : []);
        ctx.beginPath();
        ctx.moveTo(x, chartArea.top);
        ctx.lineTo(x, chartArea.bottom);
        ctx.stroke();
        ctx.setLineDash([]);
        // labels stack from the top on a background box, so they stay readable over lines and points
        ctx.font = `11px ${theme.font}`;
        const right = x > (chartArea.left + chartArea.right) / 2;
        const w = ctx.measureText(m.label).width + 6;
        const lx = right ? x - 4 - w : x + 4;
        const ly = chartArea.top + 2 + i * 15;
        ctx.fillStyle = theme.bg;
        ctx.globalAlpha = 0.85;
        ctx.fillRect(lx, ly, w, 14);
        ctx.globalAlpha = 1;
        ctx.fillStyle = m.color;
        ctx.textAlign = 'left';
        ctx.textBaseline = 'top';
        ctx.fillText(m.label, lx + 3, ly + 2);
      });
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
