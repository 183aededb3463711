/**
 * The scale ladder (issue 11): random-weight LLaVA-style LaRe checkpoints at three sizes, the largest at real
 * size (Qwen2.5-0.5B decoder + CLIP ViT-B/16 at 384 px), converted and traced in one run, beside the PyTorch
 * reference on the same machine. Checkpoints and bundles live in .tmp/scale/ (generated, never committed).
 *
 * $LATENT_TRACE_SCALE_SIZES picks sizes (default small,medium,large); $LATENT_TRACE_SCALE_REUSE=1 keeps a bundle
 * already converted and reports the conversion time its manifest recorded.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { runChild } from './child';
import { median, type BenchContext, type BenchFigure, type BenchSuite } from './types';
import type { ScaleTraceFigures } from './scale-trace-child';
import type { ScaleDecodeRounds } from './scale-decode-child';

const ROOT = resolve(__dirname, '..');
const WORK = join(ROOT, '.tmp', 'scale');
const PYTHON = join(ROOT, 'training', '.venv', 'bin', 'python');
const ANSWER_TOKENS = 8;
/** interleaved rounds of a bandwidth reading and answer tokens (scale-decode-child.ts), and tokens per round */
const DECODE_ROUNDS = 9;
const ROUND_TOKENS = 9;
/** the trace child's T=4 run: its cache after the latent steps and latentEnd is what an answer token reads */
const LATENT_STEPS = 4;
const SIZES = ['small', 'medium', 'large'] as const;
const ENV = { OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', ORT_DISABLE_TELEMETRY: '1' };

interface ReferenceFigures {
  loadMs: number;
  visionMs: number;
  prefillMs: number;
  latentStepMs: Record<string, number>;
  answerTokenMs: Record<string, number>;
  answerTokenMsAll: number;
  reconstructMs: number;
  peakRssBytes: number;
  answerIds: number[];
  latentTokens: number[][];
  torch: string;
}

/** the last stdout line as JSON, or an error naming the command and its last stderr line */
async function jsonChild<T>(what: string, command: string, args: string[]): Promise<T> {
  const r = await runChild(command, args, ENV);
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as T;
}

async function checked(what: string, command: string, args: string[]): Promise<number> {
  const r = await runChild(command, args, ENV);
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return r.ms;
}

async function filesBytes(dir: string, keep: (name: string) => boolean): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) if (keep(name)) total += (await stat(join(dir, name))).size;
  return total;
}

/** converts (or, with REUSE, keeps) the size's bundle; returns the conversion's seconds and how they were had */
async function bundleFor(ctx: BenchContext, size: string): Promise<{ src: string; bundle: string; convertS: number; reused: boolean }> {
  const src = join(WORK, `${size}-src`);
  const bundle = join(WORK, size);
  if (!existsSync(join(src, 'config.json'))) {
    ctx.log(`scale: generating the ${size} checkpoint`);
    await checked('make_scale_hf.py', PYTHON, [join(ROOT, 'training', 'make_scale_hf.py'), '--size', size, '--out', src]);
  }
  const manifest = join(bundle, 'latent-trace.json');
  if (process.env.LATENT_TRACE_SCALE_REUSE === '1' && existsSync(manifest)) {
    const m = JSON.parse(await readFile(manifest, 'utf8')) as { provenance: { metrics: Record<string, number> } };
    return { src, bundle, convertS: m.provenance.metrics.convertSeconds, reused: true };
  }
  ctx.log(`scale: converting ${size}`);
  const ms = await checked('convert_hf.py', PYTHON, [join(ROOT, 'training', 'convert_hf.py'), src, '--family', 'llava',
    '--method', 'lare', '--extra', join(src, 'lare_extra.safetensors'), '--out', bundle, '--external-data']);
  return { src, bundle, convertS: ms / 1000, reused: false };
}

function maxAbs(a: number[][], b: number[][]): number {
  let m = 0;
  a.forEach((row, i) => row.forEach((v, j) => { m = Math.max(m, Math.abs(v - b[i][j])); }));
  return m;
}

/** one bundle's answer tokens against the bandwidth, round by round */
interface RoundFigures { tokenMs: number[]; gbPerS: number[]; ratio: number[]; limitMs: number[] }

