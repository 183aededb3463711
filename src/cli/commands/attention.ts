/**
 * `latent-trace attention <dataset> --model <dir> --baseline <dir>`: per item, the first answer
 * token's attention to the visual tokens under both models, then LaRe Table 5's statistics.
 */
import { resolve } from 'node:path';
import { statsTables } from '../../present/reportTables';
import { runStudy } from '../../studies';
import { intOpt, parseCommandArgs, stringOpt } from '../args';
import { UsageError, type CliCommand } from '../io';
import { readTraceOptions, traceOptionSpec, traceOptionsUsage } from '../trace-options';
import { datasetOptionSpec, datasetOptionsUsage, readDatasetArgs, shardNotice, studyOptions } from './dataset-common';
import { statsSummary } from './stats';

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
    const d = readDatasetArgs('attention', a, io);
    const baseline = stringOpt(a, 'baseline');
    if (!baseline) throw new UsageError('--baseline <dir> is required');
    const layer = intOpt(a, 'layer', 0);
    const opts = await readTraceOptions(a, io);
    const outcome = await runStudy('attention', { ...studyOptions(d, opts, io), baselineDir: resolve(io.cwd, baseline), layer });
    if (!outcome.report) return shardNotice(io, 'attention', outcome.resultsPaths, d.out);
    io.stderr(`wrote ${outcome.files.join(', ')}\n`);
    io.stdout(a.values.json ? `${JSON.stringify(statsSummary(outcome.report))}\n` : statsTables(outcome.report).markdown);
    return 0;
  },
};
