/**
 * The one CSV schema of each report kind: the CLI writes it next to the report and the panel
 * exports it, so a report has the same columns wherever its CSV comes from.
 */
import type { CausalReport, Descriptive, ProbingReport, Report, StatsReport, StepsReport } from '../shared/reports';
import type { Table } from './csv';
import { probingModuleName } from './probingModules';

/** the models of a report: every model of a k-model comparison, else its two samples */
export function reportModels(r: StatsReport): { label: string; describe: Descriptive }[] {
  return r.comparison?.models ?? [{ label: r.labels.a, describe: r.a }, { label: r.labels.b, describe: r.b }];
}

/** the models' descriptive statistics, one row per statistic, one column per model (CSV and Markdown share them) */
export function descriptiveRows(ds: Descriptive[]): [string, ...number[]][] {
  return [
    ['n', ...ds.map((d) => d.n)],
    ['mean', ...ds.map((d) => d.mean)],
    ['std', ...ds.map((d) => d.std)],
    ['25th percentile', ...ds.map((d) => d.percentiles['25'])],
    ['median', ...ds.map((d) => d.percentiles['50'])],
    ['75th percentile', ...ds.map((d) => d.percentiles['75'])],
    ['95th percentile', ...ds.map((d) => d.percentiles['95'])],
  ];
}

/**
 * One schema for two-sample and k-model reports: a column per model (the descriptive rows), then the
 * tests of a vs b, then, for a k-model comparison, each pair's Welch t, Mann-Whitney U and Cohen's d
 * with the Holm-adjusted p in p_holm.
 */
export function statsCsvTable(r: StatsReport): Table {
  const models = reportModels(r);
  const blank = models.map(() => '');
  const tests: [string, number, number | undefined][] = [
    ["Student's t", r.student.t, r.student.p],
    ["Welch's t", r.welch.t, r.welch.p],
    [`Mann-Whitney U (${r.mannWhitney.method}, ${r.mannWhitney.alternative})`, r.mannWhitney.U, r.mannWhitney.p],
    ["Cohen's d", r.effectSize.cohensD, undefined],
    ['rank-biserial r', r.effectSize.rankBiserial, undefined],
  ];
  const pairs = (r.comparison?.pairs ?? []).flatMap((p): (string | number)[][] => [
    [`Welch's t: ${p.a} vs ${p.b}`, ...blank, p.welch.t, p.welch.p, p.welchHolm],
    [`Mann-Whitney U (${p.mannWhitney.method}, ${p.mannWhitney.alternative}): ${p.a} vs ${p.b}`, ...blank, p.mannWhitney.U, p.mannWhitney.p, p.mannWhitneyHolm],
    [`Cohen's d: ${p.a} vs ${p.b}`, ...blank, p.cohensD, '', ''],
    [`mean difference 95% CI: ${p.a} - ${p.b}`, ...blank, `${p.meanDifferenceCI[0]};${p.meanDifferenceCI[1]}`, '', ''],
    ...(p.paired ? [
      [`paired t: ${p.a} vs ${p.b}`, ...blank, p.paired.t, p.paired.p, p.pairedHolm ?? ''],
      [`paired mean difference 95% CI: ${p.a} - ${p.b}`, ...blank, `${p.pairedDifferenceCI![0]};${p.pairedDifferenceCI![1]}`, '', ''],
    ] : []),
  ]);
  return {
    header: ['statistic', ...models.map((m) => m.label), 'test_statistic', 'p_value', 'p_holm'],
    rows: [
      ...descriptiveRows(models.map((m) => m.describe)).map(([name, ...values]) => [name, ...values, '', '', '']),
      ...tests.map(([name, s, p]) => [name, ...blank, s, p, '']),
      [`mean difference 95% CI (${r.effectSize.meanDifferenceCIMethod ?? 'bootstrap'})`, ...blank, `${r.effectSize.meanDifferenceCI[0]};${r.effectSize.meanDifferenceCI[1]}`, '', ''],
      ...pairs,
    ],
  };
}

export function probingCsvTable(r: ProbingReport): Table {
  return {
    header: ['target', 'classifier', 'source', 'module', 'accuracy', 'accuracy_low', 'accuracy_high', 'control', 'control_low', 'control_high', 'selectivity',
      'neg_different_question_same_image', 'neg_different_image_same_question', 'neg_random', 'chosen',
      'inits', 'inits_min', 'inits_max', 'inits_sd', 'control_shuffles', 'control_min', 'control_max', 'control_sd'],
    rows: r.cells.map((c) => [
      c.target, c.classifier, c.source, probingModuleName(r, c.source), c.accuracy.value, c.accuracy.low, c.accuracy.high, c.control.value, c.control.low, c.control.high, c.selectivity,
      c.perNegativeType['different-question-same-image'], c.perNegativeType['different-image-same-question'], c.perNegativeType.random,
      Object.entries(c.chosen ?? {}).map(([k, v]) => `${k}=${v}`).join(';'),
      c.inits?.n, c.inits?.min, c.inits?.max, c.inits?.sd, c.controlShuffles?.n, c.controlShuffles?.min, c.controlShuffles?.max, c.controlShuffles?.sd,
    ]),
  };
}

export function stepsCsvTable(r: StepsReport): Table {
  return {
    header: ['rule', 'threshold', 'mean_steps', 'accuracy', 'mean_answer_tokens'],
    rows: r.rows.map((row) => [row.rule, row.threshold, row.meanSteps, row.accuracy, row.meanAnswerTokens]),
  };
}

/** the causal-effect study: one row per ablated step */
export function causalCsvTable(r: CausalReport): Table {
  return {
    header: ['step', 'n', 'baseline_accuracy', 'baseline_accuracy_low', 'baseline_accuracy_high', 'ablated_accuracy', 'ablated_accuracy_low', 'ablated_accuracy_high',
      'mcnemar_b', 'mcnemar_c', 'mcnemar_p', 'mean_logprob_change', 'logprob_change_low', 'logprob_change_high', 't', 'df', 't_p'],
    rows: r.rows.map((row) => [
      row.step, row.n, row.baselineAccuracy.value, row.baselineAccuracy.low, row.baselineAccuracy.high, row.ablatedAccuracy.value, row.ablatedAccuracy.low, row.ablatedAccuracy.high,
      row.mcnemar.b, row.mcnemar.c, row.mcnemar.p, row.logProbChange.value, row.logProbChange.low, row.logProbChange.high, row.pairedT.t, row.pairedT.df, row.pairedT.p,
    ]),
  };
}

export function reportCsvTable(r: Report | CausalReport): Table {
  switch (r.kind) {
    case 'stats': return statsCsvTable(r);
    case 'probing': return probingCsvTable(r);
    case 'steps': return stepsCsvTable(r);
    case 'causal': return causalCsvTable(r);
  }
}
