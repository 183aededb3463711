/**
 * `latent-trace attention <dataset> --model <dir> --baseline <dir>`: per item, the first answer
 * token's attention to the visual tokens under both models, then LaRe Table 5's statistics.
 */
import { resolve } from 'node:path';
import { compareSamples } from '../../analysis/stats';
import { statsTables } from '../../analysis/reportTables';
import type { AttentionResult } from '../../runtime/datasets/trace-processors';
import { runTask } from '../../runtime/datasets/task';
import { intOpt, parseCommandArgs, stringOpt } from '../args';
import { UsageError, type CliCommand } from '../io';
import { readTraceOptions, traceOptionSpec, traceOptionsUsage } from '../trace-options';
import { datasetOptionSpec, datasetOptionsUsage, readDatasetArgs, shardNotice, writeReportFiles } from './dataset-common';
import { statsSummary } from './stats';

export const ATTENTION_MEASURE = 'attention of the first answer token to all visual tokens (sum over visual tokens, mean over heads and layers)';

export const attentionCommand: CliCommand = {
  name: 'attention',
  summary: 'first-answer-token attention to visual tokens, model vs baseline, with t-tests and Mann-Whitney U (Table 5)',
  usage: `latent-trace attention <dataset.jsonl|.parquet> --baseline <dir> [--model <dir>] [options]

  --baseline <dir>          the model to compare with, e.g. the no-latent baseline (required)
  --layer <k>               one decoder layer (0-based) instead of the mean over layers
  --out <dir>               also writes attention.report.json, attention.csv, attention.md
${datasetOptionsUsage}
${traceOptionsUsage}`,
  examples: [
    'latent-trace attention media/samples/samples.jsonl --model models/lare --baseline models/direct',
    'latent-trace attention data.parquet --baseline models/direct --json --out reports/attention',
  ],
  async run(argv, io) {
    const a = parseCommandArgs('attention', argv, { ...traceOptionSpec, ...datasetOptionSpec, baseline: { type: 'string' }, layer: { type: 'string' } });
    const layer = intOpt(a, 'layer', 0);
    const d = readDatasetArgs('attention', a, io);
    const baselineArg = stringOpt(a, 'baseline');
    if (!baselineArg) throw new UsageError('--baseline <dir> is required');
    const opts = await readTraceOptions(a, io);
    const runs = [];
    for (const modelDir of [opts.modelDir, resolve(io.cwd, baselineArg)]) {
      runs.push(
        await runTask({
          dataset: d.dataset,
          task: 'attention',
          modelDir,
          options: { settings: opts.settings, provider: opts.provider ?? 'cpu', threads: opts.threads ?? 1, ...(layer !== undefined ? { layer } : {}) },
          out: d.out,
          shard: d.shard,
          workers: d.workers,
          onBadRecord: d.onBadRecord,
          signal: io.signal,
          log: (m) => io.stderr(`${m}\n`),
        }),
      );
    }
    const [model, baseline] = runs;
    if (!model.complete) return shardNotice(io, 'attention', `${model.resultsPath}, ${baseline.resultsPath}`, d.out);
    // paired by item: an item that failed under either model is left out of both samples
    const both = model.lines.filter((l, k) => l.ok && baseline.lines[k].ok);
    if (both.length < 2) throw new Error(`only ${both.length} items ran under both models; nothing to compare`);
    const byIndex = new Map(baseline.lines.map((l) => [l.index, l]));
    const sampleA = Float64Array.from(both, (l) => (l.result as AttentionResult).attention);
    const sampleB = Float64Array.from(both, (l) => ((byIndex.get(l.index)?.result) as AttentionResult).attention);
    const dropped = model.lines.length - both.length;
    if (dropped) io.stderr(`${dropped} items failed under one of the models and are left out\n`);
    const measure = layer === undefined ? ATTENTION_MEASURE : ATTENTION_MEASURE.replace('mean over heads and layers', `mean over heads, layer ${layer}`);
    const report = compareSamples(sampleA, sampleB, { labels: { a: model.model.name, b: baseline.model.name }, measure });
    const tables = statsTables(report);
    const files = await writeReportFiles(d.out, 'attention', report, tables);
    io.stderr(`wrote ${files.join(', ')}\n`);
    io.stdout(a.values.json ? `${JSON.stringify(statsSummary(report))}\n` : tables.markdown);
    return 0;
  },
};
