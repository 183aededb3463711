// A study submitted from the extension runs the CLI on the cluster: its typed options become the CLI's
// arguments, which the CLI's own parsers read back to the same options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommandArgs, stringOpt, intOpt, numberOpt } from '../../src/cli/args';
import { datasetOptionSpec, readDatasetArgs } from '../../src/cli/commands/dataset-common';
import { readTraceOptions, traceOptionSpec } from '../../src/cli/trace-options';
import type { CliIO } from '../../src/cli/io';
import type { StudyRequest } from '../../src/studies';
import { studyArgs } from '../../src/studies/slurm/args';
import { shardSizes } from '../../src/studies/slurm/plan';

const io = { cwd: '/elsewhere', env: {} } as unknown as CliIO;
const spec = {
  ...traceOptionSpec, ...datasetOptionSpec,
  ablation: { type: 'string' }, pairs: { type: 'string' }, bootstrap: { type: 'string' },
  baseline: { type: 'string' }, layer: { type: 'string' },
  'max-t': { type: 'string' }, cosine: { type: 'string' }, l1: { type: 'string' }, l2: { type: 'string' },
} as const;

async function parse(r: StudyRequest) {
  const a = parseCommandArgs(r.study, studyArgs(r), spec);
  return { a, d: readDatasetArgs(r.study, a, io), t: await readTraceOptions(a, io) };
}

test('probing: dataset, models, an adaptive stop with its cap and threshold, the probing sizes, the runtime', async () => {
  const { a, d, t } = await parse({
    study: 'probe',
    options: {
      dataset: '/data/my set.jsonl', modelDir: '/m/lare', ablationDir: '/m/noext', provider: 'cuda', threads: 2, limit: 30, onBadRecord: 'skip',
      settings: { stop: 'cosine', maxLatentSteps: 6, threshold: 0.05 },
      probing: { pairs: 200, bootstrapResamples: 300 },
    },
  });
  assert.deepEqual([d.dataset, d.limit, d.onBadRecord], ['/data/my set.jsonl', 30, 'skip']);
  assert.deepEqual([t.modelDir, t.provider, t.threads], ['/m/lare', 'cuda', 2]);
  assert.deepEqual(t.settings, { stop: 'cosine', maxLatentSteps: 6, threshold: 0.05 });
  assert.deepEqual([stringOpt(a, 'ablation'), intOpt(a, 'pairs', 1), intOpt(a, 'bootstrap', 1)], ['/m/noext', 200, 300]);
});

test('a fixed stop keeps T as --steps; the attention baseline and layer; the steps study\'s T and thresholds', async () => {
  const fixed = await parse({ study: 'attention', options: { dataset: '/d.jsonl', modelDir: '/m', baselineDir: '/b', layer: 3, settings: { stop: 'fixed', latentSteps: 4 } } });
  assert.deepEqual(fixed.t.settings, { stop: 'fixed', latentSteps: 4 });
  assert.deepEqual([stringOpt(fixed.a, 'baseline'), intOpt(fixed.a, 'layer', 0)], ['/b', 3]);
  const bundleStop = await parse({ study: 'steps', options: { dataset: '/d.jsonl', modelDir: '/m', maxSteps: 5, thresholds: { cosine: 0.1, l2: 2 }, settings: { latentSteps: 5 } } });
  assert.deepEqual(bundleStop.t.settings, { latentSteps: 5 });
  assert.equal(intOpt(bundleStop.a, 'max-t', 2), 5);
  const num = (k: string) => numberOpt(bundleStop.a, k, () => true, 'n');
  assert.deepEqual([num('cosine'), num('l1'), num('l2')], [0.1, undefined, 2]);
});

test('probing settings the CLI cannot pass are refused rather than dropped', () => {
  assert.throws(() => studyArgs({ study: 'probe', options: { dataset: '/d', modelDir: '/m', probing: { projection: 'contrastive' } } }), /pairs, bootstrapResamples and seed only/);
});

test('shard sizes: items k with k mod n = i, as --shard i/n takes them', () => {
  assert.deepEqual(shardSizes(10, 4), [3, 3, 2, 2]);
  assert.deepEqual(shardSizes(2, 4), [1, 1, 0, 0]);
  assert.deepEqual(shardSizes(0, 2), [0, 0]);
});
