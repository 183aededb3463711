import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { readDataset } from '../../src/runtime/datasets/read';
import { groupGone } from './process-group';
import { itemImage } from '../../src/runtime/datasets/image-source';
import { parseShard, shardItems } from '../../src/runtime/datasets/shard';
import { runDataset } from '../../src/studies/runner';
import { mergeResults } from '../../src/runtime/datasets/merge';
import type { ResultsHeader } from '../../src/runtime/datasets/results';

const fake = join(__dirname, 'fake-processor.ts');
const tmp = () => mkdtempSync(join(tmpdir(), 'lt-datasets-'));

function writeDataset(dir: string, n: number): string {
  const lines = Array.from({ length: n }, (_, i) => JSON.stringify({ image: `images/${i}.png`, question: `what color is shape ${i}?`, answer: 'red', rationale: 'the shape is red.', bbox: [1, 2, 9, 10], type: 'color' }));
  const file = join(dir, 'data.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function header(dataset: string, items: number, shard = '0/1'): ResultsHeader {
  return { format: 'latent-trace/results', version: 1, task: 'fake', dataset, shard, datasetItems: items, config: { spinMs: 0 } };
}

test('JSONL: paths relative to the file, optional fields, comments and blank lines', async () => {
  const dir = tmp();
  const file = join(dir, 'd.jsonl');
  writeFileSync(file, '# a comment\n{"image": "a/x.png", "question": "q?", "answer": "yes"}\n\n{"image": "/abs/y.png", "question": "q2", "answer": "no", "bbox": [0, 0, 4, 4], "rationale": "r", "type": "exist"}\n');
  const d = await readDataset(file);
  assert.equal(d.items.length, 2);
  assert.equal(d.items[0].image, join(dir, 'a/x.png'));
  assert.equal(d.items[0].source, `${file}:2`);
  assert.equal(d.items[1].image, '/abs/y.png');
  assert.deepEqual(d.items[1].bbox, [0, 0, 4, 4]);
  assert.equal(d.items[1].index, 1);
  rmSync(dir, { recursive: true });
});

test('JSONL: a bad line fails with its line number, or is skipped and reported', async () => {
  const dir = tmp();
  const file = join(dir, 'd.jsonl');
  writeFileSync(file, '{"image": "x.png", "question": "q", "answer": "a"}\n{"image": "x.png", "question": "q"\n{"image": "x.png", "question": "", "answer": "a"}\n{"image": "x.png", "question": "q", "answer": "a", "bbox": [3, 3, 1, 1]}\n{"image": "y.png", "question": "q", "answer": "b"}\n');
  await assert.rejects(readDataset(file), new RegExp(`${file.replace(/[.]/g, '\\.')}:2: not valid JSON`));
  const d = await readDataset(file, 'skip');
  assert.equal(d.items.length, 2);
  assert.deepEqual(d.skipped.map((s) => s.where), [`${file}:2`, `${file}:3`, `${file}:4`]);
  assert.match(d.skipped[1].message, /"question" must be a non-empty string/);
  assert.match(d.skipped[2].message, /"bbox" must be/);
  assert.deepEqual(d.items.map((i) => i.index), [0, 1]);
  await assert.rejects(readDataset(join(dir, 'none.jsonl')), /cannot read the dataset \(ENOENT\)/);
  await assert.rejects(readDataset(join(dir, 'd.csv')), /unknown dataset format ".csv"/);
  rmSync(dir, { recursive: true });
});

test('Parquet: Hugging Face image struct with embedded bytes', async () => {
  const dir = tmp();
  const file = join(dir, 'd.parquet');
  const png = Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10, 1, 2, 3]);
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: 'image', data: [{ bytes: png, path: 'one.png' }, { bytes: png, path: 'two.png' }, { bytes: new Uint8Array(0), path: 'bad.png' }] },
      { name: 'question', data: ['q1', 'q2', 'q3'], type: 'STRING' },
      { name: 'answer', data: ['a1', 'a2', 'a3'], type: 'STRING' },
      { name: 'bbox', data: [[1, 2, 3, 4], [0, 0, 8, 8], null] },
    ],
  });
  writeFileSync(file, new Uint8Array(buffer));
  await assert.rejects(readDataset(file), /#row 2: column "image" must hold encoded image bytes/);
  const d = await readDataset(file, 'skip');
  assert.equal(d.items.length, 2);
  // images stay in the file until an item is processed
  assert.deepEqual(d.items[0].image, { parquet: file, row: 0, column: 'image' });
  assert.deepEqual(Array.from((await itemImage(d.items[1])) as Uint8Array), Array.from(png));
  assert.equal(d.items[1].imageName, 'two.png');
  assert.deepEqual(d.items[0].bbox, [1, 2, 3, 4]);
  writeFileSync(join(dir, 'broken.parquet'), 'not parquet');
  await assert.rejects(readDataset(join(dir, 'broken.parquet')), /cannot read the Parquet file/);
  rmSync(dir, { recursive: true });
});

