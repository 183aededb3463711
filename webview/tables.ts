/**
 * The numbers behind each view as header + rows: rendered as HTML tables and exported as CSV,
 * so the file always holds what the view shows.
 */
import type { Trace } from '../src/shared/trace';
import type { Report, StatsReport, ProbingReport, StepsReport, ProbeCell, NegativeType } from '../src/shared/reports';
import { reportCsvTable, reportModels } from '../src/present/reportCsv';
import { probingModuleName, probingSourceOrder } from '../src/present/probingModules';
import { toCsv, type CsvCell, type Table } from '../src/present/csv';
import { layerGrid } from './heatmap-layers';
import { METRICS, distanceSeries } from './convergence';

/** Every patch of every step: the three per-step layers, the window and the first-answer attention. */
export function tracePatchTable(trace: Trace): Table {
  const { rows: gr, cols: gc } = trace.input.grid;
  const rows: CsvCell[][] = [];
  trace.steps.forEach((s, t) => {
    const extractor = layerGrid(trace, t, 'extractorAttention');
    for (let i = 0; i < gr * gc; i++) {
      const r = Math.floor(i / gc);
      const c = i % gc;
      const w = s.window;
      const inWindow = w !== null && r >= w.row && r < w.row + w.size && c >= w.col && c < w.col + w.size;
      rows.push([t + 1, i, r, c, s.saliency[i], s.visualSimilarity[i],
        Number.isFinite(extractor[i]) ? extractor[i] : null, inWindow, trace.firstAnswerAttention.mean[i]]);
    }
  });
  return {
    header: ['step', 'patch', 'row', 'col', 'saliency', 'visual_similarity', 'extractor_attention', 'in_window', 'first_answer_attention'],
    rows,
  };
}

/** Per step: the window and the distances to the previous latent token. */
export function traceStepTable(trace: Trace): Table {
  const series = METRICS.map((m) => distanceSeries(trace, m));
  return {
    header: ['step', 'window_row', 'window_col', 'window_size', 'cosine', 'l1', 'l2'],
    rows: trace.steps.map((s, t) => [t + 1, s.window?.row, s.window?.col, s.window?.size, series[0][t], series[1][t], series[2][t]]),
  };
}

/** Two traces step by step, aligned on the step number; a missing step is an empty cell. */
export function compareStepTable(a: Trace, b: Trace): Table {
  const ta = traceStepTable(a);
  const tb = traceStepTable(b);
  const n = Math.max(ta.rows.length, tb.rows.length);
  const pad = (row: CsvCell[] | undefined) => (row ? row.slice(1) : new Array<CsvCell>(6).fill(null));
  return {
    header: ['step', ...ta.header.slice(1).map((h) => `a_${h}`), ...tb.header.slice(1).map((h) => `b_${h}`)],
    rows: Array.from({ length: n }, (_, i) => [i + 1, ...pad(ta.rows[i]), ...pad(tb.rows[i])]),
  };
}

/** LaRe Table 5: descriptive statistics of every model (both samples of a two-sample report). */
export function statsTable(r: StatsReport): Table {
  const models = reportModels(r);
  const d = (k: 'mean' | 'std' | 'min' | 'max' | 'n') => models.map((m) => m.describe[k]);
  const p = (k: '25' | '50' | '75' | '95') => models.map((m) => m.describe.percentiles[k]);
  return {
    header: ['statistic', ...models.map((m) => m.label)],
    rows: [
      ['n', ...d('n')],
      ['Mean', ...d('mean')],
      ['Std', ...d('std')],
      ['25th percentile', ...p('25')],
      ['Median', ...p('50')],
      ['75th percentile', ...p('75')],
      ['95th percentile', ...p('95')],
      ['Min', ...d('min')],
      ['Max', ...d('max')],
    ],
  };
}

/** Table 5 over k models: every pair's tests with the Holm-adjusted p (empty for a two-sample report). */
export function statsPairsTable(r: StatsReport): Table {
  return {
    header: ['pair', 'mean difference', 'CI low', 'CI high', "Welch's t", 'df', 'p', 'p (Holm)', 'Mann-Whitney U', 'p', 'p (Holm)', "Cohen's d"],
    rows: (r.comparison?.pairs ?? []).map((p) => [`${p.a} vs ${p.b}`, p.meanDifference, p.meanDifferenceCI[0], p.meanDifferenceCI[1], p.welch.t, p.welch.df, p.welch.p, p.welchHolm,
      p.mannWhitney.U, p.mannWhitney.p, p.mannWhitneyHolm, p.cohensD]),
  };
}

