/**
 * The shipped sample of the fine split (media/samples/fine.jsonl, docs/fidelity-task.md) as the tool reads it:
 * several questions per image, `bbox` exactly on the single-target types, every object's box in `objects`,
 * and `eval` runs over it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readJsonlDataset } from '../../src/runtime/datasets/jsonl';
import { main } from '../../src/cli/main';
import type { CliIO } from '../../src/cli/io';

const root = resolve(__dirname, '../..');
const file = join(root, 'media/samples/fine.jsonl');
const tiny = join(root, 'test/fixtures/golden/bundles/lare-tiny');
const SINGLE_TARGET = new Set(['mark', 'mark_relation']);
const TYPES = ['mark', 'mark_count', 'mark_relation', 'mark_same'];

test('fine samples: every image has several questions, bbox only on single-target types, inside objects', async () => {
  const dataset = await readJsonlDataset(file);
  assert.equal(dataset.skipped.length, 0);
  const perImage = new Map<string, number>();
  for (const item of dataset.items) perImage.set(item.imageName, (perImage.get(item.imageName) ?? 0) + 1);
  assert.ok(perImage.size >= 50, `${perImage.size} images`);
  assert.ok(Math.min(...perImage.values()) >= 2, 'an image with a single question');
  assert.deepEqual([...new Set(dataset.items.map((i) => i.type))].sort(), TYPES);
  const raw = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { bbox?: number[]; objects: number[][]; type: string });
  assert.equal(raw.length, dataset.items.length);
  for (const [k, item] of dataset.items.entries()) {
    assert.equal(item.bbox !== undefined, SINGLE_TARGET.has(item.type ?? ''), `${item.source}: bbox on a ${item.type} item`);
    const objects = raw[k].objects;
    assert.equal(objects.length, 3, `${item.source}: ${objects.length} objects`);
    for (const o of objects) assert.ok(o.length === 4 && o[0] < o[2] && o[1] < o[3], `${item.source}: object box ${JSON.stringify(o)}`);
    if (item.bbox) assert.ok(objects.some((o) => o.every((v, i) => v === item.bbox?.[i])), `${item.source}: bbox is not one of the objects`);
  }
});

test('fine samples: eval reads them with a bundled model', { skip: !existsSync(join(tiny, 'latent-trace.json')) && 'tiny bundle missing' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lt-fine-'));
  try {
    const io: CliIO & { out: string; err: string } = { out: '', err: '', cwd: dir, env: {}, stdout: (t: string) => (io.out += t), stderr: (t: string) => (io.err += t) };
    assert.equal(await main(['eval', file, '--model', tiny, '--limit', '5', '--json'], io), 0, io.err);
    const report = JSON.parse(io.out) as { n: number; perType: Record<string, { n: number }>; pointing: { n: number } };
    assert.equal(report.n, 5);
    // the first two images: a count and a same/different question without a box, three questions with one
    assert.equal(report.pointing.n, [...Object.entries(report.perType)].filter(([t]) => SINGLE_TARGET.has(t)).reduce((s, [, v]) => s + v.n, 0));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