async function decodeRounds(bundle: string, past: number, stepBytes: number): Promise<RoundFigures> {
  const r = await jsonChild<ScaleDecodeRounds>('scale-decode-child.ts', process.execPath,
    ['--import', 'tsx', join(__dirname, 'scale-decode-child.ts'), bundle, String(past), String(DECODE_ROUNDS), String(ROUND_TOKENS)]);
  const limitMs = r.gbPerS.map((g) => stepBytes / (g * 1e6));
  return { ...r, limitMs, ratio: r.tokenMs.map((t, i) => t / limitMs[i]) };
}

/** "median (min-max)" of a round figure */
function spread(values: number[], digits: number): string {
  return `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)})`;
}

/** the bandwidth target's figure: the median over the rounds of each round's token time over its own limit */
function bandwidthFigure(p: string, rounds: RoundFigures, stepBytes: number): BenchFigure {
  const ratio = median(rounds.ratio);
  const bestGbPerS = Math.max(...rounds.gbPerS);
  const strict = median(rounds.tokenMs) / (stepBytes / (bestGbPerS * 1e6));
  return {
    name: `${p} per answer token vs the bandwidth limit (median of ${rounds.ratio.length} rounds, each token time over the limit of the bandwidth read just before it)`,
    value: ratio, unit: 'x', target: '<= 1.5x', ok: ratio <= 1.5,
    detail: `ratio ${spread(rounds.ratio, 2)}; answer token ${spread(rounds.tokenMs, 1)} ms; bandwidth ${spread(rounds.gbPerS, 2)} GB/s; limit ${spread(rounds.limitMs, 1)} ms = ${(stepBytes / 1e6).toFixed(0)} MB read per step / bandwidth; against the rounds' best bandwidth, ${bestGbPerS.toFixed(2)} GB/s, the median token is ${strict.toFixed(2)}x`,
  };
}

function traceChild(ctx: BenchContext, bundle: string, image: string, out: string): Promise<ScaleTraceFigures> {
  return jsonChild<ScaleTraceFigures>('scale-trace-child.ts', process.execPath,
    ['--import', 'tsx', join(__dirname, 'scale-trace-child.ts'), bundle, image, ctx.question, String(ANSWER_TOKENS), out]);
}

async function latentTokensOf(out: string): Promise<number[][]> {
  return (JSON.parse(await readFile(join(out, 'prefill.json'), 'utf8')) as { latentTokens: number[][] }).latentTokens;
}

/** the smallest cosine similarity between matching rows */
function minCosine(a: number[][], b: number[][]): number {
  let m = 1;
  a.forEach((row, i) => {
    let dot = 0;
    let na = 0;
    let nb = 0;
    row.forEach((v, j) => { dot += v * b[i][j]; na += v * v; nb += b[i][j] * b[i][j]; });
    m = Math.min(m, dot / Math.sqrt(na * nb));
  });
  return m;
}

