/**
 * Reports as tables: CSV (one header row, RFC 4180 quoting) and Markdown in the shape of the LaRe
 * paper's tables (Table 4 steps, Table 5 attention statistics, Table 6 probing).
 */
import type { CausalReport, Interval, NegativeType, PairCounts, ProbeCell, ProbingReport, StatsReport, StepsReport } from '../shared/reports';
import { toCsv, type Table } from './csv';
import { probingModuleName, probingSourceOrder, probingTitle } from './probingModules';
import { causalCsvTable, descriptiveRows, probingCsvTable, reportModels, statsCsvTable, stepsCsvTable } from './reportCsv';

const NEGATIVE_TYPES: NegativeType[] = ['different-question-same-image', 'different-image-same-question', 'random'];

export interface Tables {
  csv: string;
  markdown: string;
}

const num = (x: number, digits = 4): string => (Number.isFinite(x) ? (Math.abs(x) !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e6) ? x.toExponential(digits - 1) : x.toFixed(digits)) : String(x));
const pct = (x: number): string => (Number.isFinite(x) ? (100 * x).toFixed(1) : String(x));
const ci = (i: Interval): string => `${pct(i.value)} [${pct(i.low)}, ${pct(i.high)}]`;

/**
 * Text from outside (model names, labels, rule names) as inert Markdown: HTML is escaped, Markdown's
 * own syntax characters are backslash-escaped and line breaks become spaces, so a bundle named
 * `<img src=x onerror=...>` or `[x](javascript:...)` shows as those characters and a `|` cannot
 * split a table cell.
 */
