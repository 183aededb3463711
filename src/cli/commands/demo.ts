/** `latent-trace demo`: the bundled LaRe model on a sample image; writes the trace and PNGs, says how to open them. */
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { packageRoot, samplesDir } from '../../runtime/default-model';
import { openEngine } from '../../runtime/engine';
import { itemImage } from '../../runtime/datasets/image-source';
import { readEvalDataset, normaliseAnswer } from '../../runtime/evaluate';
import { choiceOpt, intOpt, parseCommandArgs, stringOpt } from '../args';
import { UsageError, type CliCommand } from '../io';
import { describeTrace, runSummary, writeTraceOutputs } from '../outputs';
import { traceProgress } from '../progress';
import { readTraceOptions, traceOptionSpec, traceOptionsUsage } from '../trace-options';

/**
 * Each synthetic task's sample file and its LaRe bundle: the fine split's answers hang on marks that only the
 * model trained on it can see, so its demo must not fall back to the default (shapes) model.
 */
const SPLITS = {
  shapes: { samples: 'samples.jsonl', model: undefined },
  fine: { samples: 'fine.jsonl', model: 'lare-fine' },
} as const;

function splitModel(name: string): string {
  const dir = join(packageRoot(), 'models', name);
  if (!existsSync(join(dir, 'latent-trace.json'))) throw new UsageError(`the bundled model ${name} is missing (${dir}); pass --model <bundle dir>`);
  return dir;
}

export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'run the bundled LaRe model on a sample image and write the trace + PNGs to a folder',
  usage: `latent-trace demo [--split shapes|fine] [--sample <N>] [--out <dir>] [options]

  --split <task>            shapes (default): media/samples/samples.jsonl with the default LaRe model;
                            fine: media/samples/fine.jsonl (marks inside objects, multi-hop) with models/lare-fine
  --sample <N>              which item of the samples file (default 0)
  --samples <file.jsonl>    the samples file (default: the split's)
  --out <dir>               output folder (default ./latent-trace-demo)
  --json                    print the run summary as JSON to stdout
${traceOptionsUsage}`,
  examples: ['latent-trace demo', 'latent-trace demo --sample 3 --out /tmp/demo', 'latent-trace demo --split fine --sample 1', 'npm run demo'],
  async run(argv, io) {
    const a = parseCommandArgs('demo', argv, { ...traceOptionSpec, split: { type: 'string' }, sample: { type: 'string' }, samples: { type: 'string' }, out: { type: 'string' } });
    if (a.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(a.positionals[0])}`);
    const split = SPLITS[choiceOpt(a, 'split', ['shapes', 'fine'] as const) ?? 'shapes'];
    const samplesFile = stringOpt(a, 'samples');
    const samples = await readEvalDataset(samplesFile ? resolve(io.cwd, samplesFile) : join(samplesDir(), split.samples));
    const index = intOpt(a, 'sample', 0) ?? 0;
    const item = samples[index];
    if (!item) throw new UsageError(`--sample must be below ${samples.length}`);
    const out = resolve(io.cwd, stringOpt(a, 'out') ?? 'latent-trace-demo');
    const splitBundle = split.model;
    const opts = await readTraceOptions(a, io, splitBundle ? () => splitModel(splitBundle) : undefined);
    io.stderr(`model ${opts.modelDir}\nsample ${item.source}: "${item.question}" (expected "${item.answer}")\n`);
    const engine = await openEngine(opts.modelDir, { executionProvider: opts.provider, threads: opts.threads, log: (l, m) => io.stderr(`${l}: ${m}\n`) });
    try {
      const trace = await engine.trace({
        image: await itemImage(item),
        imageName: item.imageName,
        question: item.question,
        settings: opts.settings,
        reconstruct: engine.manifest.reconstruction ? { seed: opts.settings.seed } : false,
        signal: io.signal,
        onProgress: traceProgress(io),
      });
      const files = await writeTraceOutputs(out, trace);
      if (a.values.json) {
        io.stdout(`${JSON.stringify({ ...runSummary(trace, files), expected: item.answer })}\n`);
        return 0;
      }
      const ok = normaliseAnswer(trace.answer.text) === normaliseAnswer(item.answer);
      const rel = (p: string) => relative(io.cwd, p) || p;
      io.stdout(`${describeTrace(trace)}\nexpected: ${item.answer} (${ok ? 'correct' : 'wrong'})\n\n`);
      io.stdout(`wrote to ${rel(out)}/:\n  ${rel(files.trace)}  (the trace)\n`);
      io.stdout(`  ${files.overlays.length} saliency overlays (*-saliency.png, the chosen window outlined)\n`);
      if (files.reconstructions.length) io.stdout(`  ${files.reconstructions.length} reconstructions (*-reconstruction.png)\n`);
      io.stdout(`  ${rel(files.firstAnswerAttention)}\n\n`);
      io.stdout(`open it in VS Code with the Latent Trace extension:\n  code ${rel(files.trace)}\n`);
      io.stdout('(or run "Latent Trace: Open Trace…" from the command palette)\n');
      return 0;
    } finally {
      await engine.dispose();
    }
  },
};
