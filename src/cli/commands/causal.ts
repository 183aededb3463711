/**
 * `latent-trace causal <dataset>`: the causal effect of each latent step, each zeroed in turn: accuracy
 * and the answer's first-token log-probability change with bootstrap CIs, exact McNemar and paired t.
 */
import { causalTables } from '../../analysis/reportTables';
import { causalStudy } from '../../runtime/datasets/studies';
import { parseCommandArgs } from '../args';
import type { CliCommand } from '../io';
import { readTraceOptions, traceOptionSpec, traceOptionsUsage } from '../trace-options';
import { datasetOptionSpec, datasetOptionsUsage, readDatasetArgs, shardNotice, studyOptions } from './dataset-common';

export const causalCommand: CliCommand = {
  name: 'causal',
  summary: 'causal effect of step t: accuracy and answer log-probability change with step t zeroed (CIs, paired tests)',
  usage: `latent-trace causal <dataset.jsonl|.parquet> [--model <dir>] [options]

  --out <dir>               also writes causal.report.json, causal.csv, causal.md
${datasetOptionsUsage}
${traceOptionsUsage}`,
  examples: ['latent-trace causal media/samples/samples.jsonl --out out/causal', 'latent-trace causal data.jsonl --model models/lare --steps 4 --limit 100 --json'],
  async run(argv, io) {
    const a = parseCommandArgs('causal', argv, { ...traceOptionSpec, ...datasetOptionSpec });
    const d = readDatasetArgs('causal', a, io);
    const opts = await readTraceOptions(a, io);
    const outcome = await causalStudy(studyOptions(d, opts, io));
    if (!outcome.report) return shardNotice(io, 'causal', outcome.resultsPaths, d.out);
    io.stderr(`wrote ${outcome.files.join(', ')}\n`);
    io.stdout(a.values.json ? `${JSON.stringify(outcome.report)}\n` : causalTables(outcome.report).markdown);
    return 0;
  },
};
