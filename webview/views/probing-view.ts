/**
 * The probing view (LaRe Table 6): vision/text matching accuracy of SVM and MLP probes on latents
 * with and without the Extractor (or of two LaRe models, rows named by model), with CI error bars, the MLP's
 * spread over its initialisations, the shuffled-label control (mean over its permutations, with their range),
 * selectivity, accuracy per negative type, the pair counts per target and the settings used.
 */
import type { Chart } from 'chart.js';
import type { PairCounts, ProbingReport, ProbeCell, Spread } from '../../src/shared/reports';
import { SERIES, createChart, errorBarPlugin } from '../charts';
import { h, renderTable } from '../dom';
import { formatNumber, formatPercent, fileStem } from '../format';
import { NEGATIVE_TYPES, probingTable, reportCsv } from '../tables';
import { probingModuleName, probingSourceOrder, probingTitle } from '../../src/present/probingModules';
import { svgToPng, textBytes } from '../exporting';
import { reportSvg } from '../chart-svg';
import type { View, ViewContext } from './view';
import { itemsTable } from './items-table';
import { reportItems } from '../../src/present/report-items';

const spread = (x: Spread | undefined, what: string) => (x && x.n > 1 ? ` (${x.n} ${what} ${formatPercent(x.min)}–${formatPercent(x.max)})` : '');
const pct = (c: ProbeCell | undefined, k: 'accuracy' | 'control') =>
  c ? `${formatPercent(c[k].value)} [${formatPercent(c[k].low)}, ${formatPercent(c[k].high)}]${k === 'accuracy' ? spread(c.inits, 'inits') : spread(c.controlShuffles, 'shuffles')}` : '—';

/** Table 6 proper: one row per module × classifier, vision and text side by side. */
function table6(r: ProbingReport): HTMLTableElement {
  const groups = new Map<string, { source: ProbeCell['source']; classifier: ProbeCell['classifier'] }>();
  for (const c of r.cells) groups.set(`${c.source}/${c.classifier}`, { source: c.source, classifier: c.classifier });
  const order = probingSourceOrder(r);
  const keys = [...groups.values()].sort((a, b) => order.indexOf(a.source) - order.indexOf(b.source) || a.classifier.localeCompare(b.classifier) * -1);
  const cell = (g: { source: string; classifier: string }, target: string) => r.cells.find((c) => c.source === g.source && c.classifier === g.classifier && c.target === target);
  const el = renderTable({
    header: ['Module', 'Classifier', 'Vision acc. % [95% CI]', 'Text acc. % [95% CI]', 'Vision control', 'Text control', 'Selectivity (V / T)'],
    rows: keys.map((g) => {
      const v = cell(g, 'vision');
      const t = cell(g, 'text');
      return [probingModuleName(r, g.source), g.classifier.toUpperCase(), pct(v, 'accuracy'), pct(t, 'accuracy'), pct(v, 'control'), pct(t, 'control'),
        `${v ? formatPercent(v.selectivity) : '—'} / ${t ? formatPercent(t.selectivity) : '—'}`];
    }),
  }, probingTitle(r), (v) => String(v ?? '—'));
  el.dataset.testid = 'table6';
  return el;
}

export function createProbingView(r: ProbingReport, ctx: ViewContext): View {
  const table = probingTable(r);
  const labels = table.rows.map((row) => `${row[0]} ${row[1]} ${row[2]}`);
  const sorted = table.rows;
  const figure = h('figure', { class: 'chart-figure wide' }, h('figcaption', {}, 'Accuracy with 95% CI; grey: shuffled-label control'));
  const chart: Chart = createChart(figure, {
    type: 'bar',
    data: {
      labels,
      datasets: [
        { label: 'accuracy', data: sorted.map((row) => row[3] as number), backgroundColor: sorted.map((row) => (row[2] === 'vision' ? SERIES.a : SERIES.b)) },
        { label: 'control', data: sorted.map((row) => row[6] as number), backgroundColor: `${SERIES.control}99` },
      ],
    },
    options: { scales: { y: { min: 0, max: 1, title: { display: true, text: 'accuracy' } } } },
    plugins: [errorBarPlugin([sorted.map((row) => [row[4] as number, row[5] as number]), sorted.map((row) => [row[7] as number, row[8] as number])])],
  }, 'probe accuracy per cell with confidence intervals', 'probing-chart');

  const negatives = renderTable({
    header: ['Module', 'Classifier', 'Target', ...NEGATIVE_TYPES],
    rows: sorted.map((row) => [row[0], row[1], row[2], ...row.slice(10)]),
  }, 'Accuracy per negative type', (v, col) => (typeof v === 'number' && col >= 3 ? formatPercent(v) : String(v ?? '—')));
  const counts = (p: PairCounts) => `${p.total} pairs: ${p.positive} positive; negatives ${NEGATIVE_TYPES.map((n) => `${n} ${p.negative[n] ?? 0}`).join(', ')}`;
  const pairs = h('p', {}, `${r.pairsByTarget ? `Vision: ${counts(r.pairsByTarget.vision)}. Text: ${counts(r.pairsByTarget.text)}.` : `${counts(r.pairs)}.`}`
    + ' A negative type the data cannot supply is filled with random negatives and counted as random. The control is the same pipeline on permuted training labels; its expected accuracy is exactly 50%.');
  const settings = renderTable({
    header: ['setting', 'value'],
    rows: [...Object.entries(r.settings), ...r.cells.flatMap((c) => Object.entries(c.chosen ?? {}).map(([k, v]) => [`${c.source} ${c.classifier} ${c.target} ${k}`, v]))],
  }, 'Settings', (v) => (typeof v === 'number' ? formatNumber(v) : String(v ?? '—')));

  const title = probingTitle(r);
  // the exported figure: the chart rebuilt from the data (bars with CI whiskers) and the tables, on white
  const figureSvg = (): string => reportSvg(title, [{
    title: 'Accuracy with 95% CI; grey: shuffled-label control', xLabel: 'module, classifier, target', yLabel: 'accuracy', categories: labels,
    series: [
      { kind: 'bar', label: 'accuracy', color: SERIES.a, values: sorted.map((row) => row[3] as number), intervals: sorted.map((row) => [row[4] as number, row[5] as number]) },
      { kind: 'bar', label: 'control', color: SERIES.control, values: sorted.map((row) => row[6] as number), intervals: sorted.map((row) => [row[7] as number, row[8] as number]) },
    ],
  }], [{ caption: 'Probe accuracy per cell', header: table.header, rows: table.rows.map((row) => row.map((v) => (typeof v === 'number' ? formatNumber(v) : String(v ?? '—')))) }], { width: 900, height: 380 });
  const items = reportItems(r);
  const element = h('div', { class: 'probing-view' }, table6(r), figure, negatives, pairs, settings, ...(items.length ? [itemsTable(items, ctx, 'statistic')] : []));
  return {
    element,
    exports: {
      name: fileStem('probing', r.models.model),
      png: () => svgToPng(figureSvg()),
      svg: () => textBytes(figureSvg()),
      csv: () => textBytes(reportCsv(r)),
    },
    dispose() {
      chart.destroy();
    },
  };
}
