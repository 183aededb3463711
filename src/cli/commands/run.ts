/** `latent-trace run <image> --question "..."`: trace one example; --out writes the trace and PNGs. */
import { resolve } from 'node:path';
import { openEngine } from '../../runtime/engine';
import { parseBox, readSidecar, type GroundTruthInput } from '../../runtime/ground-truth';
import { choiceOpt, intOpt, parseCommandArgs, stringOpt } from '../args';
import { UsageError, type CliCommand } from '../io';
import { describeTrace, runSummary, writeTraceOutputs } from '../outputs';
import { traceProgress } from '../progress';
import { readTraceOptions, traceOptionSpec, traceOptionsUsage } from '../trace-options';

export const runCommand: CliCommand = {
  name: 'run',
  summary: 'trace one image and question through a LaRe/LVR bundle',
  usage: `latent-trace run <image> --question "<text>" [options]

  --question <text>         the question (required)
  --reconstruct             reconstruct every latent step with the U-Net (batched)
  --sampler <s>             ddim (default) | ddpm
  --sampler-steps <N>       DDIM timesteps (default: the bundle's)
  --bbox <x0,y0,x1,y1>      ground-truth box in image pixels (x1, y1 exclusive): steps say whether their window hits it
  --expected <text>         the expected answer: the trace says whether the answer is correct (eval's normalisation)
                            (without either, a sidecar <image>.json {"bbox": [...], "answer": "..."} is read if present)
  --head-attention          record per-head attention (every latent step and the first answer token) in the trace
  --lens                    record the latent lens (top 5 tokens and patches per layer) of every step
  --out <dir>               write <image>.ltrace.json and PNGs (heatmap overlays, reconstructions)
  --json                    print one JSON object to stdout (progress stays on stderr)
${traceOptionsUsage}`,
  examples: [
    'latent-trace run media/samples/images/0000.png --question "what color is the circle?"',
    'latent-trace run photo.jpg --question "how many squares are there?" --stop cosine --steps 8 --json',
    'latent-trace run photo.jpg --question "is there a red square?" --reconstruct --out traces/',
  ],
  async run(argv, io) {
    const a = parseCommandArgs('run', argv, {
      ...traceOptionSpec,
      question: { type: 'string', short: 'q' },
      reconstruct: { type: 'boolean' },
      sampler: { type: 'string' },
      'sampler-steps': { type: 'string' },
      out: { type: 'string' },
      bbox: { type: 'string' },
      expected: { type: 'string' },
      'head-attention': { type: 'boolean' },
      lens: { type: 'boolean' },
    });
    if (a.positionals.length !== 1) throw new UsageError(`expected one image path, got ${a.positionals.length} (see latent-trace run --help)`);
    const question = stringOpt(a, 'question');
    if (question === undefined) throw new UsageError('--question is required');
    const opts = await readTraceOptions(a, io);
    const sampler = choiceOpt(a, 'sampler', ['ddim', 'ddpm'] as const);
    const samplerSteps = intOpt(a, 'sampler-steps', 1);
    const reconstruct = a.values.reconstruct === true || sampler !== undefined || samplerSteps !== undefined;
    const image = resolve(io.cwd, a.positionals[0]);
    const groundTruth = await groundTruthOf(stringOpt(a, 'bbox'), stringOpt(a, 'expected'), image);
    io.stderr(`loading ${opts.modelDir}\n`);
    const engine = await openEngine(opts.modelDir, {
      executionProvider: opts.provider,
      threads: opts.threads,
      log: (level, message) => io.stderr(`${level}: ${message}\n`),
    });
    try {
      const trace = await engine.trace({
        image,
        question,
        settings: opts.settings,
        groundTruth,
        headAttention: a.values['head-attention'] === true,
        lens: a.values.lens === true,
        reconstruct: reconstruct && engine.manifest.reconstruction ? { sampler, samplerSteps, seed: opts.settings.seed } : false,
        signal: io.signal,
        onProgress: traceProgress(io),
      });
      if (reconstruct && !engine.manifest.reconstruction) io.stderr(`note: bundle "${engine.manifest.name}" has no U-Net; no reconstructions\n`);
      const outDir = stringOpt(a, 'out');
      const files = outDir ? await writeTraceOutputs(resolve(io.cwd, outDir), trace) : undefined;
      if (a.values.json) io.stdout(`${JSON.stringify(runSummary(trace, files))}\n`);
      else {
        io.stdout(`${describeTrace(trace)}\n`);
        if (files) io.stdout(`wrote ${files.trace} and ${files.overlays.length + files.reconstructions.length + 1} PNGs\n`);
      }
      return 0;
    } finally {
      await engine.dispose();
    }
  },
};

async function groundTruthOf(bbox: string | undefined, expected: string | undefined, image: string): Promise<GroundTruthInput | undefined> {
  if (bbox === undefined && expected === undefined) return (await readSidecar(image)) ?? undefined;
  if (expected !== undefined && expected.trim() === '') throw new UsageError('--expected must not be empty');
  const gt: GroundTruthInput = { source: 'cli' };
  if (bbox !== undefined) {
    try {
      gt.bbox = parseBox(bbox);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  if (expected !== undefined) gt.expected = expected;
  return gt;
}