test('Parquet: rows are read in chunks; images without a path are named by content', async () => {
  const dir = tmp();
  const file = join(dir, 'many.parquet');
  const n = 600;
  const image = (i: number) => Uint8Array.from([137, 80, 78, 71, i % 7, 1]);
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: 'image', data: Array.from({ length: n }, (_, i) => image(i)), type: 'BYTE_ARRAY' },
      { name: 'question', data: Array.from({ length: n }, (_, i) => `q${i}`), type: 'STRING' },
      { name: 'answer', data: Array.from({ length: n }, () => 'a'), type: 'STRING' },
    ],
  });
  writeFileSync(file, new Uint8Array(buffer));
  const d = await readDataset(file);
  assert.equal(d.items.length, n);
  assert.equal(d.items[599].source, `${file}#row 599`);
  assert.equal(d.items[7].imageName, d.items[0].imageName);
  assert.notEqual(d.items[1].imageName, d.items[0].imageName);
  assert.deepEqual(Array.from((await itemImage(d.items[598])) as Uint8Array), Array.from(image(598)));
  rmSync(dir, { recursive: true });
});

test('shards: i/n parsing and disjoint, covering selection', () => {
  assert.deepEqual(parseShard('1/4'), { index: 1, count: 4 });
  for (const bad of ['4/4', '1', 'a/b', '-1/2', '0/0']) assert.throws(() => parseShard(bad), /--shard must be i\/n/);
  const items = Array.from({ length: 10 }, (_, index) => ({ index }));
  const parts = [0, 1, 2].map((i) => shardItems(items, { index: i, count: 3 }).map((it) => it.index));
  assert.deepEqual(parts.flat().sort((a, b) => a - b), items.map((i) => i.index));
});

test('runner: workers and inline give the same file; failures are recorded; resume skips done items', async () => {
  const dir = tmp();
  const dataset = writeDataset(dir, 12);
  const { items } = await readDataset(dataset);
  const inline = join(dir, 'inline.jsonl');
  const threaded = join(dir, 'threaded.jsonl');
  const options = { failOn: 'shape 5?' };
  const a = await runDataset({ items, resultsPath: inline, header: header(dataset, 12), processor: { module: fake, options }, workers: 0 });
  const b = await runDataset({ items, resultsPath: threaded, header: header(dataset, 12), processor: { module: fake, options }, workers: 2 });
  assert.equal(a.processed, 12);
  assert.equal(b.failed, 1);
  assert.equal(readFileSync(inline, 'utf8'), readFileSync(threaded, 'utf8'));
  assert.match(b.lines[5].error as string, /cannot answer/);
  const again = await runDataset({ items, resultsPath: threaded, header: header(dataset, 12), processor: { module: fake, options }, workers: 2 });
  assert.equal(again.resumed, 12);
  assert.equal(again.processed, 0);
  await assert.rejects(
    runDataset({ items, resultsPath: threaded, header: { ...header(dataset, 12), config: { spinMs: 5 } }, processor: { module: fake, options }, workers: 0 }),
    /holds results of a different run \(settings differ\)/,
  );
  rmSync(dir, { recursive: true });
});