/** the weight-only int4 copy of the fp32 bundle (training/quantize_bundle.py), traced the same way */
async function quantizedStep(ctx: BenchContext, size: string, bundle: string, image: string,
  fp32: { figures: ScaleTraceFigures; out: string; weightBytes: number }, bandwidth: number[]): Promise<BenchFigure[]> {
  const q = join(WORK, `${size}-int4`);
  ctx.log(`scale: quantizing ${size} (int4)`);
  const quantizeMs = await checked('quantize_bundle.py', PYTHON, [join(ROOT, 'training', 'quantize_bundle.py'), bundle, '--out', q, '--bits', '4', '--block-size', '32']);
  const out = join(WORK, `run-${size}-int4`);
  await mkdir(out, { recursive: true });
  ctx.log(`scale: tracing ${size} (int4)`);
  const ours = await traceChild(ctx, q, image, out);
  const stepBytes = await filesBytes(q, (n) => n === 'decoder.onnx' || n === 'decoder.onnx.data');
  ctx.log(`scale: answer tokens and bandwidth, ${size} (int4)`);
  const rounds = await decodeRounds(q, ours.prefillTokens + LATENT_STEPS + 1, stepBytes);
  bandwidth.push(...rounds.gbPerS);
  const decode = ours.answerTokenMsAll;
  const tokens = await latentTokensOf(out);
  const reference = await latentTokensOf(fp32.out);
  const same = ours.answerIds.filter((id, i) => id === fp32.figures.answerIds[i]).length;
  const p = `${size} int4:`;
  return [
    { name: `${p} quantize (MatMulNBits, block 32, decoder + vision)`, value: quantizeMs / 1000, unit: 's', detail: `decoder ${(stepBytes / 1e6).toFixed(0)} MB` },
    { name: `${p} load`, value: ours.loadMs, unit: 'ms' },
    { name: `${p} vision`, value: ours.visionMs, unit: 'ms' },
    { name: `${p} prefill, ${ours.prefillTokens} tokens`, value: ours.prefillMs, unit: 'ms' },
    { name: `${p} per latent step, T=4 / T=32`, value: ours.latentStepMs[4], unit: 'ms', detail: `T=32 ${ours.latentStepMs[32].toFixed(1)} ms` },
    { name: `${p} per answer token`, value: decode, unit: 'ms', detail: `fp32 ${fp32.figures.answerTokenMsAll.toFixed(1)} ms` },
    bandwidthFigure(p, rounds, stepBytes),
    { name: `${p} peak RSS / fp32 parameters' bytes`, value: ours.peakRssBytes / fp32.weightBytes, unit: 'x', detail: `${(ours.peakRssBytes / 1e6).toFixed(0)} MB` },
    { name: `${p} latent tokens (T=4) vs fp32: max |Δ|`, value: maxAbs(tokens, reference), unit: '', detail: `smallest cosine ${minCosine(tokens, reference).toFixed(5)}` },
    { name: `${p} answer ids equal to fp32's`, value: same, unit: `of ${ours.answerIds.length}`, detail: `int4 ${ours.answerIds.join(' ')}` },
  ];
}

