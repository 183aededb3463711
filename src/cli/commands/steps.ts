/**
 * `latent-trace steps <dataset>`: fixed T = 1..T_max against adaptive cosine / L1 / L2 stopping
 * (LaRe Table 4, Fig. 5): mean steps, accuracy and answer tokens, plus the convergence curves.
 */
import { DISTANCE_METRICS } from '../../analysis/distance';
import { stepsTables } from '../../present/reportTables';
import { runStudy } from '../../studies';
import { intOpt, numberOpt, parseCommandArgs } from '../args';
import type { CliCommand } from '../io';
import { readTraceOptions, traceOptionSpec, traceOptionsUsage } from '../trace-options';
import { datasetOptionSpec, datasetOptionsUsage, readDatasetArgs, shardNotice, studyOptions } from './dataset-common';

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
    const thresholds: Partial<Record<'cosine' | 'l1' | 'l2', number>> = {};
    for (const metric of DISTANCE_METRICS) {
      const v = numberOpt(a, metric, (n) => n >= 0, 'a number >= 0');
      if (v !== undefined) thresholds[metric] = v;
    }
    const outcome = await runStudy('steps', { ...studyOptions(d, opts, io), maxSteps: intOpt(a, 'max-t', 2), thresholds });
    if (!outcome.report) return shardNotice(io, 'steps', outcome.resultsPaths, d.out);
    io.stderr(`wrote ${outcome.files.join(', ')}\n`);
    io.stdout(a.values.json ? `${JSON.stringify(outcome.report)}\n` : stepsTables(outcome.report).markdown);
    return 0;
  },
};
