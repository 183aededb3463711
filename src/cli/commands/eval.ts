/**
 * `latent-trace eval <dataset.jsonl>`: accuracy, steps, answer tokens and pointing against its nulls over a
 * dataset; with --compare, a second model on the same items and the paired test (exact McNemar).
 */
import { resolve } from 'node:path';
import type { PointingRow } from '../../analysis/pointing';
import type { PairedAccuracy } from '../../analysis/stats/pairedAccuracy';
import { openEngine } from '../../runtime/engine';
import { compareEvals, evaluateRun, readEvalDataset, type EvalItem, type EvalReport, type EvalRun } from '../../runtime/evaluate';
import { writeFileAtomic } from '../../runtime/atomic';
import { intOpt, parseCommandArgs, stringOpt } from '../args';
import { UsageError, type CliCommand, type CliIO } from '../io';
import { readTraceOptions, traceOptionSpec, traceOptionsUsage, type TraceOptions } from '../trace-options';

export const evalCommand: CliCommand = {
  name: 'eval',
  summary: 'answer accuracy, latent steps, answer tokens and pointing (with its nulls) over a JSONL or Parquet dataset; --compare for a paired test of two models',
  usage: `latent-trace eval <dataset.jsonl|.parquet> [options]

  each line: {"image": "<path, relative to the file>", "question": "...", "answer": "...",
              "type": "<optional question type>", "bbox": [x0, y0, x1, y1] (optional, pixels),
              "objects": [[x0, y0, x1, y1], ...] (optional: every object of the scene, for the random-object null)}
  (Parquet: the same columns, "image" holding the encoded image as a Hugging Face image struct)
  --compare <dir>           also run this model on the same items and report the paired test:
                            discordant counts, exact McNemar p, accuracy difference with a paired bootstrap 95% CI
  --limit <N>               evaluate only the first N items
  --out <file.json>         also write the report to a file
  --json                    print the report as one JSON object to stdout
${traceOptionsUsage}`,
  examples: [
    'latent-trace eval media/samples/samples.jsonl',
    'latent-trace eval media/samples/samples.jsonl --stop l2 --steps 8 --json',
    'latent-trace eval data.jsonl --model models/lvr --limit 100 --out lvr-eval.json',
    'latent-trace eval media/samples/samples.jsonl --model models/lare-shapes --compare models/direct-shapes --json',
  ],
  async run(argv, io) {
    const a = parseCommandArgs('eval', argv, { ...traceOptionSpec, limit: { type: 'string' }, out: { type: 'string' }, compare: { type: 'string' } });
    if (a.positionals.length !== 1) throw new UsageError(`expected one dataset file, got ${a.positionals.length} (see latent-trace eval --help)`);
    const dataset = resolve(io.cwd, a.positionals[0]);
    const limit = intOpt(a, 'limit', 1);
    const opts = await readTraceOptions(a, io);
    const compare = stringOpt(a, 'compare');
    let items = await readEvalDataset(dataset);
    if (limit !== undefined) items = items.slice(0, limit);
    const run = await evalWith(opts.modelDir, opts, dataset, items, io);
    const report = run.report;
    if (compare) report.comparison = compareEvals(run, await evalWith(resolve(io.cwd, compare), opts, dataset, items, io));
    const out = stringOpt(a, 'out');
    if (out) await writeFileAtomic(resolve(io.cwd, out), `${JSON.stringify(report, null, 2)}\n`);
    if (a.values.json) io.stdout(`${JSON.stringify(report)}\n`);
    else io.stdout(describeEval(report));
    const failed = (r: EvalReport) => r.errors.length > 0 && r.n === 0;
    return failed(report) || (report.comparison !== undefined && failed(report.comparison.against)) ? 1 : 0;
  },
};

