/** `latent-trace eval <dataset.jsonl>`: accuracy, steps, answer tokens and pointing rate over a dataset. */
import { resolve } from 'node:path';
import { openEngine } from '../../runtime/engine';
import { evaluate, readEvalDataset } from '../../runtime/evaluate';
import { writeFileAtomic } from '../../runtime/atomic';
import { intOpt, parseCommandArgs, stringOpt } from '../args';
import { UsageError, type CliCommand } from '../io';
import { readTraceOptions, traceOptionSpec, traceOptionsUsage } from '../trace-options';

export const evalCommand: CliCommand = {
  name: 'eval',
  summary: 'answer accuracy, latent steps, answer tokens and pointing rate over a JSONL or Parquet dataset',
  usage: `latent-trace eval <dataset.jsonl|.parquet> [options]

  each line: {"image": "<path, relative to the file>", "question": "...", "answer": "...",
              "type": "<optional question type>", "bbox": [x0, y0, x1, y1] (optional, pixels)}
  (Parquet: the same columns, "image" holding the encoded image as a Hugging Face image struct)
  --limit <N>               evaluate only the first N items
  --out <file.json>         also write the report to a file
  --json                    print the report as one JSON object to stdout
${traceOptionsUsage}`,
  examples: [
    'latent-trace eval media/samples/samples.jsonl',
    'latent-trace eval media/samples/samples.jsonl --stop l2 --steps 8 --json',
    'latent-trace eval data.jsonl --model models/lvr --limit 100 --out lvr-eval.json',
  ],
  async run(argv, io) {
    const a = parseCommandArgs('eval', argv, { ...traceOptionSpec, limit: { type: 'string' }, out: { type: 'string' } });
    if (a.positionals.length !== 1) throw new UsageError(`expected one dataset file, got ${a.positionals.length} (see latent-trace eval --help)`);
    const dataset = resolve(io.cwd, a.positionals[0]);
    const limit = intOpt(a, 'limit', 1);
    const opts = await readTraceOptions(a, io);
    let items = await readEvalDataset(dataset);
    if (limit !== undefined) items = items.slice(0, limit);
    io.stderr(`loading ${opts.modelDir}\n`);
    const engine = await openEngine(opts.modelDir, { executionProvider: opts.provider, threads: opts.threads, log: (l, m) => io.stderr(`${l}: ${m}\n`) });
    try {
      const every = Math.max(1, Math.floor(items.length / 20));
      const report = await evaluate(engine, dataset, items, {
        settings: opts.settings,
        signal: io.signal,
        onItem: (done, total, correct) => {
          if (done % every === 0 || done === total) io.stderr(`[${done}/${total}] correct ${correct}\n`);
        },
      });
      const out = stringOpt(a, 'out');
      if (out) await writeFileAtomic(resolve(io.cwd, out), `${JSON.stringify(report, null, 2)}\n`);
      if (a.values.json) io.stdout(`${JSON.stringify(report)}\n`);
      else {
        const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
        io.stdout(`${report.model.name} on ${report.n} items: accuracy ${pct(report.accuracy)}, mean latent steps ${report.meanLatentSteps.toFixed(2)}, mean answer tokens ${report.meanAnswerTokens.toFixed(2)}\n`);
        for (const [t, v] of Object.entries(report.perType)) io.stdout(`  ${t}: ${pct(v.accuracy)} (${v.n})\n`);
        if (report.pointing) io.stdout(`pointing rate ${pct(report.pointing.rate)} (${report.pointing.n} items with a bbox)\n`);
        for (const e of report.errors) io.stdout(`  line ${e.line} failed: ${e.message}\n`);
      }
      return report.errors.length > 0 && report.n === 0 ? 1 : 0;
    } finally {
      await engine.dispose();
    }
  },
};
