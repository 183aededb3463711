/**
 * `latent-trace steps <dataset>`: fixed T = 1..T_max against adaptive cosine / L1 / L2 stopping
 * (LaRe Table 4, Fig. 5): mean steps, accuracy and answer tokens, plus the convergence curves.
 */
import { adaptiveStopStep, convergenceCurves, DISTANCE_METRICS } from '../../analysis/convergence';
import { stepsTables } from '../../analysis/reportTables';
import { readManifest } from '../../runtime/bundle';
import type { StepsResult } from '../../runtime/datasets/trace-processors';
import { runTask } from '../../runtime/datasets/task';
import type { StepsReport, StepsRow } from '../../shared/reports';
import { intOpt, numberOpt, parseCommandArgs } from '../args';
import type { CliCommand } from '../io';
import { readTraceOptions, traceOptionSpec, traceOptionsUsage } from '../trace-options';
import { datasetOptionSpec, datasetOptionsUsage, readDatasetArgs, shardNotice, writeReportFiles } from './dataset-common';

export const stepsCommand: CliCommand = {
  name: 'steps',
  summary: 'fixed T = 1..8 vs adaptive cosine/L1/L2 stopping: steps, accuracy, answer tokens (Table 4, Fig. 5)',
  usage: `latent-trace steps <dataset.jsonl|.parquet> [--model <dir>] [options]

  --max-t <N>               largest fixed T and the adaptive cap (default 8)
  --cosine <x> --l1 <x> --l2 <x>   adaptive thresholds (default: the bundle's)
  --out <dir>               also writes steps.report.json, steps.csv, steps.md
${datasetOptionsUsage}
${traceOptionsUsage}`,
  examples: ['latent-trace steps media/samples/samples.jsonl', 'latent-trace steps data.jsonl --model models/lare --max-t 6 --json'],
  async run(argv, io) {
    const a = parseCommandArgs('steps', argv, {
      ...traceOptionSpec,
      ...datasetOptionSpec,
      'max-t': { type: 'string' },
      cosine: { type: 'string' },
      l1: { type: 'string' },
      l2: { type: 'string' },
    });
    const d = readDatasetArgs('steps', a, io);
    const opts = await readTraceOptions(a, io);
    const maxSteps = intOpt(a, 'max-t', 2) ?? 8;
    const manifest = await readManifest(opts.modelDir);
    const thresholds = { ...manifest.defaults.thresholds };
    for (const metric of DISTANCE_METRICS) {
      const v = numberOpt(a, metric, (n) => n >= 0, 'a number >= 0');
      if (v !== undefined) thresholds[metric] = v;
    }
    const run = await runTask({
      dataset: d.dataset,
      task: 'steps',
      modelDir: opts.modelDir,
      options: { settings: opts.settings, maxSteps, provider: opts.provider ?? 'cpu', threads: opts.threads ?? 1 },
      out: d.out,
      shard: d.shard,
      workers: d.workers,
      onBadRecord: d.onBadRecord,
      signal: io.signal,
      log: (m) => io.stderr(`${m}\n`),
    });
    if (!run.complete) return shardNotice(io, 'steps', run.resultsPath, d.out);
    const results = run.lines.filter((l) => l.ok).map((l) => l.result as StepsResult);
    if (results.length === 0) throw new Error('no item ran; see the errors above');
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const rows: StepsRow[] = [];
    for (let t = 1; t <= maxSteps; t++) {
      const at = results.map((r) => r.fixed[t - 1]);
      rows.push({ rule: `T=${t}`, meanSteps: mean(at.map((f) => f.steps)), accuracy: mean(at.map((f) => (f.correct ? 1 : 0))), meanAnswerTokens: mean(at.map((f) => f.answerTokens)) });
    }
    for (const metric of DISTANCE_METRICS) {
      const at = results.map((r) => r.fixed[adaptiveStopStep(r.distances, metric, thresholds[metric], maxSteps) - 1]);
      rows.push({ rule: metric, threshold: thresholds[metric], meanSteps: mean(at.map((f) => f.steps)), accuracy: mean(at.map((f) => (f.correct ? 1 : 0))), meanAnswerTokens: mean(at.map((f) => f.answerTokens)) });
    }
    const report: StepsReport = {
      kind: 'steps',
      version: 1,
      model: run.model.name,
      items: results.length,
      rows,
      convergence: convergenceCurves(results.map((r) => r.distances)),
      thresholds,
      createdAt: new Date().toISOString(),
    };
    const tables = stepsTables(report);
    const files = await writeReportFiles(d.out, 'steps', report, tables);
    io.stderr(`wrote ${files.join(', ')}\n`);
    io.stdout(a.values.json ? `${JSON.stringify(report)}\n` : tables.markdown);
    return 0;
  },
};