async function ladderStep(ctx: BenchContext, size: string, image: string, bandwidth: number[]): Promise<BenchFigure[]> {
  const { src, bundle, convertS, reused } = await bundleFor(ctx, size);
  const out = join(WORK, `run-${size}`);
  await mkdir(out, { recursive: true });
  ctx.log(`scale: tracing ${size}`);
  const ours = await traceChild(ctx, bundle, image, out);
  ctx.log(`scale: PyTorch reference ${size}`);
  const ref = await jsonChild<ReferenceFigures>('bench_scale_reference.py', PYTHON,
    [join(ROOT, 'training', 'bench_scale_reference.py'), src, '--extra', join(src, 'lare_extra.safetensors'), '--replay', out,
      '--answer-tokens', String(ANSWER_TOKENS)]);
  const latentTokens = await latentTokensOf(out);

  const weightBytes = await filesBytes(src, (n) => n.endsWith('.safetensors'));
  const bundleWeightBytes = await filesBytes(bundle, (n) => n.endsWith('.onnx') || n.endsWith('.onnx.data'));
  // a decode step reads every decoder weight once (all layers and the LM head); the embedding lookup is one row
  const stepBytes = await filesBytes(bundle, (n) => n === 'decoder.onnx' || n === 'decoder.onnx.data');
  ctx.log(`scale: answer tokens and bandwidth, ${size}`);
  const rounds = await decodeRounds(bundle, ours.prefillTokens + LATENT_STEPS + 1, stepBytes);
  bandwidth.push(...rounds.gbPerS);
  const decode = ours.answerTokenMsAll;
  const stepRatio = ours.latentStepMs[32] / ours.latentStepMs[4];
  const rssRatio = ours.peakRssBytes / weightBytes;
  const same = ours.answerIds.filter((id, i) => id === ref.answerIds[i]).length;
  const tokenErr = maxAbs(latentTokens, ref.latentTokens);
  const mb = (b: number) => `${(b / 1e6).toFixed(0)} MB`;
  const p = `${size}:`;
  return [
    { name: `${p} parameters' bytes (checkpoint safetensors)`, value: weightBytes / 1e6, unit: 'MB', detail: `bundle's ONNX weights ${mb(bundleWeightBytes)} (the tied embedding is stored in embed and decoder)` },
    { name: `${p} convert (convert_hf.py, with its onnxruntime and transformers checks)`, value: convertS, unit: 's', detail: reused ? 'reused bundle: the time its manifest recorded' : 'this run' },
    { name: `${p} load (open + create sessions)`, value: ours.loadMs, unit: 'ms', detail: `PyTorch reference load ${ref.loadMs.toFixed(0)} ms` },
    { name: `${p} vision`, value: ours.visionMs, unit: 'ms', detail: `PyTorch ${ref.visionMs.toFixed(0)} ms` },
    { name: `${p} prefill, ${ours.prefillTokens} tokens`, value: ours.prefillMs, unit: 'ms', detail: `PyTorch ${ref.prefillMs.toFixed(0)} ms` },
    { name: `${p} per latent step, T=4`, value: ours.latentStepMs[4], unit: 'ms', detail: `PyTorch ${ref.latentStepMs[4].toFixed(1)} ms` },
    { name: `${p} per latent step, T=32`, value: ours.latentStepMs[32], unit: 'ms', detail: `PyTorch ${ref.latentStepMs[32].toFixed(1)} ms` },
    { name: `${p} per latent step T=32 / T=4`, value: stepRatio, unit: 'x', target: '<= 1.2x', ok: stepRatio <= 1.2 },
    { name: `${p} per answer token (median over the T=4 and T=32 runs)`, value: decode, unit: 'ms', target: `<= PyTorch (${ref.answerTokenMsAll.toFixed(1)} ms)`, ok: decode <= ref.answerTokenMsAll, detail: `after T=4 ${ours.answerTokenMs[4].toFixed(1)}, after T=32 ${ours.answerTokenMs[32].toFixed(1)} ms; PyTorch ${ref.answerTokenMs[4].toFixed(1)}, ${ref.answerTokenMs[32].toFixed(1)} ms` },
    bandwidthFigure(p, rounds, stepBytes),
    { name: `${p} reconstruction, ${latentTokens.length} latent tokens in one DDIM batch`, value: ours.reconstructMs ?? NaN, unit: 'ms', detail: `PyTorch ${ref.reconstructMs.toFixed(0)} ms` },
    { name: `${p} trace file (with reconstructions)`, value: ours.traceFileBytes / 1e3, unit: 'kB' },
    { name: `${p} peak RSS of the trace process`, value: ours.peakRssBytes / 1e6, unit: 'MB', detail: `PyTorch reference ${mb(ref.peakRssBytes)}` },
    { name: `${p} peak RSS / parameters' bytes`, value: rssRatio, unit: 'x', target: '<= 1.5x', ok: rssRatio <= 1.5 },
    { name: `${p} onnxruntime vs PyTorch: answer ids equal`, value: same, unit: `of ${ours.answerIds.length}`, target: 'all', ok: same === ours.answerIds.length, detail: `latent tokens (T=4) max |Δ| ${tokenErr.toExponential(2)}; answer ${ours.answerIds.join(' ')}` },
    ...await quantizedStep(ctx, size, bundle, image, { figures: ours, out, weightBytes }, bandwidth),
  ];
}

export const scaleLadder: BenchSuite = {
  name: 'scale ladder',
  optIn: true,
  async run(ctx) {
    const sizes = (process.env.LATENT_TRACE_SCALE_SIZES ?? SIZES.join(',')).split(',');
    const bad = sizes.find((s) => !(SIZES as readonly string[]).includes(s));
    if (bad) throw new Error(`LATENT_TRACE_SCALE_SIZES: unknown size "${bad}" (expected ${SIZES.join(', ')})`);
    await mkdir(WORK, { recursive: true });
    let image = ctx.image;
    if (typeof image !== 'string') {
      await writeFile(join(WORK, 'image.png'), image);
      image = join(WORK, 'image.png');
    }
    const bandwidth: number[] = [];
    const figures: BenchFigure[] = [];
    for (const size of sizes) figures.push(...await ladderStep(ctx, size, image, bandwidth));
    return [{ name: `streaming read bandwidth, 1 thread (best of 3 passes of memchr and memcmp over 256 MiB buffers, median of the run's ${bandwidth.length} rounds)`, value: median(bandwidth), unit: 'GB/s', detail: `range ${Math.min(...bandwidth).toFixed(2)}-${Math.max(...bandwidth).toFixed(2)} GB/s; each round is read just before that round's answer tokens` }, ...figures];
  },
};
