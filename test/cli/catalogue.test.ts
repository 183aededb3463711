/**
 * The bad-input and fault catalogue (issue 15): each case is an input or fault that once crashed,
 * hung, exhausted the machine or wrote something unsafe, and must now give one clear error, a clean
 * result, or a quiet end. In-process through main() where that shows it; as a child process of the
 * built binary where only a real process can (native crashes, the environment, a closed pipe, HOME).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync, existsSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { runProbing } from '../../src/analysis/probing/protocol';
import { main } from '../../src/cli/main';
import type { CliIO } from '../../src/cli/io';
import { LOCK_FILE } from '../../src/runtime/folder-lock';
import { OnnxSessions } from '../../src/runtime/onnx';
import { readTraceFile } from '../../src/runtime/trace-file';
import { decodeTrace } from '../../src/shared/trace-codec';
import { CONTRACT_BUNDLE, squareImage } from '../runtime/contract-bundle';

const ROOT = resolve(__dirname, '..', '..');
const HUGE_OUTPUT = join(ROOT, 'test/fixtures/runtime/huge-output/huge-output.onnx');
const Q = 'what color is the square?';
let dir = '';
let image = '';
let dataset = '';
let cliJs = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lt-catalogue-'));
  image = join(dir, 'square.png');
  writeFileSync(image, await squareImage());
  writeFileSync(join(dir, 'other.png'), await squareImage(20, 20));
  dataset = join(dir, 'data.jsonl');
  writeFileSync(dataset, `${[
    { image: 'square.png', question: Q, answer: 'red' },
    { image: 'other.png', question: 'is the square red?', answer: 'yes' },
  ].map((r) => JSON.stringify(r)).join('\n')}\n`);
  const outdir = join(ROOT, '.tmp', 'catalogue');
  await esbuild.build({
    entryPoints: { cli: join(ROOT, 'src/cli/main.ts'), 'dataset-worker': join(ROOT, 'src/studies/worker.ts') },
    outdir, bundle: true, platform: 'node', format: 'cjs', target: 'node20',
    external: ['vscode', 'onnxruntime-node', 'sharp', 'tsx'], banner: { js: '#!/usr/bin/env node' }, logLevel: 'silent',
  });
  cliJs = join(outdir, 'cli.js');
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function cli(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, cwd: dir, env: {} };
  const code = await main(argv, io);
  return { code, stdout, stderr, lastLine: stderr.trim().split('\n').at(-1) ?? '' };
}

/** The product's environment: nothing of the test runner's telemetry switch, HOME in a fresh empty folder. */
function productEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, OMP_WAIT_POLICY: 'PASSIVE' };
  delete env.ORT_DISABLE_TELEMETRY;
  delete env.LATENT_TRACE_ORT_TELEMETRY;
  delete env.XDG_CACHE_HOME;
  return env;
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true }).map(String);
}

test('threads, workers and probing sizes past their caps are refused before anything runs', async () => {
  const cases: [string[], RegExp][] = [
    [['run', image, '-q', Q, '--model', CONTRACT_BUNDLE, '--threads', '100000'], /--threads must be an integer in 1\.\.64, got "100000"/],
    [['run', image, '-q', Q, '--model', CONTRACT_BUNDLE, '--threads', '0'], /--threads must be an integer in 1\.\.64, got "0"/],
    [['steps', dataset, '--model', CONTRACT_BUNDLE, '--workers', '100000'], /--workers must be an integer in 0\.\.256, got "100000"/],
    [['probe', dataset, '--model', CONTRACT_BUNDLE, '--pairs', '10000000'], /--pairs must be an integer in 4\.\.100000, got "10000000"/],
    [['probe', dataset, '--model', CONTRACT_BUNDLE, '--bootstrap', '10000000'], /--bootstrap must be an integer in 1\.\.100000, got "10000000"/],
    [['probe', dataset, '--model', CONTRACT_BUNDLE, '--mlp-inits', '0'], /--mlp-inits must be an integer in 1\.\.100, got "0"/],
    [['probe', dataset, '--model', CONTRACT_BUNDLE, '--control-shuffles', '101'], /--control-shuffles must be an integer in 1\.\.100, got "101"/],
  ];
  for (const [argv, re] of cases) {
    const r = await cli(argv);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
    assert.match(r.lastLine, re);
  }
  assert.ok(!existsSync(join(dir, 'latent-trace-out')), 'a refused run wrote results');
});

