/**
 * The trace engine's speed figures (issue 3): full trace vs the PyTorch reference, per-step cost at
 * T=32 vs T=4 (the KV cache keeps it flat), and all reconstructions in one batched DDIM run.
 */
import { openEngine, type TraceEngine } from '../src/runtime/engine';
import { positionsAfterPrompt } from '../src/runtime/prompt';
import { medianMs, type BenchContext, type BenchFigure, type BenchSuite } from './types';
import { pytorchReferenceMs } from './pytorch-reference';

async function withEngine<T>(ctx: BenchContext, f: (e: TraceEngine) => Promise<T>): Promise<T> {
  const engine = await openEngine(ctx.modelDir, { threads: 1 });
  try {
    return await f(engine);
  } finally {
    await engine.dispose();
  }
}

export const fullTraceVsPytorch: BenchSuite = {
  name: 'full trace vs PyTorch',
  run: (ctx) => withEngine(ctx, async (engine) => {
    const settings = { latentSteps: 4, stop: 'fixed' as const, maxAnswerTokens: 16 };
    const ortMs = await medianMs(ctx.repeats, () => engine.traceDetailed({ image: ctx.image, question: ctx.question, settings }, { ignoreEos: true }));
    const figures: BenchFigure[] = [{ name: 'full trace T=4, 16 answer tokens (onnxruntime-node, 1 thread)', value: ortMs, unit: 'ms' }];
    const ref = await pytorchReferenceMs(ctx, { steps: 4, answerTokens: 16 });
    if (ref.ms === null) {
      figures.push({ name: 'PyTorch reference', value: NaN, unit: 'ms', detail: ref.detail, target: 'measured', ok: false });
    } else {
      figures.push({ name: 'same trace, PyTorch eager reference', value: ref.ms, unit: 'ms', detail: ref.detail });
      const ratio = ref.ms / ortMs;
      figures.push({ name: 'speed-up over PyTorch', value: ratio, unit: 'x', target: '>= 2x', ok: ratio >= 2 });
    }
    return figures;
  }),
};

export const perStepScaling: BenchSuite = {
  name: 'per-step cost vs T',
  run: (ctx) => withEngine(ctx, async (engine) => {
    const m = engine.manifest;
    const promptGuess = m.prompt.template.length + m.model.visualTokens + 16;
    const longT = Math.min(32, m.model.maxPositions - promptGuess - positionsAfterPrompt(0, 1));
    // each step's own duration (progress timestamps): on a loaded machine a run of 32 steps almost
    // always catches a few scheduler stalls that a run of 4 escapes, so per-run means would be biased
    const stepDurations = async (T: number, into: number[]) => {
      const settings = { latentSteps: T, maxLatentSteps: T, stop: 'fixed' as const, maxAnswerTokens: 1 };
      const stamps: number[] = [];
      await engine.trace({
        image: ctx.image, question: ctx.question, settings,
        onProgress: (p) => { if (p.stage === 'latent') stamps.push(performance.now()); },
      });
      for (let i = 1; i < stamps.length; i++) into.push(stamps[i] - stamps[i - 1]);
    };
    await stepDurations(longT, []);
    const shortSteps: number[] = [];
    const longSteps: number[] = [];
    // interleaved, so load from other processes hits both lengths alike; about equal step counts
    for (let i = 0; i < Math.max(5, ctx.repeats); i++) {
      for (let k = 0; k < Math.round(longT / 4); k++) await stepDurations(4, shortSteps);
      await stepDurations(longT, longSteps);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const short = median(shortSteps);
    const long = median(longSteps);
    const ratio = long / short;
    return [
      { name: 'per latent step at T=4 (median step)', value: short, unit: 'ms', detail: `${shortSteps.length} steps` },
      { name: `per latent step at T=${longT} (median step)`, value: long, unit: 'ms', detail: `${longSteps.length} steps${longT < 32 ? `; maxPositions ${m.model.maxPositions} allows T=${longT}` : ''}` },
      { name: `per-step ratio T=${longT} / T=4`, value: ratio, unit: 'x', target: '<= 1.2x', ok: ratio <= 1.2 },
    ];
  }),
};

export const batchedReconstruction: BenchSuite = {
  name: 'batched reconstruction',
  run: (ctx) => withEngine(ctx, async (engine) => {
    const rec = engine.manifest.reconstruction;
    if (!rec) return [{ name: 'reconstruction', value: NaN, unit: 'ms', detail: 'the bundle has no U-Net' }];
    const t = await engine.trace({ image: ctx.image, question: ctx.question, settings: { latentSteps: 4, stop: 'fixed' } });
    const tokens = t.steps.map((s) => s.latentToken);
    const batched = await medianMs(ctx.repeats, () => engine.reconstruct(tokens, { seed: 0 }));
    const oneByOne = await medianMs(ctx.repeats, async () => {
      for (const tok of tokens) await engine.reconstruct([tok], { seed: 0 });
    });
    return [
      { name: `reconstruct 4 steps, DDIM ${rec.samplerSteps} timesteps, one batch`, value: batched, unit: 'ms', target: '< 1000 ms', ok: batched < 1000 },
      { name: 'same, one step at a time', value: oneByOne, unit: 'ms' },
      { name: 'batching speed-up', value: oneByOne / batched, unit: 'x' },
    ];
  }),
};