/** The paired t-test of every pair, where the study paired the models on the item. */
export function statsPairedTable(r: StatsReport): Table {
  return {
    header: ['pair', 'mean difference', 'paired CI low', 'paired CI high', 'paired t', 'df', 'p', 'p (Holm)'],
    rows: (r.comparison?.pairs ?? []).filter((p) => p.paired).map((p) => [`${p.a} vs ${p.b}`, p.meanDifference, p.pairedDifferenceCI![0], p.pairedDifferenceCI![1],
      p.paired!.t, p.paired!.df, p.paired!.p, p.pairedHolm ?? null]),
  };
}

/** The tests of Table 5: statistic, degrees of freedom, p. */
export function statsTestTable(r: StatsReport): Table {
  return {
    header: ['test', 'statistic', 'df', 'p'],
    rows: [
      ["Student's t", r.student.t, r.student.df, r.student.p],
      ["Welch's t", r.welch.t, r.welch.df, r.welch.p],
      [`Mann-Whitney U (${r.mannWhitney.method}, ${r.mannWhitney.alternative})`, r.mannWhitney.U, null, r.mannWhitney.p],
      ["Cohen's d", r.effectSize.cohensD, null, null],
      ['Rank-biserial r', r.effectSize.rankBiserial, null, null],
      ['Mean difference 95% CI low', r.effectSize.meanDifferenceCI[0], null, null],
      ['Mean difference 95% CI high', r.effectSize.meanDifferenceCI[1], null, null],
    ],
  };
}

export const NEGATIVE_TYPES: NegativeType[] = ['different-question-same-image', 'different-image-same-question', 'random'];

/** One row per cell in Table 6 order: source, classifier, target; rows named as src/present names them. */
export function probingTable(r: ProbingReport): Table {
  const sources = probingSourceOrder(r);
  const order = (c: ProbeCell) =>
    sources.indexOf(c.source) * 4 + ['svm', 'mlp'].indexOf(c.classifier) * 2 + ['vision', 'text'].indexOf(c.target);
  const cells = [...r.cells].sort((x, y) => order(x) - order(y));
  return {
    header: ['module', 'classifier', 'target', 'accuracy', 'ci_low', 'ci_high', 'control', 'control_low', 'control_high', 'selectivity',
      ...NEGATIVE_TYPES.map((n) => `acc_${n}`)],
    rows: cells.map((c) => [probingModuleName(r, c.source), c.classifier.toUpperCase(), c.target, c.accuracy.value, c.accuracy.low, c.accuracy.high,
      c.control.value, c.control.low, c.control.high, c.selectivity, ...NEGATIVE_TYPES.map((n) => c.perNegativeType[n])]),
  };
}

/** LaRe Table 4: average steps, accuracy and answer tokens per stopping rule. */
export function stepsRuleTable(r: StepsReport): Table {
  return {
    header: ['rule', 'threshold', 'mean_steps', 'accuracy', 'mean_answer_tokens'],
    rows: r.rows.map((row) => [row.rule, row.threshold, row.meanSteps, row.accuracy, row.meanAnswerTokens]),
  };
}

/** Mean and 95% CI of each distance per step across the dataset. */
export function stepsConvergenceTable(r: StepsReport): Table {
  const c = r.convergence;
  return {
    header: ['step', ...METRICS.flatMap((m) => [`${m}_mean`, `${m}_low`, `${m}_high`])],
    rows: c.step.map((s, i) => [s, ...METRICS.flatMap((m) => [c[m][i].value, c[m][i].low, c[m][i].high])]),
  };
}

/**
 * Several tables as one long table (table, row, column, value): one CSV file that still names
 * every number, for views that show more than one table.
 */
export function longTable(tables: Record<string, Table>): Table {
  const rows = Object.entries(tables).flatMap(([name, t]) =>
    t.rows.flatMap((row) => row.slice(1).map((v, i): CsvCell[] => [name, row[0], t.header[i + 1], v])));
  return { header: ['table', 'row', 'column', 'value'], rows };
}

/** A table as CSV; several as their long form. */
export function tablesCsv(tables: Record<string, Table>): string {
  const list = Object.values(tables);
  const t = list.length === 1 ? list[0] : longTable(tables);
  return toCsv(t.header, t.rows);
}

/** A dataset report as the panel exports it: the report's one CSV schema, the file the CLI writes. */
export function reportCsv(r: Report): string {
  const t = reportCsvTable(r);
  return toCsv(t.header, t.rows);
}