test('the probing protocol itself refuses sizes past its caps (the extension passes settings through it too)', () => {
  const none = { latent: [], vision: [], text: [] };
  const input = { items: [], model: none, labels: { model: 'm' } };
  assert.throws(() => runProbing(input, { pairs: 10_000_000 }), /probing: pairs must be at most 100000, got 10000000/);
  assert.throws(() => runProbing(input, { bootstrapResamples: 1e9 }), /probing: bootstrapResamples must be an integer in 1\.\.100000, got 1000000000/);
});

test('a product run with HOME in an empty folder and a 30 KB command line: no crash, nothing written under HOME', () => {
  const home = mkdtempSync(join(tmpdir(), 'lt-home-'));
  try {
    const r = spawnSync(process.execPath, [cliJs, 'run', image, '-q', 'x'.repeat(30_000), '--model', CONTRACT_BUNDLE, '--json'], { encoding: 'utf8', env: productEnv(home), timeout: 120_000 });
    assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr.slice(-400)}`);
    assert.equal(r.status, 0, r.stderr.slice(-400));
    assert.equal(JSON.parse(r.stdout).stoppedAt, 4);
    assert.deepEqual(filesUnder(home), [], 'onnxruntime telemetry wrote under HOME');
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('the dataset worker processes keep telemetry off too', () => {
  const home = mkdtempSync(join(tmpdir(), 'lt-home-'));
  try {
    const r = spawnSync(process.execPath, [cliJs, 'steps', dataset, '--model', CONTRACT_BUNDLE, '--max-t', '2', '--workers', '1', '--out', join(dir, 'steps-workers'), '--json'], { encoding: 'utf8', env: productEnv(home), timeout: 180_000, cwd: dir });
    assert.equal(r.status, 0, r.stderr.slice(-400));
    assert.equal(JSON.parse(r.stdout).items, 2);
    assert.deepEqual(filesUnder(home), []);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('a closed stdout (run --json | true) ends the run quietly', async () => {
  const child = spawn(process.execPath, [cliJs, 'run', image, '-q', Q, '--model', CONTRACT_BUNDLE, '--json'], { env: productEnv(dir), stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => child.on('exit', (c, s) => r([c, s])));
  assert.equal(signal, null);
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /EPIPE|Error|    at /);
});

test('--out is locked: a second run into the same folder is refused naming the pid; a stale lock is broken', async () => {
  const out = join(dir, 'locked');
  mkdirSync(out, { recursive: true });
  const holder = spawn('sleep', ['60']);
  try {
    writeFileSync(join(out, LOCK_FILE), `${holder.pid} ${hostname()}\n`);
    const r = await cli(['steps', dataset, '--model', CONTRACT_BUNDLE, '--max-t', '2', '--workers', '0', '--out', out]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.lastLine, new RegExp(`locked: another run is using this folder \\(pid ${holder.pid}\\)`));
    assert.ok(!existsSync(join(out, 'results')), 'the refused run wrote results');
  } finally {
    holder.kill();
  }
  await new Promise((r) => holder.once('exit', r));
  const resumed = await cli(['steps', dataset, '--model', CONTRACT_BUNDLE, '--max-t', '2', '--workers', '0', '--out', out]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.ok(!existsSync(join(out, LOCK_FILE)), 'the lock outlived its run');

  // two runs at once: one runs, the other is refused; the results file holds each item once
  const both = join(dir, 'both');
  const runs = await Promise.all([0, 1].map(() => cli(['steps', dataset, '--model', CONTRACT_BUNDLE, '--max-t', '2', '--workers', '0', '--out', both, '--json'])));
  assert.deepEqual(runs.map((r) => r.code).sort(), [0, 2], runs.map((r) => r.stderr).join('\n'));
  assert.match(runs.find((r) => r.code === 2)!.lastLine, new RegExp(`another run is using this folder \\(pid ${process.pid}\\)`));
  const lines = readFileSync(join(both, 'results', readdirSync(join(both, 'results'))[0]), 'utf8').trim().split('\n');
  assert.equal(lines.length, 1 + 2);
});

test('a graph declaring a 10^12-element output is refused when its session is created', async () => {
  const sessions = new OnnxSessions();
  try {
    await assert.rejects(sessions.get(HUGE_OUTPUT), /huge-output\.onnx: output "y" declares shape \[1000000, 1000000\] \(1\.00e\+12 elements\)/);
  } finally {
    await sessions.dispose();
  }
});

test('a 2 GB trace (sparse) and a 2 GB results file are refused by size, naming the file', async () => {
  const big = join(dir, 'big.ltrace.json');
  writeFileSync(big, '');
  truncateSync(big, 2 * 1024 ** 3);
  await assert.rejects(readTraceFile(big), /big\.ltrace\.json: the file is 2048 MiB, more than the 256 MiB a trace may be/);
  const bigResults = join(dir, 'big.shard-0-of-2.jsonl');
  writeFileSync(bigResults, '');
  truncateSync(bigResults, 2 * 1024 ** 3);
  const r = await cli(['merge', bigResults, '--out', join(dir, 'merged.jsonl')]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.lastLine, /big\.shard-0-of-2\.jsonl: 2048 MiB is more than the \d+ MiB a results file may be/);
  rmSync(big);
  rmSync(bigResults);
});

test('merge given a trace says it is not a results file', async () => {
  const trace = join(dir, 'one.ltrace.json');
  writeFileSync(trace, readFileSync(join(ROOT, 'test/fixtures/traces', readdirSync(join(ROOT, 'test/fixtures/traces')).find((f) => f.endsWith('.ltrace.json'))!)));
  const r = await cli(['merge', trace, '--out', join(dir, 'merged.jsonl')]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.lastLine, /one\.ltrace\.json: not a latent-trace results file \(its format is "latent-trace\/trace"\)/);
});

test('a trace nested 5,000 levels deep is a format error, not a stack overflow', () => {
  const deep = `{"format":"latent-trace/trace","version":1,"model":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
  assert.throws(() => decodeTrace(deep), (err: Error) => err.name === 'TraceFormatError' && /^field "model" is nested deeper than 64 levels$/.test(err.message));
});

test('eval reads datasets like the studies: a UTF-8 BOM, Parquet, exit 2 on a bad line', async () => {
  const bom = join(dir, 'bom.jsonl');
  writeFileSync(bom, `\uFEFF${readFileSync(dataset, 'utf8')}`);
  const withBom = await cli(['eval', bom, '--model', CONTRACT_BUNDLE, '--steps', '2', '--json']);
  assert.equal(withBom.code, 0, withBom.stderr);
  assert.equal(JSON.parse(withBom.stdout).n, 2);

  const parquet = join(dir, 'data.parquet');
  writeFileSync(parquet, new Uint8Array(parquetWriteBuffer({
    columnData: [
      { name: 'image', data: [{ bytes: new Uint8Array(await squareImage()), path: 'a.png' }, { bytes: new Uint8Array(await squareImage(20, 20)), path: 'b.png' }] },
      { name: 'question', data: [Q, 'is the square red?'], type: 'STRING' },
      { name: 'answer', data: ['red', 'yes'], type: 'STRING' },
    ],
  })));
  const fromParquet = await cli(['eval', parquet, '--model', CONTRACT_BUNDLE, '--steps', '2', '--json']);
  assert.equal(fromParquet.code, 0, fromParquet.stderr);
  const report = JSON.parse(fromParquet.stdout);
  assert.equal(report.n, 2);
  assert.deepEqual(report.errors, []);

  const broken = join(dir, 'broken.jsonl');
  writeFileSync(broken, '{"image": "square.png", "question": "q"\n');
  const bad = await cli(['eval', broken, '--model', CONTRACT_BUNDLE]);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.lastLine, /broken\.jsonl:1: not valid JSON/);
});

test('a dataset whose image path is a FIFO: that item fails with a message, the run does not hang', async () => {
  const fifo = join(dir, 'pipe.png');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  const data = join(dir, 'fifo.jsonl');
  writeFileSync(data, `${JSON.stringify({ image: 'pipe.png', question: Q, answer: 'red' })}\n${JSON.stringify({ image: 'square.png', question: Q, answer: 'red' })}\n`);
  const r = await cli(['eval', data, '--model', CONTRACT_BUNDLE, '--steps', '2', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.n, 1);
  assert.equal(report.errors.length, 1);
  assert.equal(report.errors[0].line, 1);
  assert.match(report.errors[0].message, /pipe\.png: not a file/);
  const steps = await cli(['steps', data, '--model', CONTRACT_BUNDLE, '--max-t', '2', '--workers', '0', '--out', join(dir, 'fifo-steps'), '--json']);
  assert.equal(steps.code, 0, steps.stderr);
  assert.match(steps.stderr, /fifo\.jsonl:1 failed: .*pipe\.png: not a file/);
  rmSync(fifo);
});
