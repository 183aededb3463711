/**
 * The convergence view (LaRe Table 4 / Fig. 5): cosine, L1 and L2 distances between consecutive
 * latent tokens per step, one chart per metric with its threshold and the step where the adaptive
 * rule would stop; for a dataset report the mean with its 95% CI band and the rule table.
 */
import type { Chart, ChartDataset } from 'chart.js';
import type { Trace } from '../../src/shared/trace';
import type { StepsReport } from '../../src/shared/reports';
import { firstStopStep } from '../../src/analysis/stop-rule';
import { METRICS, METRIC_LABELS, distanceSeries, fewStepsNote, intervalMeans, traceThreshold, type Metric } from '../convergence';
import { SERIES, createChart, markerPadding, markerPlugin, type StepMarker } from '../charts';
import { h, renderTable, themeColor } from '../dom';
import { formatNumber, formatPercent, fileStem } from '../format';
import { reportCsv, stepsConvergenceTable, stepsRuleTable, traceStepTable, compareStepTable, tablesCsv } from '../tables';
import type { Table } from '../../src/present/csv';
import { canvasesToPng, svgToPng, textBytes } from '../exporting';
import { chartsSvg, reportSvg, type SvgChart, type SvgSeries } from '../chart-svg';
import type { View, ViewContext } from './view';
import { itemsTable } from './items-table';
import { reportItems } from '../../src/present/report-items';

export type ConvergenceSource =
  | { kind: 'trace'; traces: Trace[] }
  | { kind: 'steps'; report: StepsReport };

interface MetricChartInput {
  metric: Metric;
  labels: string[];
  datasets: ChartDataset<'line', (number | null)[]>[];
  threshold: number | null;
  markers: StepMarker[];
}

const TRACE_COLORS = ['#3794ff', '#e0823d'];

function thresholdDataset(threshold: number, n: number): ChartDataset<'line', (number | null)[]> {
  return {
    label: `threshold ${formatNumber(threshold)}`,
    data: new Array<number>(n).fill(threshold),
    borderColor: themeColor('--vscode-descriptionForeground', '#888888'),
    borderDash: [6, 4],
    borderWidth: 1.5,
    pointRadius: 0,
  };
}

/** The threshold a set of traces used for a metric: the first trace whose stop rule was that metric. */
function tracesThreshold(traces: Trace[], metric: Metric): number | null {
  return traces.map((t) => traceThreshold(t, metric)).find((v) => v !== null) ?? null;
}

function traceInputs(traces: Trace[], metric: Metric, threshold: number | null): MetricChartInput {
  const n = Math.max(...traces.map((t) => t.steps.length));
  const labels = Array.from({ length: n }, (_, i) => String(i + 1));
  const markers: StepMarker[] = [];
  const datasets = traces.map((t, k): ChartDataset<'line', (number | null)[]> => {
    const d = distanceSeries(t, metric);
    const name = traces.length > 1 ? `${String.fromCharCode(65 + k)}: ${t.model.name}` : METRIC_LABELS[metric];
    const color = traces.length > 1 ? TRACE_COLORS[k] : SERIES[metric];
    if (threshold !== null) {
      const stop = firstStopStep(d, threshold);
      if (stop !== null) markers.push({ index: stop - 1, label: `${traces.length > 1 ? `${String.fromCharCode(65 + k)} ` : ''}${metric} stop @ ${stop}`, color });
    }
    markers.push({ index: t.stoppedAt - 1, label: `${traces.length > 1 ? `${String.fromCharCode(65 + k)} ` : ''}stopped @ ${t.stoppedAt} (${t.stopReason})`, color, dashed: true });
    // two models get an axis each (LaRe's and LVR's distances can differ tenfold)
    return { label: name, data: d, borderColor: color, backgroundColor: color, pointRadius: 4, spanGaps: false, ...(traces.length > 1 ? { yAxisID: k === 0 ? 'y' : 'y1' } : {}) };
  });
  if (threshold !== null) datasets.push(thresholdDataset(threshold, n));
  return { metric, labels, datasets, threshold, markers };
}

function stepsInputs(r: StepsReport, metric: Metric, threshold: number | null): MetricChartInput {
  const series = r.convergence[metric];
  const color = SERIES[metric];
  const stop = threshold === null ? null : firstStopStep(intervalMeans(series), threshold);
  const markers: StepMarker[] = stop === null ? [] : [{ index: stop - 1, label: `${metric} stop @ step ${r.convergence.step[stop - 1]}`, color }];
  return {
    metric,
    labels: r.convergence.step.map(String),
    threshold,
    markers,
    datasets: [
      { label: '95% CI', data: series.map((iv) => iv.high), borderWidth: 0, pointRadius: 0, fill: '+1', backgroundColor: `${color}33` },
      { label: '95% CI (lower edge)', data: series.map((iv) => iv.low), borderWidth: 0, pointRadius: 0, fill: false },
      { label: `mean ${METRIC_LABELS[metric]}`, data: intervalMeans(series), borderColor: color, backgroundColor: color, pointRadius: 3 },
      ...(threshold === null ? [] : [thresholdDataset(threshold, series.length)]),
    ],
  };
}