export function markdownText(s: string): string {
  return s
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
    .replace(/[\\`*_{}[\]()#+!|~]/g, (c) => `\\${c}`);
}

const csvOf = (t: Table): string => toCsv(t.header, t.rows);

function markdownTable(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export function statsTables(r: StatsReport): Tables {
  const models = reportModels(r);
  const la = markdownText(r.labels.a);
  const lb = markdownText(r.labels.b);
  const descriptive = descriptiveRows(models.map((m) => m.describe));
  const parts = [
    `${r.measure ? `**${markdownText(r.measure)}**\n\n` : ''}${markdownTable(['Statistic', ...models.map((m) => markdownText(m.label))], descriptive.map(([name, ...values]) => [name, ...values.map((v) => (name === 'n' ? String(v) : num(v)))]))}`,
    `${r.comparison ? `${la} vs ${lb}:\n\n` : ''}${markdownTable(['Test', 'Statistic', 'df', 'p-value'], [
      ["Student's t", num(r.student.t), num(r.student.df, 1), num(r.student.p, 3)],
      ["Welch's t", num(r.welch.t), num(r.welch.df, 1), num(r.welch.p, 3)],
      [`Mann-Whitney U (${r.mannWhitney.method})`, num(r.mannWhitney.U, 1), '', num(r.mannWhitney.p, 3)],
    ])}`,
    `Cohen's d ${num(r.effectSize.cohensD, 3)}, rank-biserial r ${num(r.effectSize.rankBiserial, 3)}, mean difference ${la} - ${lb} 95% CI [${num(r.effectSize.meanDifferenceCI[0])}, ${num(r.effectSize.meanDifferenceCI[1])}] (${r.effectSize.meanDifferenceCIMethod ?? 'bootstrap'}).`,
  ];
  const c = r.comparison;
  if (c) {
    parts.push(markdownTable(['Pair', 'Mean difference [95% CI]', "Welch's t (df)", 'p', 'p (Holm)', 'Mann-Whitney U', 'p', 'p (Holm)', "Cohen's d"], c.pairs.map((p) => [
      `${markdownText(p.a)} vs ${markdownText(p.b)}`, `${num(p.meanDifference)} [${num(p.meanDifferenceCI[0])}, ${num(p.meanDifferenceCI[1])}]`,
      `${num(p.welch.t)} (${num(p.welch.df, 1)})`, num(p.welch.p, 3), num(p.welchHolm, 3), num(p.mannWhitney.U, 1), num(p.mannWhitney.p, 3), num(p.mannWhitneyHolm, 3), num(p.cohensD, 3),
    ])));
    parts.push(`Pairwise tests on the same ${models[0].describe.n} items for every model; Holm's correction over the family of ${c.family} pair${c.family === 1 ? '' : 's'}, Welch and Mann-Whitney each their own family (two-sided).`);
    const paired = c.pairs.filter((p) => p.paired);
    if (paired.length) {
      parts.push(markdownTable(['Pair', 'Mean difference [95% paired CI]', 'Paired t (df)', 'p', 'p (Holm)'], paired.map((p) => [
        `${markdownText(p.a)} vs ${markdownText(p.b)}`, `${num(p.meanDifference)} [${num(p.pairedDifferenceCI![0])}, ${num(p.pairedDifferenceCI![1])}]`,
        `${num(p.paired!.t)} (${num(p.paired!.df, 1)})`, num(p.paired!.p, 3), num(p.pairedHolm!, 3),
      ])));
      parts.push('Paired on the item: the t-test of the per-item differences (two-sided) with Holm over the pairs as its own family, and a percentile bootstrap CI of the mean difference that resamples items.');
    }
  }
  return { csv: csvOf(statsCsvTable(r)), markdown: `${parts.join('\n\n')}\n` };
}

export function probingTables(r: ProbingReport): Tables {
  const sourceName = (source: ProbeCell['source']) => probingModuleName(r, source, markdownText);
  // the MLP's spread over its initialisations, beside its mean
  const acc = (c: ProbeCell) => `${ci(c.accuracy)}${c.inits && c.inits.n > 1 ? ` (${c.inits.n} inits ${pct(c.inits.min)}–${pct(c.inits.max)})` : ''}`;
  const rows: string[][] = [];
  const negativeRows: string[][] = [];
  for (const source of probingSourceOrder(r)) {
    for (const classifier of ['svm', 'mlp'] as const) {
      const cell = (target: 'vision' | 'text') => r.cells.find((c) => c.source === source && c.classifier === classifier && c.target === target);
      const v = cell('vision');
      const t = cell('text');
      if (!v || !t) continue;
      rows.push([sourceName(source), classifier.toUpperCase(), acc(v), acc(t), `${pct(v.control.value)} / ${pct(t.control.value)}`, `${pct(v.selectivity)} / ${pct(t.selectivity)}`]);
      for (const c of [v, t]) negativeRows.push([sourceName(source), classifier.toUpperCase(), c.target, ...NEGATIVE_TYPES.map((n) => pct(c.perNegativeType[n]))]);
    }
  }
  const counts = (p: PairCounts) => `${p.total} pairs (${p.positive} positive; negatives: ${NEGATIVE_TYPES.map((k) => `${p.negative[k]} ${k}`).join(', ')})`;
  const byTarget = r.pairsByTarget ? `vision: ${counts(r.pairsByTarget.vision)}; text: ${counts(r.pairsByTarget.text)}` : counts(r.pairs);
  const shuffles = r.cells.find((c) => c.controlShuffles)?.controlShuffles?.n;
  const inits = r.cells.find((c) => c.inits)?.inits?.n;
  const notes = [
    `${byTarget}, ${Math.round(Number(r.settings.testFraction) * 100)}% test split grouped by image. A negative type the data cannot supply (one question per image, a question asked of one image only) is filled with random negatives and counted as random.`,
    `Intervals: 95% percentile bootstrap over the test pairs${inits && inits > 1 ? `; MLP cells are the mean over ${inits} initialisations (min–max in brackets), the SVM is fitted once (convex)` : ''}. `
      + `Control: the same pipeline on permuted training labels, scored on the true test labels${shuffles && shuffles > 1 ? `, the mean over ${shuffles} permutations` : ''}; its expected accuracy is exactly 50% (balanced labels, label-symmetric probes), and one permutation can land several points from it.`,
  ];
  const negatives = markdownTable(['Module', 'Classifier', 'Target', ...NEGATIVE_TYPES.map((n) => `True-negative rate % (${n})`)], negativeRows);
  const markdown = `**${markdownText(probingTitle(r))}**\n\n${markdownTable(['Module', 'Classifier', 'Vision accuracy % [95% CI]', 'Text accuracy % [95% CI]', 'Control % (vision / text)', 'Selectivity (vision / text)'], rows)}\n\n${negatives}\n\n${notes.join('\n\n')}\n`;
  return { csv: csvOf(probingCsvTable(r)), markdown };
}

export function stepsTables(r: StepsReport): Tables {
  const table = markdownTable(
    ['Method', 'Average steps', 'Acc. %', '# Answer tokens'],
    r.rows.map((row) => [row.threshold === undefined ? row.rule : `adaptive (${row.rule} < ${row.threshold})`, row.meanSteps.toFixed(2), pct(row.accuracy), row.meanAnswerTokens.toFixed(2)]),
  );
  const curve = markdownTable(
    ['Step t', 'cosine d_t', 'L1 d_t', 'L2 d_t'],
    r.convergence.step.map((t, k) => [String(t), num(r.convergence.cosine[k].value), num(r.convergence.l1[k].value), num(r.convergence.l2[k].value)]),
  );
  return { csv: csvOf(stepsCsvTable(r)), markdown: `${table}\n\nMean distance between consecutive latent tokens (${r.items} items):\n\n${curve}\n` };
}

/** the causal-effect study: one row per ablated step */
export function causalTables(r: CausalReport): Tables {
  const table = markdownTable(
    ['Zeroed step', 'n', 'Acc. % (unmodified)', 'Acc. % (step zeroed)', 'McNemar b / c, p', 'Mean Δ log p(answer token 1)', 'Paired t, p'],
    r.rows.map((row) => [
      String(row.step), String(row.n), ci(row.baselineAccuracy), ci(row.ablatedAccuracy), `${row.mcnemar.b} / ${row.mcnemar.c}, ${num(row.mcnemar.p)}`,
      `${num(row.logProbChange.value)} [${num(row.logProbChange.low)}, ${num(row.logProbChange.high)}]`, `${num(row.pairedT.t, 3)}, ${num(row.pairedT.p)}`,
    ]),
  );
  const note = `Causal effect of each latent step of ${markdownText(r.model)} over ${r.n} items: the step zeroed, the step count pinned to the unmodified run. `
    + `Intervals are percentile bootstrap ${100 * r.bootstrap.level}% CIs (${r.bootstrap.resamples} resamples, seed ${r.bootstrap.seed}); McNemar is exact (b: right to wrong, c: wrong to right).`;
  return { csv: csvOf(causalCsvTable(r)), markdown: `${note}\n\n${table}\n` };
}
