/**
 * Benches of the analysis engine (issue 4): probing on 1,000 pairs against scikit-learn on the same
 * features in the same run, stats on two samples of 100,000, and a dataset run on 2 workers vs 1.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { groupedFolds } from '../src/analysis/probing/protocol';
import { accuracy, mlpProbe, svmProbe, type ProbeData } from '../src/analysis/probing/probes';
import { DEFAULT_C_GRID } from '../src/analysis/probing/crossValidation';
import { createRandom } from '../src/analysis/random';
import { compareSamples } from '../src/analysis/stats';
import { runDataset } from '../src/runtime/datasets/runner';
import type { DatasetItem } from '../src/runtime/datasets/item';
import type { BenchContext, BenchFigure, BenchSuite } from './types';

const PYTHON = '/usr/bin/python3';
const SKLEARN_SCRIPT = resolve(__dirname, 'sklearn_probes.py');

/**
 * 1,000 pairs as the protocol builds them (700 train / 300 test, 256-d elementwise products of
 * L2-normalised vectors) from items whose latent carries its target through noise of norm `noise`
 * relative to the signal: 3 gives an easy probe (about 99% accuracy), 8 one as hard as real latents
 * (about 75-80%), where the SVM's larger C values run to the iteration limit in both libraries.
 */
function probingFeatures(noise: number): ProbeData & { yTest: Uint8Array } {
  const random = createRandom(11);
  const dim = 256;
  const items = 400;
  const normalize = (v: Float64Array) => {
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  };
  const targets = Array.from({ length: items }, () => normalize(Float64Array.from({ length: dim }, () => random.normal())));
  const latents = targets.map((t) => normalize(t.map((x) => x + noise * random.normal() / Math.sqrt(dim))));
  const image = (i: number) => `img${i % 200}`;
  const testImage = (i: number) => i % 200 < 60;
  const make = (count: number, test: boolean) => {
    const members = Array.from({ length: items }, (_, i) => i).filter((i) => testImage(i) === test);
    const x = new Float64Array(count * dim);
    const y = new Uint8Array(count);
    const imgs: string[] = [];
    for (let k = 0; k < count; k++) {
      const a = members[random.int(members.length)];
      let b = a;
      if (k % 2 === 1) while (image(b) === image(a)) b = members[random.int(members.length)];
      for (let d = 0; d < dim; d++) x[k * dim + d] = latents[a][d] * targets[b][d];
      y[k] = k % 2 === 0 ? 1 : 0;
      imgs.push(image(a));
    }
    return { x, y, imgs };
  };
  const train = make(700, false);
  const test = make(300, true);
  return { dim, xTrain: train.x, yTrain: train.y, folds: groupedFolds(train.imgs, 5, 3), xTest: test.x, yTest: test.y };
}