/** The same chart as vector SVG data: a CI band pair becomes the intervals of the mean line it surrounds. */
function metricSvgChart(input: MetricChartInput, title: string): SvgChart {
  const high = input.datasets.find((d) => d.label === '95% CI')?.data;
  const low = input.datasets.find((d) => d.label === '95% CI (lower edge)')?.data;
  const series: SvgSeries[] = input.datasets.filter((d) => !String(d.label).startsWith('95% CI')).map((d) => ({
    kind: 'line',
    label: String(d.label),
    color: String(d.borderColor ?? '#333333'),
    values: d.data.map((v) => (typeof v === 'number' ? v : null)),
    dashed: Array.isArray(d.borderDash) && d.borderDash.length > 0,
    ...(high && low && String(d.label).startsWith('mean') ? { intervals: high.map((hv, i) => (typeof hv === 'number' && typeof low[i] === 'number' ? [low[i] as number, hv] as [number, number] : null)) } : {}),
  }));
  return { title, xLabel: 'latent step', yLabel: input.metric, categories: input.labels, series, markers: input.markers };
}

export function createConvergenceView(source: ConvergenceSource, ctx: ViewContext): View {
  let extra: Chart | undefined;
  const element = h('div', { class: 'convergence-view' });
  const grid = h('div', { class: 'chart-grid' });
  const note = source.kind === 'trace' ? fewStepsNote(source.traces) : null;
  if (note) element.append(h('p', { class: 'muted', 'data-testid': 'convergence-note' }, note));
  element.append(grid);
  const markersOf: Partial<Record<Metric, string[]>> = {};
  const svgOf: Partial<Record<Metric, SvgChart>> = {};
  let svgExtra: SvgChart | undefined;
  const chartOf: Partial<Record<Metric, Chart>> = {};
  const draw = (metric: Metric, box: HTMLElement, threshold: number | null) => {
    chartOf[metric]?.destroy();
    box.replaceChildren();
    const input = source.kind === 'trace' ? traceInputs(source.traces, metric, threshold) : stepsInputs(source.report, metric, threshold);
    const two = source.kind === 'trace' && source.traces.length > 1 ? source.traces : null;
    chartOf[metric] = createChart(box, {
      type: 'line',
      data: { labels: input.labels, datasets: input.datasets },
      options: {
        scales: {
          x: { title: { display: true, text: 'latent step' } },
          y: { title: { display: true, text: two ? `${metric}, A: ${two[0].model.name}` : metric }, beginAtZero: true },
          ...(two ? { y1: { position: 'right' as const, title: { display: true, text: `${metric}, B: ${two[1].model.name}` }, beginAtZero: true, grid: { drawOnChartArea: false } } } : {}),
        },
        plugins: { legend: { labels: { filter: (item) => item.text !== '95% CI (lower edge)' } } },
        layout: { padding: { top: markerPadding(input.markers) } },
      },
      plugins: [markerPlugin(input.markers)],
    }, `${METRIC_LABELS[metric]} per step`, `convergence-${metric}`);
    markersOf[metric] = input.markers.map((m) => `${metric}:${m.label}`);
    svgOf[metric] = metricSvgChart(input, `${METRIC_LABELS[metric]} to the previous latent token`);
    element.dataset.stopMarkers = METRICS.flatMap((m) => markersOf[m] ?? []).join('|');
  };
  for (const metric of METRICS) {
    const initial = source.kind === 'trace' ? tracesThreshold(source.traces, metric) : source.report.thresholds[metric];
    // the threshold is editable: "where would this rule have stopped at x?" for any metric
    const field = h('input', { type: 'number', min: 0, step: 'any', value: initial ?? '', placeholder: 'none', 'aria-label': `${METRIC_LABELS[metric]} threshold`, 'data-threshold': metric });
    const box = h('div');
    field.addEventListener('change', () => draw(metric, box, field.value === '' || !(Number(field.value) >= 0) ? null : Number(field.value)));
    grid.append(h('figure', { class: 'chart-figure', 'data-metric': metric },
      h('figcaption', {}, `${METRIC_LABELS[metric]} to the previous latent token `, h('label', { class: 'control' }, 'threshold ', field)),
      box));
    draw(metric, box, initial);
  }
  const charts = (): Chart[] => [...METRICS.map((m) => chartOf[m]), extra].filter((c): c is Chart => c !== undefined);

  let tables: Record<string, Table>;
  if (source.kind === 'steps') {
    const r = source.report;
    const rules = stepsRuleTable(r);
    const shown = { ...rules, header: ['Rule', 'Threshold', 'Average steps', 'Accuracy %', 'Answer tokens'] };
    element.append(renderTable(shown, `Adaptive stopping over ${r.items} items (${r.model}), as LaRe Table 4`, (v, col) =>
      typeof v === 'number' ? (col === 3 ? formatPercent(v) : formatNumber(v)) : String(v ?? '—')));
    tables = { rules, convergence: stepsConvergenceTable(r) };
    const items = reportItems(r);
    if (items.length) element.append(itemsTable(items, ctx, 'latent steps'));
    // Fig. 5 / Table 4 as a picture: accuracy per rule against the steps it spends
    const fig = h('figure', { class: 'chart-figure' }, h('figcaption', {}, 'Accuracy (bars) and average latent steps (line) per stopping rule'));
    element.append(fig);
    const ruleLabels = r.rows.map((row) => (row.threshold === undefined ? row.rule : `${row.rule} < ${formatNumber(row.threshold)}`));
    svgExtra = {
      title: 'Accuracy (bars) and average latent steps (line) per stopping rule', xLabel: 'stopping rule', yLabel: 'accuracy % · average steps', categories: ruleLabels,
      series: [
        { kind: 'bar', label: 'accuracy %', color: SERIES.cosine, values: r.rows.map((row) => row.accuracy * 100) },
        { kind: 'line', label: 'average steps', color: SERIES.l1, values: r.rows.map((row) => row.meanSteps) },
      ],
    };
    extra = createChart(fig, {
      type: 'bar',
      data: {
        labels: r.rows.map((row) => (row.threshold === undefined ? row.rule : `${row.rule} < ${formatNumber(row.threshold)}`)),
        datasets: [
          { type: 'bar', label: 'accuracy %', data: r.rows.map((row) => row.accuracy * 100), backgroundColor: `${SERIES.cosine}aa`, yAxisID: 'y' },
          { type: 'line', label: 'average steps', data: r.rows.map((row) => row.meanSteps), borderColor: SERIES.l1, backgroundColor: SERIES.l1, yAxisID: 'y1' },
        ],
      },
      options: {
        scales: {
          y: { title: { display: true, text: 'accuracy %' }, beginAtZero: true, max: 100 },
          y1: { position: 'right', title: { display: true, text: 'average steps' }, beginAtZero: true, grid: { drawOnChartArea: false } },
        },
      },
    }, 'accuracy and average steps per stopping rule', 'steps-rules');
  } else {
    const t = source.traces.length === 2 ? compareStepTable(source.traces[0], source.traces[1]) : traceStepTable(source.traces[0]);
    element.append(renderTable(t, 'Per-step windows and distances', (v) => (typeof v === 'number' ? formatNumber(v) : String(v ?? '—'))));
    tables = { steps: t };
  }

  const svgCharts = () => [...METRICS.map((m) => svgOf[m]).filter((c): c is SvgChart => c !== undefined), ...(svgExtra ? [svgExtra] : [])];
  const cellText = (v: unknown) => (typeof v === 'number' ? formatNumber(v) : String(v ?? '—'));
  const reportFigure = () => reportSvg(
    source.kind === 'steps' ? `Adaptive stopping over ${source.report.items} items (${source.report.model})` : 'Convergence',
    svgCharts(),
    Object.entries(tables).map(([caption, t]) => ({ caption, header: t.header, rows: t.rows.map((row) => row.map(cellText)) })));
  const name = source.kind === 'steps' ? fileStem(source.report.model, 'convergence') : fileStem(...source.traces.map((t) => t.input.imageName), 'convergence');
  return {
    element,
    exports: {
      name,
      // a dataset report exports as a figure with its title and tables on white; a trace's charts as they are
      png: () => (source.kind === 'steps' ? svgToPng(reportFigure()) : canvasesToPng(charts().map((c) => c.canvas), themeColor('--vscode-editor-background', '#ffffff'))),
      svg: () => textBytes(source.kind === 'steps' ? reportFigure() : chartsSvg(svgCharts())),
      csv: () => textBytes(source.kind === 'steps' ? reportCsv(source.report) : tablesCsv(tables)),
    },
    dispose() {
      charts().forEach((c) => c.destroy());
    },
  };
}
