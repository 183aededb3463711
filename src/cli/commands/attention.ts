/**
 * `latent-trace attention <dataset> --model <dir> --baseline <dir>[,<dir>...]`: per item, the first answer
 * token's attention to the visual tokens under every model, then LaRe Table 5's statistics: model vs
 * the first baseline as before, and with more baselines every pair with Holm's correction.
 */
import { resolve } from 'node:path';
import { statsTables } from '../../present/reportTables';
import { runStudy } from '../../studies';
import { intOpt, listOpt, parseCommandArgs } from '../args';
import { UsageError, type CliCommand } from '../io';
import { readTraceOptions, traceOptionSpec, traceOptionsUsage } from '../trace-options';
import { datasetOptionSpec, datasetOptionsUsage, readDatasetArgs, shardNotice, studyOptions } from './dataset-common';
import { statsSummary } from './stats';

export const attentionCommand: CliCommand = {
  name: 'attention',
  summary: 'first-answer-token attention to visual tokens, model vs baseline(s), with t-tests and Mann-Whitney U (Table 5), pairwise with Holm for 3+ models',
  usage: `latent-trace attention <dataset.jsonl|.parquet> --baseline <dir>[,<dir>...] [--model <dir>] [options]

  --baseline <dir>          the model to compare with, e.g. the no-latent baseline (required); repeat it or
                            give a comma-separated list for more models: Table 5 then has a row per model
                            and every pair's Welch t, Mann-Whitney U and Cohen's d, Holm-corrected over the pairs
  --layer <k>               one decoder layer (0-based) instead of the mean over layers
  --out <dir>               also writes attention.report.json, attention.csv, attention.md
${datasetOptionsUsage}
${traceOptionsUsage}`,
  examples: [
    'latent-trace attention media/samples/samples.jsonl --model models/lare --baseline models/direct',
    'latent-trace attention data.parquet --baseline models/direct --json --out reports/attention',
    'latent-trace attention media/samples/samples.jsonl --model models/lare-shapes --baseline models/direct-shapes,models/lare-shapes-noextractor,models/lvr-shapes --out reports/table5',
  ],
  async run(argv, io) {
    const a = parseCommandArgs('attention', argv, { ...traceOptionSpec, ...datasetOptionSpec, baseline: { type: 'string', multiple: true }, layer: { type: 'string' } });
    const d = readDatasetArgs('attention', a, io);
    const [baseline, ...further] = listOpt(a, 'baseline');
    if (!baseline) throw new UsageError('--baseline <dir> is required');
    const layer = intOpt(a, 'layer', 0);
    const opts = await readTraceOptions(a, io);
    const outcome = await runStudy('attention', { ...studyOptions(d, opts, io), baselineDir: resolve(io.cwd, baseline), furtherModelDirs: further.map((d) => resolve(io.cwd, d)), layer });
    if (!outcome.report) return shardNotice(io, 'attention', outcome.resultsPaths, d.out);
    io.stderr(`wrote ${outcome.files.join(', ')}\n`);
    io.stdout(a.values.json ? `${JSON.stringify(statsSummary(outcome.report))}\n` : statsTables(outcome.report).markdown);
    return 0;
  },
};