function runPython(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise) => {
    const p = spawn(PYTHON, args, { env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', OMP_WAIT_POLICY: 'PASSIVE' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c) => (stdout += c));
    p.stderr.on('data', (c) => (stderr += c));
    p.on('error', (err) => resolvePromise({ code: -1, stdout, stderr: String(err) }));
    p.on('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
  });
}

function medianSync(repeats: number, f: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export const probingVsSklearn: BenchSuite = {
  name: 'probing: 1,000 pairs, SVM 5-fold CV over C + MLP, vs scikit-learn',
  async run(ctx: BenchContext): Promise<BenchFigure[]> {
    const figures: BenchFigure[] = [];
    for (const [label, noise] of [['easy', 3], ['hard', 8]] as const) figures.push(...await probingCase(ctx, label, noise));
    return figures;
  },
};

async function probingCase(ctx: BenchContext, label: string, noise: number): Promise<BenchFigure[]> {
  const data = probingFeatures(noise);
  const repeats = Math.min(ctx.repeats, 3);
  let svmAcc = 0;
  let mlpAcc = 0;
  const svmMs = medianSync(repeats, () => (svmAcc = accuracy(svmProbe(data, { grid: DEFAULT_C_GRID }, createRandom(0)).predictions, data.yTest)));
  const mlpMs = medianSync(repeats, () => (mlpAcc = accuracy(mlpProbe(data, { hidden: 64 }, createRandom(0)).predictions, data.yTest)));
  const tmp = await mkdtemp(join(tmpdir(), 'lt-bench-probing-'));
  try {
    const file = join(tmp, 'features.json');
    await writeFile(file, JSON.stringify({ dim: data.dim, xTrain: Array.from(data.xTrain), yTrain: Array.from(data.yTrain), folds: Array.from(data.folds), xTest: Array.from(data.xTest), yTest: Array.from(data.yTest), cGrid: DEFAULT_C_GRID }));
    const py = await runPython([SKLEARN_SCRIPT, file, String(repeats)]);
    let sk: { sklearn: string; svm_ms: number; mlp_ms: number; svm_accuracy: number; mlp_accuracy: number } | null = null;
    try {
      sk = JSON.parse(py.stdout.trim().split('\n').at(-1) ?? '');
    } catch {
      sk = null;
    }
    const ours = svmMs + mlpMs;
    const pct = (x: number) => (100 * x).toFixed(1);
    const oursDetail = `SVM ${svmMs.toFixed(0)} ms (acc ${pct(svmAcc)}), MLP ${mlpMs.toFixed(0)} ms (acc ${pct(mlpAcc)})`;
    if (!sk) {
      return [{ name: `probing ${label} (ours), SVM CV + MLP`, value: ours, unit: 'ms', detail: `${oursDetail}; scikit-learn not timed: ${py.stderr.trim().split('\n').at(-1) ?? `exit ${py.code}`}` }];
    }
    const theirs = sk.svm_ms + sk.mlp_ms;
    return [
      { name: `probing ${label}: ours SVM CV + MLP`, value: ours, unit: 'ms', detail: oursDetail },
      { name: `probing ${label}: scikit-learn SVM CV + MLP`, value: theirs, unit: 'ms', detail: `sklearn ${sk.sklearn}, 1 BLAS thread: SVM ${sk.svm_ms.toFixed(0)} ms (acc ${pct(sk.svm_accuracy)}), MLP ${sk.mlp_ms.toFixed(0)} ms (acc ${pct(sk.mlp_accuracy)})` },
      { name: `probing ${label}: speed vs scikit-learn`, value: theirs / ours, unit: 'x', target: '>= 1x (no slower)', ok: theirs / ours >= 1 },
    ];
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

export const statsLarge: BenchSuite = {
  name: 'stats: two samples of 100,000',
  async run(ctx: BenchContext): Promise<BenchFigure[]> {
    const random = createRandom(5);
    const a = Float64Array.from({ length: 100_000 }, () => random.normal());
    const b = Float64Array.from({ length: 100_000 }, () => random.normal() + 0.01);
    compareSamples(a, b);
    const ms = medianSync(ctx.repeats, () => compareSamples(a, b));
    const small = medianSync(ctx.repeats, () => compareSamples(a.subarray(0, 10_000), b.subarray(0, 10_000)));
    return [
      { name: 'stats 100k vs 100k (descriptives, t-tests, Mann-Whitney U, effect sizes, normal CI)', value: ms, unit: 'ms', target: '< 100 ms', ok: ms < 100 },
      { name: 'stats 10k vs 10k with the 2,000-resample bootstrap CI', value: small, unit: 'ms', detail: 'the bootstrap is used up to 20,000 values' },
    ];
  },
};

export const datasetScaling: BenchSuite = {
  name: 'dataset run: 2 workers vs 1 (engine per worker, 1 thread each)',
  async run(ctx: BenchContext): Promise<BenchFigure[]> {
    const tmp = await mkdtemp(join(tmpdir(), 'lt-bench-dataset-'));
    try {
      const image = typeof ctx.image === 'string' ? ctx.image : join(tmp, 'image.png');
      if (typeof ctx.image !== 'string') await writeFile(image, ctx.image);
      const items: DatasetItem[] = Array.from({ length: 120 }, (_, index) => ({ index, source: `bench:${index}`, image, imageName: 'image.png', question: ctx.question, answer: '' }));
      // wall time includes starting each worker's engine; the throughput after the first committed
      // item shows the steady state that long runs see
      const timeRun = async (workers: number, subset = items) => {
        const t0 = performance.now();
        const stamps: number[] = [];
        await runDataset({
          items: subset,
          resultsPath: join(tmp, `w${workers}-${subset.length}.jsonl`),
          header: { format: 'latent-trace/results', version: 1, task: 'attention', dataset: 'bench', shard: '0/1', datasetItems: subset.length, config: { workers } },
          processor: { name: 'attention', options: { modelDir: ctx.modelDir, threads: 1 } },
          workers,
          onProgress: () => stamps.push(performance.now()),
        });
        const wall = performance.now() - t0;
        const steady = (stamps.length - 1) / ((stamps[stamps.length - 1] - stamps[0]) / 1000);
        return { wall, steady };
      };
      // a warm-up run first, so neither timed run pays for first-time module loading and file caches
      await timeRun(2, items.slice(0, 4));
      const one = await timeRun(1);
      const two = await timeRun(2);
      return [
        { name: `dataset run, ${items.length} items, 1 worker`, value: one.wall, unit: 'ms', detail: `${one.steady.toFixed(1)} items/s after the first` },
        { name: `dataset run, ${items.length} items, 2 workers`, value: two.wall, unit: 'ms', detail: `${two.steady.toFixed(1)} items/s after the first` },
        { name: 'dataset run: 2 workers vs 1, wall time', value: one.wall / two.wall, unit: 'x', target: '>= 1.7x on 2 cores', ok: one.wall / two.wall >= 1.7, detail: 'includes opening one engine per worker' },
        { name: 'dataset run: 2 workers vs 1, steady throughput', value: two.steady / one.steady, unit: 'x', detail: 'items/s after the first committed item' },
      ];
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  },
};
