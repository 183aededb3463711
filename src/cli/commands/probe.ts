/**
 * `latent-trace probe <dataset> [--model <dir>] [--ablation <dir>]`: the appendix B probing protocol
 * (src/analysis/probing) on the model's pooled latents, visual anchors and rationale states, and on its
 * without-Extractor ablation, with controls and confidence intervals, in the shape of LaRe Table 6.
 */
import { resolve } from 'node:path';
import { MAX_BOOTSTRAP_RESAMPLES, MAX_REPEATS, MAX_PROBE_PAIRS, type ProbingSettings } from '../../analysis/probing/protocol';
import { probingTables } from '../../present/reportTables';
import { runStudy } from '../../studies';
import { choiceOpt, intOpt, parseCommandArgs, stringOpt } from '../args';
import type { CliCommand } from '../io';
import { readTraceOptions, traceOptionSpec, traceOptionsUsage } from '../trace-options';
import { datasetOptionSpec, datasetOptionsUsage, readDatasetArgs, shardNotice, studyOptions } from './dataset-common';

export const probeCommand: CliCommand = {
  name: 'probe',
  summary: 'probing classifiers (SVM, MLP) for latent-vision and latent-text matching, with/without Extractor (Table 6)',
  usage: `latent-trace probe <dataset.jsonl|.parquet> [--model <dir>] [--ablation <dir>] [options]

  --ablation <dir>          the model without the Extractor, or another LaRe model, probed on the same pairs
  --seed <N>                seed for pairs, splits, projection, probes and bootstrap (default 0)
  --pairs <N>               labelled pairs (default 1000: half positive)
  --view <v>                what the classifier sees of a pair: product (default) | product-absdiff | concat
  --projection <p>          the 256-d projection: random (default, fixed seeded) | contrastive (trained by
                            InfoNCE on the training split, the paper's trainable layer)
  --mlp-early-stopping <s>  accuracy (default, as scikit-learn) | loss (as the paper)
  --bootstrap <N>           bootstrap resamples for the 95% intervals (default 2000)
  --mlp-inits <N>           MLP initialisations per cell, averaged, with their spread (default 5)
  --control-shuffles <N>    label permutations of the shuffled-label control, averaged (default 5)
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
      projection: { type: 'string' },
      'mlp-early-stopping': { type: 'string' },
      bootstrap: { type: 'string' },
      'mlp-inits': { type: 'string' },
      'control-shuffles': { type: 'string' },
    });
    const d = readDatasetArgs('probe', a, io);
    const opts = await readTraceOptions(a, io);
    // --seed is the probing seed; the traces are greedy and do not depend on it
    const probing: Partial<ProbingSettings> = { seed: opts.settings.seed ?? 0 };
    delete opts.settings.seed;
    const view = choiceOpt(a, 'view', ['product', 'product-absdiff', 'concat'] as const);
    if (view) probing.view = view;
    const projection = choiceOpt(a, 'projection', ['random', 'contrastive'] as const);
    if (projection) probing.projection = projection;
    const earlyStopping = choiceOpt(a, 'mlp-early-stopping', ['accuracy', 'loss'] as const);
    if (earlyStopping) probing.mlp = { earlyStopping };
    const pairs = intOpt(a, 'pairs', 4, MAX_PROBE_PAIRS);
    if (pairs !== undefined) probing.pairs = pairs;
    const bootstrap = intOpt(a, 'bootstrap', 1, MAX_BOOTSTRAP_RESAMPLES);
    if (bootstrap !== undefined) probing.bootstrapResamples = bootstrap;
    const inits = intOpt(a, 'mlp-inits', 1, MAX_REPEATS);
    if (inits !== undefined) probing.mlpInits = inits;
    const shuffles = intOpt(a, 'control-shuffles', 1, MAX_REPEATS);
    if (shuffles !== undefined) probing.controlShuffles = shuffles;
    const ablation = stringOpt(a, 'ablation');
    const outcome = await runStudy('probe', {
      ...studyOptions(d, opts, io),
      ablationDir: ablation ? resolve(io.cwd, ablation) : undefined,
      probing,
    });
    if (!outcome.report) return shardNotice(io, 'probe', outcome.resultsPaths, d.out);
    io.stderr(`wrote ${outcome.files.join(', ')}\n`);
    io.stdout(a.values.json ? `${JSON.stringify(outcome.report)}\n` : probingTables(outcome.report).markdown);
    return 0;
  },
};
