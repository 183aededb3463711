/**
 * The attention-statistics view (LaRe Table 5): every model's sample as box or violin plots, the first
 * two (model and baseline) as histograms over shared bins, the descriptive table with p-values beside
 * mean and median as the paper prints them, every test of the two with its statistic, degrees of
 * freedom and p, and for a k-model report every pair's tests with Holm's correction.
 */
import type { Chart } from 'chart.js';
import type { StatsReport } from '../../src/shared/reports';
import { SERIES, createChart, modelColour } from '../charts';
import { button, h, renderTable } from '../dom';
import { formatNumber, formatP, fileStem } from '../format';
import { sharedHistogram } from '../histogram';
import { reportCsv, statsPairedTable, statsPairsTable, statsTable, statsTestTable } from '../tables';
import { svgToPng, textBytes } from '../exporting';
import { reportSvg, type SvgChart } from '../chart-svg';
import type { View, ViewContext } from './view';
import { itemsTable, openItem } from './items-table';
import { outlierItems, reportItems } from '../../src/present/report-items';
import { reportModels } from '../../src/present/reportCsv';
import type { ReportItem } from '../../src/shared/reports';

/** Table 5 with a p-value column: Student's/Welch's t beside the mean, Mann-Whitney U beside the median. */
function table5(r: StatsReport): HTMLTableElement {
  const t = statsTable(r);
  const pFor: Record<string, string> = {
    Mean: `Student ${formatP(r.student.p)} · Welch ${formatP(r.welch.p)}`,
    Median: `Mann-Whitney ${formatP(r.mannWhitney.p)}`,
  };
  const el = renderTable({ header: [...t.header, `p-value (${r.labels.a} vs ${r.labels.b})`], rows: t.rows.map((row) => [...row, pFor[String(row[0])] ?? '–']) },
    `${r.measure}: ${t.header.slice(1).join(' vs ')}, as LaRe Table 5`,
    (v, col) => (typeof v === 'number' ? (col === 0 ? String(v) : formatNumber(v)) : String(v ?? '—')));
  el.dataset.testid = 'table5';
  return el;
}

/** The items of one side of the comparison: by model name where items carry it, else none. */
function sideItems(items: readonly ReportItem[], label: string): ReportItem[] {
  return items.filter((it) => it.model === label);
}

