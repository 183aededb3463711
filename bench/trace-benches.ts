/**
 * The trace engine's speed figures (issue 3): full trace vs the PyTorch reference, per-step cost at
 * T=32 vs T=4 (the KV cache keeps it flat), and all reconstructions in one batched DDIM run.
 */
import { openEngine, type TraceEngine } from '../src/runtime/engine';
import { positionsAfterPrompt } from '../src/runtime/prompt';
import { median, medianMs, timeMs, type BenchContext, type BenchSuite } from './types';
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
    const ours = () => timeMs(ctx.repeats, () => engine.traceDetailed({ image: ctx.image, question: ctx.question, settings }, { ignoreEos: true }));
    // alternating rounds, so a burst of load from other processes does not land on one side only
    const ort: { median: number; min: number }[] = [];
    const ref: { median: number; min: number }[] = [];
    let detail = '';
    for (let round = 0; round < 3; round++) {
      ort.push(await ours());
      const r = await pytorchReferenceMs(ctx, { steps: 4, answerTokens: 16 });
      if (r.ms === null) {
        return [
          { name: 'full trace T=4, 16 answer tokens (onnxruntime-node, 1 thread)', value: median(ort.map((x) => x.median)), unit: 'ms' },
          { name: 'PyTorch reference', value: NaN, unit: 'ms', detail: r.detail, target: 'measured', ok: false },
        ];
      }
      ref.push({ median: r.ms, min: r.minMs ?? r.ms });
      detail = r.detail;
    }
    const ratio = median(ref.map((r, i) => r.median / ort[i].median));
    const best = Math.min(...ref.map((r) => r.min)) / Math.min(...ort.map((o) => o.min));
    return [
      { name: 'full trace T=4, 16 answer tokens, from the image file (onnxruntime-node, 1 thread)', value: median(ort.map((o) => o.median)), unit: 'ms', detail: `best ${Math.min(...ort.map((o) => o.min)).toFixed(1)} ms` },
      { name: 'same trace, PyTorch eager reference', value: median(ref.map((r) => r.median)), unit: 'ms', detail: `${detail}; best ${Math.min(...ref.map((r) => r.min)).toFixed(1)} ms` },
      { name: 'speed-up over PyTorch, medians (3 alternating rounds)', value: ratio, unit: 'x', target: '>= 2x', ok: ratio >= 2 },
      { name: 'speed-up over PyTorch, best runs (uncontended cost)', value: best, unit: 'x', target: '>= 2x', ok: best >= 2 },
    ];
  }),
};

export const perStepScaling: BenchSuite = {
  name: 'per-step cost vs T',
  run: (ctx) => withEngine(ctx, async (engine) => {
    const m = engine.manifest;
    const promptGuess = ('template' in m.prompt ? m.prompt.template.length : 32) + (m.model.visualTokens ?? 0) + 16;
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
