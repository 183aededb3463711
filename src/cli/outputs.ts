/** What `run --out` and `demo` write: the trace file and PNGs (heatmap overlays, reconstructions). */
import { join, parse } from 'node:path';
import { writeFileAtomic } from '../runtime/atomic';
import { reconstructionPng, saliencyOverlayPng } from '../runtime/overlays';
import { TRACE_SUFFIX, writeTraceFile } from '../runtime/trace-file';
import type { Trace } from '../shared/trace';

export interface WrittenFiles {
  trace: string;
  overlays: string[];
  reconstructions: string[];
  firstAnswerAttention: string;
}

export async function writeTraceOutputs(outDir: string, trace: Trace): Promise<WrittenFiles> {
  const stem = parse(trace.input.imageName).name || 'trace';
  const image = Buffer.from(trace.input.imagePng, 'base64');
  const grid = trace.input.grid;
  const files: WrittenFiles = { trace: join(outDir, `${stem}${TRACE_SUFFIX}`), overlays: [], reconstructions: [], firstAnswerAttention: join(outDir, `${stem}-first-answer-attention.png`) };
  await writeTraceFile(files.trace, trace);
  for (const step of trace.steps) {
    const file = join(outDir, `${stem}-step${step.index}-saliency.png`);
    await writeFileAtomic(file, await saliencyOverlayPng(image, step.saliency, grid, step.window));
    files.overlays.push(file);
  }
  await writeFileAtomic(files.firstAnswerAttention, await saliencyOverlayPng(image, trace.firstAnswerAttention.mean, grid, null));
  const rec = trace.reconstructions;
  if (rec) {
    for (let i = 0; i < trace.steps.length; i++) {
      const file = join(outDir, `${stem}-step${trace.steps[i].index}-reconstruction.png`);
      await writeFileAtomic(file, await reconstructionPng(rec.pixels, i, rec.channels, rec.size));
      files.reconstructions.push(file);
    }
  }
  return files;
}

/** The `run --json` object (issue 3): answer, steps, stoppedAt, tokens, timingsMs, model. */
export function runSummary(trace: Trace, files?: WrittenFiles): Record<string, unknown> {
  const round = (v: number) => Number(v.toPrecision(7));
  return {
    answer: trace.answer.text,
    question: trace.input.question,
    image: trace.input.imageName,
    grid: trace.input.grid,
    model: { name: trace.model.name, hash: trace.model.hash, method: trace.model.method },
    steps: trace.steps.map((s) => ({
      index: s.index,
      window: s.window,
      saliency: Array.from(s.saliency, round),
      distance: s.distance && { cosine: round(s.distance.cosine), l1: round(s.distance.l1), l2: round(s.distance.l2) },
      ...(s.windowHitsBox !== undefined ? { windowHitsBox: s.windowHitsBox } : {}),
    })),
    ...(trace.input.groundTruth ? { groundTruth: trace.input.groundTruth } : {}),
    ...(trace.input.warnings ? { warnings: trace.input.warnings } : {}),
    stoppedAt: trace.stoppedAt,
    stopReason: trace.stopReason,
    tokens: trace.tokens,
    answerTokenProbs: trace.answer.tokenProbs.map(round),
    firstAnswerAttentionTotal: round(trace.firstAnswerAttention.total),
    timingsMs: Object.fromEntries(Object.entries(trace.timingsMs).map(([k, v]) => [k, Math.round(v * 100) / 100])),
    settings: { ...trace.settings, intervention: trace.settings.intervention?.kind },
    ...(files ? { files } : {}),
  };
}

/** A few readable lines for people (the non --json output). */
export function describeTrace(trace: Trace): string {
  const gt = trace.input.groundTruth;
  const verdict = gt?.correct === undefined ? '' : ` (${gt.correct ? 'correct' : 'wrong'}; expected ${gt.expected})`;
  const lines = [...(trace.input.warnings ?? []).map((w) => `warning: ${w}`), `answer: ${trace.answer.text}${verdict}`];
  for (const s of trace.steps) {
    const w = s.window ? `window (row ${s.window.row}, col ${s.window.col}, size ${s.window.size})` : 'no window';
    const d = s.distance ? `distance cos ${s.distance.cosine.toFixed(4)} l1 ${s.distance.l1.toFixed(3)} l2 ${s.distance.l2.toFixed(3)}` : 'first step';
    const hit = s.windowHitsBox === undefined ? '' : `, window ${s.windowHitsBox ? 'hits' : 'misses'} the box`;
    lines.push(`  step ${s.index}: ${w}, ${d}${hit}`);
  }
  lines.push(`stopped after ${trace.stoppedAt} latent steps (${trace.stopReason}); tokens: prompt ${trace.tokens.prompt}, latent ${trace.tokens.latent}, answer ${trace.tokens.answer}`);
  lines.push(`timings: ${Object.entries(trace.timingsMs).map(([k, v]) => `${k} ${v.toFixed(1)} ms`).join(', ')}`);
  return lines.join('\n');
}