test('runner: a torn last line is cut and its item run again', async () => {
  const dir = tmp();
  const dataset = writeDataset(dir, 6);
  const { items } = await readDataset(dataset);
  const full = join(dir, 'full.jsonl');
  await runDataset({ items, resultsPath: full, header: header(dataset, 6), processor: { module: fake, options: {} }, workers: 0 });
  const text = readFileSync(full, 'utf8');
  const lines = text.split('\n');
  const torn = join(dir, 'torn.jsonl');
  writeFileSync(torn, `${lines.slice(0, 4).join('\n')}\n${lines[4].slice(0, 10)}`);
  const resumed = await runDataset({ items, resultsPath: torn, header: header(dataset, 6), processor: { module: fake, options: {} }, workers: 0 });
  assert.equal(resumed.resumed, 3);
  assert.equal(readFileSync(torn, 'utf8'), text);
  rmSync(dir, { recursive: true });
});

test('runner: SIGKILL mid-run, restart, byte-identical to an uninterrupted run', async () => {
  const dir = tmp();
  // 60 items of >= 20 ms on 2 workers take >= 600 ms, far longer than the 5 ms polling needs
  const n = 60;
  const dataset = writeDataset(dir, n);
  const child = join(__dirname, 'run-child.ts');
  const reference = join(dir, 'reference.jsonl');
  const killed = join(dir, 'killed.jsonl');
  const env = { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' };
  const ok = spawnSync(process.execPath, ['--import', 'tsx', child, dataset, reference, '2', '20'], { env, encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  // its own process group, which its worker processes join: the group tells whether any outlives it
  const proc = spawn(process.execPath, ['--import', 'tsx', child, dataset, killed, '2', '20'], { env, stdio: 'ignore', detached: true });
  // kill once some, but not all, results are committed
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      const lines = existsSync(killed) ? readFileSync(killed, 'utf8').split('\n').length - 2 : 0;
      if (lines >= 10) {
        clearInterval(timer);
        proc.kill('SIGKILL');
      }
    }, 5);
    proc.on('exit', (_code, signal) => {
      clearInterval(timer);
      if (signal === 'SIGKILL') resolve();
      else reject(new Error(`the child finished before it could be killed (${signal ?? _code})`));
    });
  });
  const partial = readFileSync(killed, 'utf8').split('\n').length - 2;
  assert.ok(partial >= 10 && partial < n, `killed after ${partial} items`);
  assert.ok(await groupGone(proc.pid as number, 10_000), 'worker processes outlived their killed runner');
  const resumed = spawnSync(process.execPath, ['--import', 'tsx', child, dataset, killed, '2', '20'], { env, encoding: 'utf8' });
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.equal(readFileSync(killed, 'utf8'), readFileSync(reference, 'utf8'));
  rmSync(dir, { recursive: true });
});

test('merge: shards combine into the unsharded file; gaps and overlaps are refused', async () => {
  const dir = tmp();
  const dataset = writeDataset(dir, 9);
  const { items } = await readDataset(dataset);
  const whole = join(dir, 'whole.jsonl');
  await runDataset({ items, resultsPath: whole, header: header(dataset, 9), processor: { module: fake, options: {} }, workers: 0 });
  const shardFiles = [0, 1, 2].map((i) => join(dir, `shard-${i}.jsonl`));
  for (let i = 0; i < 3; i++) {
    const shard = { index: i, count: 3 };
    await runDataset({ items: shardItems(items, shard), resultsPath: shardFiles[i], header: header(dataset, 9, `${i}/3`), processor: { module: fake, options: {} }, workers: 0 });
  }
  const merged = join(dir, 'merged.jsonl');
  const summary = await mergeResults([shardFiles[2], shardFiles[0], shardFiles[1]], merged);
  assert.equal(summary.lines, 9);
  assert.equal(readFileSync(merged, 'utf8'), readFileSync(whole, 'utf8'));
  await assert.rejects(mergeResults([shardFiles[0], shardFiles[1]], merged), /shards 2\/3 are missing/);
  await assert.rejects(mergeResults([shardFiles[0], shardFiles[0], shardFiles[1]], merged), /are both shard 0\/3/);
  appendFileSync(shardFiles[1], '{"index": 4, "so');
  await assert.rejects(mergeResults(shardFiles, merged), /last line is incomplete/);
  rmSync(dir, { recursive: true });
});

