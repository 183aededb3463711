/**
 * One bundle's trace figures in a process of its own, so its peak RSS (VmHWM) is the trace's alone:
 *   node --import tsx bench/scale-trace-child.ts <bundle> <image> <question> <answerTokens> <outDir>
 * Prints one JSON line (ScaleTraceFigures) and writes into outDir what the PyTorch reference replays:
 * prefill.json (the prefill's token ids, -1 at visual positions; the answer ids; the latent tokens) and
 * pixels.f32 (the vision graph's input).
 */
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openEngine } from '../src/runtime/engine';
import { writeTraceFile } from '../src/runtime/trace-file';
import type { TraceProgress } from '../src/runtime/api';
import type { Reconstructions } from '../src/shared/trace';
import { median } from './types';
import { peakRssBytes } from './proc-status';

export interface ScaleTraceFigures {
  loadMs: number;
  visionMs: number;
  prefillMs: number;
  prefillTokens: number;
  /** median latent step / answer token, by T */
  latentStepMs: Record<string, number>;
  answerTokenMs: Record<string, number>;
  /** median answer token over every run (T=4 and T=32 alike: the cache length barely matters) */
  answerTokenMsAll: number;
  reconstructMs: number | null;
  traceFileBytes: number;
  peakRssBytes: number;
  answerIds: number[];
  answerText: string;
}

/** the durations between consecutive progress events of one stage (the first one closes the stage before it) */
function stageDurations(stamps: { stage: TraceProgress['stage']; at: number }[], stage: TraceProgress['stage']): number[] {
  const out: number[] = [];
  for (let i = 1; i < stamps.length; i++) {
    if (stamps[i].stage === stage && stamps[i].at > 0 && stamps[i - 1].stage === stage) out.push(stamps[i].at - stamps[i - 1].at);
  }
  return out;
}

async function main(): Promise<void> {
  const [dir, image, question, answerArg, outDir] = process.argv.slice(2);
  const answerTokens = Number(answerArg);
  const t0 = performance.now();
  const engine = await openEngine(dir, { threads: 1 });
  const openMs = performance.now() - t0;
  try {
    const run = async (T: number) => {
      const stamps: { stage: TraceProgress['stage']; at: number }[] = [];
      const settings = { latentSteps: T, maxLatentSteps: T, stop: 'fixed' as const, maxAnswerTokens: answerTokens, temperature: 0 };
      const detail = await engine.traceDetailed({
        image, question, settings,
        onProgress: (p) => stamps.push({ stage: p.stage, at: p.step === undefined ? 0 : performance.now() }),
      }, { ignoreEos: true });
      return { detail, latent: stageDurations(stamps, 'latent'), answer: stageDurations(stamps, 'answer') };
    };
    // the first run creates the sessions (its "load" timing); the figures come from the later runs
    const first = await run(4);
    const loadMs = openMs + first.detail.trace.timingsMs.load;
    const short = [await run(4), await run(4)];
    const long = await run(32);
    const t4 = short[1].detail;
    let reconstructions: Reconstructions | null = null;
    let reconstructMs: number | null = null;
    if (engine.manifest.reconstruction) {
      const tokens = t4.trace.steps.map((s) => s.latentToken);
      await engine.reconstruct(tokens, { seed: 0 }); // creates the U-Net session
      const r0 = performance.now();
      reconstructions = await engine.reconstruct(tokens, { seed: 0 });
      reconstructMs = performance.now() - r0;
    }

    const tracePath = join(outDir, 'trace.ltrace.json');
    await writeTraceFile(tracePath, { ...t4.trace, reconstructions: reconstructions ?? undefined });
    const { size } = await stat(tracePath);
    await writeFile(join(outDir, 'pixels.f32'), Buffer.from(t4.pixels.buffer, t4.pixels.byteOffset, t4.pixels.byteLength));
    await writeFile(join(outDir, 'prefill.json'), JSON.stringify({
      inputIds: t4.inputIds,
      imageOffset: t4.inputIds.indexOf(-1),
      answerIds: t4.trace.answer.tokenIds,
      latentTokens: t4.trace.steps.map((s) => Array.from(s.latentToken)),
    }));
    const figures: ScaleTraceFigures = {
      loadMs,
      visionMs: median(short.map((r) => r.detail.trace.timingsMs.vision)),
      prefillMs: median(short.map((r) => r.detail.trace.timingsMs.prefill)),
      prefillTokens: t4.trace.tokens.prompt,
      latentStepMs: { 4: median(short.flatMap((r) => r.latent)), 32: median(long.latent) },
      answerTokenMs: { 4: median(short.flatMap((r) => r.answer)), 32: median(long.answer) },
      answerTokenMsAll: median([...short, long].flatMap((r) => r.answer)),
      reconstructMs,
      traceFileBytes: size,
      peakRssBytes: await peakRssBytes(),
      answerIds: t4.trace.answer.tokenIds,
      answerText: t4.trace.answer.text,
    };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    await engine.dispose();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`scale-trace-child: ${err.stack ?? err.message}\n`);
  process.exitCode = 1;
});
