/** `latent-trace stats <a-file> <b-file>`: LaRe Table 5 statistics for two samples of numbers. */
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { compareSamples } from '../../analysis/stats';
import { statsTables } from '../../present/reportTables';
import type { StatsReport } from '../../shared/reports';
import { choiceOpt, intOpt, parseCommandArgs, stringOpt } from '../args';
import { UsageError, type CliCommand } from '../io';
import { writeReportFiles } from '../../studies/report-files';

export class SampleFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/**
 * One finite number per line; blank lines and lines starting with # are ignored. Infinities and NaN
 * (also `1e999`, which overflows) are refused: no statistic of them is meaningful, and a report
 * holding one cannot be stored as JSON.
 */
export async function readSampleFile(file: string): Promise<Float64Array> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new SampleFileError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const values: number[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const value = Number(line);
    const where = `${file}:${i + 1}`;
    if (/^[-+]?(inf(inity)?|nan)$/i.test(line) || value === Infinity || value === -Infinity) {
      throw new SampleFileError(`${where}: not a finite number: ${JSON.stringify(line.slice(0, 40))}`);
    }
    if (Number.isNaN(value) || !/^[-+]?(\d|\.\d)/.test(line)) throw new SampleFileError(`${where}: not a number: ${JSON.stringify(line.slice(0, 40))}`);
    values.push(value);
  });
  if (values.length === 0) throw new SampleFileError(`${file}: no numbers`);
  return Float64Array.from(values);
}

/** the report without the raw samples: what --json prints */
/** the report without its raw samples (the JSON printed to stdout); the .report.json keeps them for the plots */
export function statsSummary(report: StatsReport): Omit<StatsReport, 'samples'> {
  const { samples: _samples, ...rest } = report;
  if (!rest.comparison) return rest;
  return { ...rest, comparison: { ...rest.comparison, models: rest.comparison.models.map(({ sample: _sample, ...m }) => ({ ...m, sample: [] })) } };
}

export const statsCommand: CliCommand = {
  name: 'stats',
  summary: "two samples: mean, percentiles, Student's and Welch's t, Mann-Whitney U, effect sizes",
  usage: `latent-trace stats <a-file> <b-file> [options]

  files hold one finite number per line; blank lines and lines starting with # are ignored
  --labels <a,b>            names of the two samples (default: the file names)
  --alternative <h>         Mann-Whitney alternative: two-sided (default) | less | greater
  --bootstrap <N>           bootstrap resamples for the mean-difference CI (default 2000)
  --seed <N>                bootstrap seed (default 0)
  --out <dir>               also write stats.report.json, stats.csv, stats.md
  --json                    print one JSON object to stdout`,
  examples: ['latent-trace stats lare.txt baseline.txt', 'latent-trace stats a.txt b.txt --json --out reports/'],
  async run(argv, io) {
    const a = parseCommandArgs('stats', argv, {
      labels: { type: 'string' },
      alternative: { type: 'string' },
      bootstrap: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    if (a.positionals.length !== 2) throw new UsageError(`expected two sample files, got ${a.positionals.length} (see latent-trace stats --help)`);
    const [fileA, fileB] = a.positionals.map((p) => resolve(io.cwd, p));
    const labelText = stringOpt(a, 'labels');
    const labels = labelText ? labelText.split(',') : [basename(fileA), basename(fileB)];
    if (labels.length !== 2 || labels.some((l) => l.trim() === '')) throw new UsageError(`--labels must be two names separated by a comma, got ${JSON.stringify(labelText)}`);
    const report = compareSamples(await readSampleFile(fileA), await readSampleFile(fileB), {
      labels: { a: labels[0], b: labels[1] },
      measure: 'values from the sample files',
      mannWhitney: { alternative: choiceOpt(a, 'alternative', ['two-sided', 'less', 'greater'] as const) },
      bootstrap: { resamples: intOpt(a, 'bootstrap', 1), seed: intOpt(a, 'seed', 0) },
    });
    const out = stringOpt(a, 'out');
    const tables = statsTables(report);
    if (out) {
      const files = await writeReportFiles(resolve(io.cwd, out), 'stats', report, tables);
      io.stderr(`wrote ${files.join(', ')}\n`);
    }
    io.stdout(a.values.json ? `${JSON.stringify(statsSummary(report))}\n` : tables.markdown);
    return 0;
  },
};