export function createStatsView(r: StatsReport, ctx: ViewContext): View {
  const charts: Chart[] = [];
  const items = reportItems(r);
  const models = reportModels(r);
  const samples = r.comparison?.models.map((m) => m.sample) ?? [r.samples.a, r.samples.b];
  const outliers = models.map((m) => outlierItems(sideItems(items, m.label)));
  let shape: 'boxplot' | 'violin' = 'boxplot';
  const distribution = h('figure', { class: 'chart-figure' }, h('figcaption', {}, `Distributions of ${r.measure} (box: quartiles, whiskers: min and max, dot: mean)`));
  const outlierValues = outliers.flat().map((it) => it.statistic!);
  const lo = Math.min(...models.map((m) => m.describe.min), ...outlierValues);
  const hi = Math.max(...models.map((m) => m.describe.max), ...outlierValues);
  const pad = (hi - lo) * 0.08 || Math.abs(hi) * 0.05 || 1;
  const drawDistribution = () => {
    charts[0]?.destroy();
    distribution.querySelector('.chart-box')?.remove();
    const data = shape === 'violin'
      ? samples
      : models.map(({ describe: d }) => ({
        min: d.min, q1: d.percentiles['25'], median: d.percentiles['50'], q3: d.percentiles['75'], max: d.max, mean: d.mean,
        // whiskers at min and max, as in the table (the plugin would otherwise draw Tukey's 1.5 IQR)
        whiskerMin: d.min, whiskerMax: d.max,
      }));
    if (shape === 'boxplot') {
      // outlier items are drawn as points (they open their trace when clicked)
      (data as { outliers?: number[] }[]).forEach((d, k) => (d.outliers = outliers[k].map((it) => it.statistic!)));
    }
    charts[0] = createChart(distribution, {
      type: shape,
      data: { labels: models.map((m) => m.label), datasets: [{ label: r.measure, data: data as never, backgroundColor: models.map((_, k) => `${modelColour(k)}66`), borderColor: models.map((_, k) => modelColour(k)), borderWidth: 1.5 }] },
      // the axis spans the data (not zero), so two narrow distributions still show their boxes
      options: {
        plugins: { legend: { display: false } },
        scales: { y: { min: lo - pad, max: hi + pad } },
        onClick: (ev, _elements, chart) => {
          const item = outlierAt(chart, ev.x, ev.y);
          if (item) openItem(ctx, item.id);
        },
      },
      plugins: [{
        // where each outlier is drawn (CSS pixels of the canvas), once laid out, so it can be found and clicked
        id: 'outlierPoints',
        afterDraw: (chart) => {
          chart.canvas.dataset.outlierPoints = outliers.flatMap((group, k) => group.map((it) =>
            `${it.id}@${chart.scales.x.getPixelForValue(k).toFixed(1)},${chart.scales.y.getPixelForValue(it.statistic!).toFixed(1)}`)).join('|');
        },
      }],
    }, `${shape} of ${models.map((m) => m.label).join(', ')}`, 'stats-distribution');

  };
  /** The outlier item drawn nearest to a click on the box plot, within 8 px. */
  function outlierAt(chart: Chart, x: number | null, y: number | null): ReportItem | undefined {
    if (x === null || y === null || shape !== 'boxplot') return undefined;
    let best: { it: ReportItem; d: number } | undefined;
    outliers.forEach((group, k) => {
      const px = chart.scales.x.getPixelForValue(k);
      for (const it of group) {
        const d = Math.hypot(px - x, chart.scales.y.getPixelForValue(it.statistic!) - y);
        if (d <= 8 && (!best || d < best.d)) best = { it, d };
      }
    });
    return best?.it;
  }
  const toggle = button('Show violins', () => {
    shape = shape === 'boxplot' ? 'violin' : 'boxplot';
    toggle.textContent = shape === 'boxplot' ? 'Show violins' : 'Show box plots';
    drawDistribution();
  });
  distribution.prepend(toggle);
  drawDistribution();

  const hist = sharedHistogram(r.samples.a, r.samples.b);
  const histogram = h('figure', { class: 'chart-figure' }, h('figcaption', {}, `Histograms over shared bins${models.length > 2 ? ` (${r.labels.a} and ${r.labels.b})` : ''}`));
  charts[1] = createChart(histogram, {
    type: 'bar',
    data: {
      labels: hist.a.map((_, i) => formatNumber((hist.edges[i] + hist.edges[i + 1]) / 2, 3)),
      datasets: [
        { label: r.labels.a, data: hist.a, backgroundColor: `${SERIES.a}aa`, barPercentage: 1, categoryPercentage: 0.9 },
        { label: r.labels.b, data: hist.b, backgroundColor: `${SERIES.b}aa`, barPercentage: 1, categoryPercentage: 0.9 },
      ],
    },
    options: { scales: { x: { title: { display: true, text: r.measure } }, y: { title: { display: true, text: 'count' } } } },
  }, `histograms of ${r.labels.a} and ${r.labels.b}`, 'stats-histogram');

  const tests = statsTestTable(r);
  const pairs = statsPairsTable(r);
  const paired = statsPairedTable(r);
  // the pairwise tables, shown in the panel and in the exported figure alike: p-value columns as p-values
  const pairTables = [
    ...(r.comparison ? [{ table: pairs, testid: 'table5-pairs', pCols: new Set([6, 7, 9, 10]),
      caption: `Every pair on the same ${models[0].describe.n} items: Holm's correction over ${r.comparison.family} pair${r.comparison.family === 1 ? '' : 's'}, Welch and Mann-Whitney each their own family (two-sided)` }] : []),
    ...(paired.rows.length ? [{ table: paired, testid: 'table5-paired', pCols: new Set([6, 7]),
      caption: 'Paired on the item: t-test of the per-item differences (two-sided), Holm over the pairs as its own family, bootstrap CI resampling items' }] : []),
  ].map((t) => ({ ...t, cell: (v: unknown, col: number) => (typeof v === 'number' ? (t.pCols.has(col) ? formatP(v) : formatNumber(v)) : String(v ?? '—')) }));
  const pairElements = pairTables.map((t) => {
    const el = renderTable(t.table, t.caption, t.cell);
    el.dataset.testid = t.testid;
    return el;
  });
  const element = h('div', { class: 'stats-view' },
    h('div', { class: 'chart-grid two' }, distribution, histogram),
    table5(r),
    renderTable(tests, `Tests and effect sizes${models.length > 2 ? ` (${r.labels.a} vs ${r.labels.b})` : ''}`, (v, col) => (typeof v === 'number' ? (col === 3 ? formatP(v) : formatNumber(v)) : String(v ?? '—'))),
    ...pairElements,
    ...(items.length ? [itemsTable(items, ctx, r.measure)] : []),
  );
  const title = `${r.measure}: ${models.map((m) => m.label).join(' vs ')}`;
  const fmt = (v: unknown) => (typeof v === 'number' ? formatNumber(v) : String(v ?? '—'));
  // the figure as exported: charts built from the data (vector), Table 5 and the tests, on white
  const figure = (): string => {
    const box = (d: StatsReport['a'], k: number) => ({ min: d.min, q1: d.percentiles['25'], median: d.percentiles['50'], q3: d.percentiles['75'], max: d.max, outliers: outliers[k].map((it) => it.statistic!) });
    const svgCharts: SvgChart[] = [
      { title: `Distributions of ${r.measure}`, xLabel: '', yLabel: r.measure, categories: models.map((m) => m.label), beginAtZero: false,
        series: models.map((m, k) => ({ kind: 'box', label: m.label, color: modelColour(k), values: [], boxes: models.map((_, j) => (j === k ? box(m.describe, k) : null)) })) },
      { title: 'Histograms over shared bins', xLabel: r.measure, yLabel: 'count', categories: hist.a.map((_, i) => formatNumber((hist.edges[i] + hist.edges[i + 1]) / 2, 3)),
        series: [{ kind: 'bar', label: r.labels.a, color: SERIES.a, values: hist.a }, { kind: 'bar', label: r.labels.b, color: SERIES.b, values: hist.b }] },
    ];
    const d = statsTable(r);
    return reportSvg(title, svgCharts, [
      { caption: `${title}, as LaRe Table 5`, header: d.header, rows: d.rows.map((row) => row.map(fmt)) },
      { caption: 'Tests and effect sizes', header: tests.header, rows: tests.rows.map((row) => row.map((v, col) => (typeof v === 'number' && col === 3 ? formatP(v) : fmt(v)))) },
      ...pairTables.map((t) => ({ caption: t.caption, header: t.table.header, rows: t.table.rows.map((row) => row.map(t.cell)) })),
    ]);
  };
  return {
    element,
    exports: {
      name: models.length > 2 ? fileStem('stats', r.labels.a, 'vs', `${models.length - 1} models`) : fileStem('stats', r.labels.a, 'vs', r.labels.b),
      png: () => svgToPng(figure()),
      svg: () => textBytes(figure()),
      csv: () => textBytes(reportCsv(r)),
    },
    dispose() {
      charts.forEach((c) => c.destroy());
    },
  };
}
