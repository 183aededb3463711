/**
 * The one CSV schema of each report kind: the CLI writes it next to the report and the panel
 * exports it, so a report has the same columns wherever its CSV comes from.
 */
import type { CausalReport, ProbingReport, Report, StatsReport, StepsReport } from '../shared/reports';
import type { Table } from './csv';
import { probingModuleName } from './probingModules';

/** The two samples' descriptive statistics, one row per statistic: [label, a, b] (CSV and Markdown share them). */
export function sampleRows(r: StatsReport): [string, number, number][] {
  return [
    ['n', r.a.n, r.b.n],
    ['mean', r.a.mean, r.b.mean],
    ['std', r.a.std, r.b.std],
    ['25th percentile', r.a.percentiles['25'], r.b.percentiles['25']],
    ['median', r.a.percentiles['50'], r.b.percentiles['50']],
    ['75th percentile', r.a.percentiles['75'], r.b.percentiles['75']],
    ['95th percentile', r.a.percentiles['95'], r.b.percentiles['95']],
  ];
}

export function statsCsvTable(r: StatsReport): Table {
  const samples = sampleRows(r);
  const tests: [string, number, number | undefined][] = [
    ["Student's t", r.student.t, r.student.p],
    ["Welch's t", r.welch.t, r.welch.p],
    [`Mann-Whitney U (${r.mannWhitney.method}, ${r.mannWhitney.alternative})`, r.mannWhitney.U, r.mannWhitney.p],
    ["Cohen's d", r.effectSize.cohensD, undefined],
    ['rank-biserial r', r.effectSize.rankBiserial, undefined],
  ];
  return {
    header: ['statistic', r.labels.a, r.labels.b, 'test_statistic', 'p_value'],
    rows: [
      ...samples.map(([name, a, b]) => [name, a, b, '', '']),
      ...tests.map(([name, s, p]) => [name, '', '', s, p]),
      [`mean difference 95% CI (${r.effectSize.meanDifferenceCIMethod ?? 'bootstrap'})`, '', '', `${r.effectSize.meanDifferenceCI[0]};${r.effectSize.meanDifferenceCI[1]}`, ''],
    ],
  };
}

export function probingCsvTable(r: ProbingReport): Table {
  return {
    header: ['target', 'classifier', 'source', 'module', 'accuracy', 'accuracy_low', 'accuracy_high', 'control', 'control_low', 'control_high', 'selectivity',
      'neg_different_question_same_image', 'neg_different_image_same_question', 'neg_random', 'chosen'],
    rows: r.cells.map((c) => [
      c.target, c.classifier, c.source, probingModuleName(r, c.source), c.accuracy.value, c.accuracy.low, c.accuracy.high, c.control.value, c.control.low, c.control.high, c.selectivity,
      c.perNegativeType['different-question-same-image'], c.perNegativeType['different-image-same-question'], c.perNegativeType.random,
      Object.entries(c.chosen ?? {}).map(([k, v]) => `${k}=${v}`).join(';'),
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
