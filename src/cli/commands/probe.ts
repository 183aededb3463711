/**
 * `latent-trace probe <dataset> [--model <dir>] [--ablation <dir>]`: the appendix B probing protocol
 * (src/analysis/probing) on the model's pooled latents, visual anchors and rationale states, and on its
 * without-Extractor ablation, with controls and confidence intervals, in the shape of LaRe Table 6.
 */
import { resolve } from 'node:path';
import { runProbing, type ProbingItem, type ProbingSource } from '../../analysis/probing/protocol';
import { probingTables } from '../../analysis/reportTables';
import type { ProbeFeatures } from '../../runtime/datasets/trace-processors';
import { runTask, type TaskResult } from '../../runtime/datasets/task';
import { choiceOpt, intOpt, parseCommandArgs, stringOpt } from '../args';
import type { CliCommand } from '../io';
import { readTraceOptions, traceOptionSpec, traceOptionsUsage } from '../trace-options';
import { datasetOptionSpec, datasetOptionsUsage, readDatasetArgs, shardNotice, writeReportFiles } from './dataset-common';

export const probeCommand: CliCommand = {
  name: 'probe',
  summary: 'probing classifiers (SVM, MLP) for latent-vision and latent-text matching, with/without Extractor (Table 6)',
  usage: `latent-trace probe <dataset.jsonl|.parquet> [--model <dir>] [--ablation <dir>] [options]

  --ablation <dir>          the model without the Extractor, probed on the same pairs
  --seed <N>                seed for pairs, splits, projection, probes and bootstrap (default 0)
  --pairs <N>               labelled pairs (default 1000: half positive)
  --view <v>                what the classifier sees of a pair: product (default) | product-absdiff | concat
  --mlp-early-stopping <s>  accuracy (default, as scikit-learn) | loss (as the paper)
  --bootstrap <N>           bootstrap resamples for the 95% intervals (default 2000)
  --out <dir>               also writes probing.report.json, probing.csv, probing.md
${datasetOptionsUsage}
${traceOptionsUsage}`,
  examples: [
    'latent-trace probe media/samples/samples.jsonl --model models/lare --ablation models/lare-no-extractor',
    'latent-trace probe data.jsonl --seed 3 --json --out reports/probing',
  ],
  async run(argv, io) {
    const a = parseCommandArgs('probe', argv, {
      ...traceOptionSpec,
      ...datasetOptionSpec,
      ablation: { type: 'string' },
      pairs: { type: 'string' },
      view: { type: 'string' },
      'mlp-early-stopping': { type: 'string' },
      bootstrap: { type: 'string' },
    });
    const d = readDatasetArgs('probe', a, io);
    const opts = await readTraceOptions(a, io);
    // --seed is the probing seed; the traces are greedy and do not depend on it
    const seed = opts.settings.seed ?? 0;
    delete opts.settings.seed;
    const ablationArg = stringOpt(a, 'ablation');
    const view = choiceOpt(a, 'view', ['product', 'product-absdiff', 'concat'] as const);
    const earlyStopping = choiceOpt(a, 'mlp-early-stopping', ['accuracy', 'loss'] as const);
    const pairs = intOpt(a, 'pairs', 4);
    const bootstrap = intOpt(a, 'bootstrap', 1);
    const dirs = [opts.modelDir, ...(ablationArg ? [resolve(io.cwd, ablationArg)] : [])];
    const runs: TaskResult[] = [];
    for (const modelDir of dirs) {
      runs.push(
        await runTask({
          dataset: d.dataset,
          task: 'probe',
          modelDir,
          options: { settings: opts.settings, provider: opts.provider ?? 'cpu', threads: opts.threads ?? 1 },
          out: d.out,
          shard: d.shard,
          workers: d.workers,
          onBadRecord: d.onBadRecord,
          signal: io.signal,
          log: (m) => io.stderr(`${m}\n`),
        }),
      );
    }
    if (!runs[0].complete) return shardNotice(io, 'probe', runs.map((r) => r.resultsPath).join(', '), d.out);
    const usable = runs[0].lines.map((_, k) => runs.every((r) => r.lines[k].ok));
    const items: ProbingItem[] = [];
    runs[0].items.forEach((it, k) => {
      if (usable[k]) items.push({ image: typeof it.image === 'string' ? it.image : it.imageName, question: it.question, rationale: it.rationale ?? it.answer, bbox: it.bbox });
    });
    const dropped = usable.filter((u) => !u).length;
    if (dropped) io.stderr(`${dropped} items failed under a model and are left out\n`);
    if (items.length < 8) {
      const failure = runs.flatMap((r) => r.lines.filter((l) => !l.ok).map((l) => `${r.model.name}: ${l.error}`))[0];
      throw new Error(`only ${items.length} items ran under every model${failure ? ` (e.g. ${failure})` : ''}`);
    }
    const source = (r: TaskResult): ProbingSource => {
      const features = r.lines.filter((_, k) => usable[k]).map((l) => l.result as ProbeFeatures);
      return { latent: features.map((f) => Float32Array.from(f.latent)), vision: features.map((f) => Float32Array.from(f.vision)), text: features.map((f) => Float32Array.from(f.text)) };
    };
    const report = runProbing(
      {
        items,
        model: source(runs[0]),
        ablation: runs[1] ? source(runs[1]) : undefined,
        labels: { model: runs[0].model.name, ablation: runs[1]?.model.name },
        onCell: (cell, done, total) => io.stderr(`[probe ${done}/${total}] ${cell.source} ${cell.target} ${cell.classifier}: ${(100 * cell.accuracy.value).toFixed(1)}%\n`),
      },
      {
        seed,
        ...(pairs !== undefined ? { pairs } : {}),
        ...(view ? { view } : {}),
        ...(bootstrap !== undefined ? { bootstrapResamples: bootstrap } : {}),
        ...(earlyStopping ? { mlp: { earlyStopping } } : {}),
      },
    );
    const tables = probingTables(report);
    const files = await writeReportFiles(d.out, 'probing', report, tables);
    io.stderr(`wrote ${files.join(', ')}\n`);
    io.stdout(a.values.json ? `${JSON.stringify(report)}\n` : tables.markdown);
    return 0;
  },
};