async function evalWith(modelDir: string, opts: TraceOptions, dataset: string, items: EvalItem[], io: CliIO): Promise<EvalRun> {
  io.stderr(`loading ${modelDir}\n`);
  const engine = await openEngine(modelDir, { executionProvider: opts.provider, threads: opts.threads, log: (l, m) => io.stderr(`${l}: ${m}\n`) });
  try {
    const every = Math.max(1, Math.floor(items.length / 20));
    return await evaluateRun(engine, dataset, items, {
      settings: opts.settings,
      signal: io.signal,
      onItem: (done, total, correct) => {
        if (done % every === 0 || done === total) io.stderr(`[${done}/${total}] correct ${correct}\n`);
      },
    });
  } finally {
    await engine.dispose();
  }
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const pValue = (p: number) => (p === 0 ? '< 1e-300' : p < 1e-4 ? p.toExponential(1) : p.toFixed(4));
const points = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}`;

/** the human-readable eval report: accuracy, pointing with both nulls, and the paired comparison */
export function describeEval(r: EvalReport): string {
  const lines = [`${r.model.name} on ${r.n} items: accuracy ${pct(r.accuracy)}, mean latent steps ${r.meanLatentSteps.toFixed(2)}, mean answer tokens ${r.meanAnswerTokens.toFixed(2)}`];
  for (const [t, v] of Object.entries(r.perType)) lines.push(`  ${t}: ${pct(v.accuracy)} (${v.n})`);
  if (r.pointing) {
    const p = r.pointing;
    lines.push(`pointing (window contains the bbox centre) on ${p.n} items with a bbox; nulls: uniform window, window on a random object of the scene; exact two-sided Poisson-binomial test against each item's null rate`);
    if (p.withoutObjects) lines.push(`  ${p.withoutObjects} of ${p.n} items carry no "objects" and are left out of the random-object null`);
    const row = (label: string, x: PointingRow) => {
      const obj = x.randomObject ? `; random object ${pct(x.randomObject.expected)} (${points(x.randomObject.difference)} points, p ${pValue(x.randomObject.p)}, n ${x.randomObject.n})` : '';
      return `  ${label} ${x.step === 'any' ? 'any step' : `step ${x.step}`}: ${pct(x.rate)} (n ${x.n}) vs uniform ${pct(x.uniform.expected)} (${points(x.uniform.difference)} points, p ${pValue(x.uniform.p)})${obj}`;
    };
    for (const x of p.rows) lines.push(row('all', x));
    for (const [t, rows] of Object.entries(p.perType)) for (const x of rows) lines.push(row(t, x));
  }
  for (const e of r.errors) lines.push(`  line ${e.line} failed: ${e.message}`);
  const c = r.comparison;
  if (c) {
    const b = c.against;
    lines.push(`${b.model.name} on ${b.n} items: accuracy ${pct(b.accuracy)}`);
    for (const e of b.errors) lines.push(`  line ${e.line} failed under ${b.model.name}: ${e.message}`);
    lines.push(`paired: ${r.model.name} (A) vs ${b.model.name} (B); exact McNemar on the discordant items; difference A - B with a paired percentile bootstrap ${100 * c.paired.bootstrap.level}% CI (${c.paired.bootstrap.resamples} resamples, seed ${c.paired.bootstrap.seed})`);
    const paired = (label: string, x: PairedAccuracy) =>
      `  ${label}: n ${x.n}, A ${pct(x.accuracyA)}, B ${pct(x.accuracyB)}, A right/B wrong ${x.aOnly}, A wrong/B right ${x.bOnly}, McNemar p ${pValue(x.mcnemarP)}, difference ${points(x.difference)} points [${points(x.differenceCI[0])}, ${points(x.differenceCI[1])}]`;
    lines.push(paired('all', c.paired));
    for (const [t, x] of Object.entries(c.perType)) lines.push(paired(t, x));
    if (c.unpaired) lines.push(`  ${c.unpaired} items ran under only one model and are left out`);
  }
  return `${lines.join('\n')}\n`;
}
