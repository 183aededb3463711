import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { main, helpText } from '../../src/cli/main';
import type { CliIO } from '../../src/cli/io';
import { decodeTrace } from '../../src/shared/trace-codec';
import { CONTRACT_BUNDLE, squareImage } from '../runtime/contract-bundle';

const ROOT = resolve(__dirname, '..', '..');
let dir = '';
let imagePath = '';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lt-cli-'));
  imagePath = join(dir, 'square.png');
  await writeFile(imagePath, await squareImage());
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function cli(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, cwd: dir, env };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

test('--help lists every command with examples', async () => {
  const r = await cli(['--help']);
  assert.equal(r.code, 0);
  for (const c of ['run', 'eval', 'demo']) assert.match(r.stdout, new RegExp(`^  ${c} `, 'm'));
  assert.match(r.stdout, /examples:\n  latent-trace run /);
  assert.equal(r.stdout, helpText());
  const sub = await cli(['run', '--help']);
  assert.match(sub.stdout, /--question <text>/);
  assert.match(sub.stdout, /--stop <rule>/);
});

test('run --json prints one JSON object with the documented fields, progress on stderr', async () => {
  const r = await cli(['run', imagePath, '--question', 'what color is the square?', '--model', CONTRACT_BUNDLE, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1);
  const j = JSON.parse(lines[0]);
  assert.equal(typeof j.answer, 'string');
  assert.equal(j.steps.length, 4);
  assert.deepEqual(Object.keys(j.steps[0].window).sort(), ['col', 'row', 'size']);
  assert.equal(j.steps[0].saliency.length, 16);
  assert.equal(j.steps[0].distance, null);
  assert.deepEqual(Object.keys(j.steps[1].distance).sort(), ['cosine', 'l1', 'l2']);
  assert.equal(j.stoppedAt, 4);
  assert.deepEqual(Object.keys(j.tokens).sort(), ['answer', 'latent', 'prompt']);
  assert.ok(j.timingsMs.total > 0);
  assert.equal(j.model.name, 'contract-test');
  assert.match(j.model.hash, /^sha256:/);
  assert.match(r.stderr, /latent step 4\/4/);
});

test('run --stop/--steps/--threshold reach the loop', async () => {
  const r = await cli(['run', imagePath, '-q', 'what color is the square?', '--model', CONTRACT_BUNDLE, '--stop', 'l2', '--threshold', '1000000', '--steps', '6', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.stoppedAt, 2);
  assert.equal(j.stopReason, 'threshold');
  assert.equal(j.settings.maxLatentSteps, 6);
});

test('run --out writes the trace and PNGs; the trace reopens', async () => {
  const out = join(dir, 'out');
  const r = await cli(['run', imagePath, '--question', 'what color is the square?', '--model', CONTRACT_BUNDLE, '--reconstruct', '--out', 'out']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /answer: /);
  const files = (await readdir(out)).sort();
  assert.ok(files.includes('square.ltrace.json'));
  assert.equal(files.filter((f) => f.endsWith('-saliency.png')).length, 4);
  assert.equal(files.filter((f) => f.endsWith('-reconstruction.png')).length, 4);
  assert.ok(files.includes('square-first-answer-attention.png'));
  assert.ok(!files.some((f) => f.endsWith('.tmp')));
  const t = decodeTrace(await readFile(join(out, 'square.ltrace.json'), 'utf8'));
  assert.equal(t.steps.length, 4);
  assert.equal(t.reconstructions?.pixels.length, 4 * 3 * 8 * 8);
  const png = await readFile(join(out, 'square-step1-saliency.png'));
  assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
});

test('bad input: one line on stderr and a non-zero exit', async () => {
  await writeFile(join(dir, 'text.png'), 'not an image');
  const cases: [string[], RegExp][] = [
    [['run', imagePath, '--model', CONTRACT_BUNDLE], /--question is required/],
    [['run', '--question', 'x', '--model', CONTRACT_BUNDLE], /expected one image path, got 0/],
    [['run', imagePath, '--question', 'what', '--model', CONTRACT_BUNDLE, '--stop', 'median'], /--stop must be one of fixed, cosine, l1, l2, got "median"/],
    [['run', imagePath, '--question', 'what', '--model', CONTRACT_BUNDLE, '--steps', '2.5'], /--steps must be an integer >= 1, got "2\.5"/],
    [['run', imagePath, '--question', 'what', '--model', CONTRACT_BUNDLE, '--frobnicate'], /Unknown option '--frobnicate'/],
    [['run', join(dir, 'text.png'), '--question', 'what', '--model', CONTRACT_BUNDLE], /text\.png: not an image format this tool can read/],
    [['run', join(dir, 'missing.png'), '--question', 'what', '--model', CONTRACT_BUNDLE], /missing\.png: cannot read the image \(ENOENT\)/],
    [['run', imagePath, '--question', '', '--model', CONTRACT_BUNDLE], /the question is empty/],
    [['run', imagePath, '--question', 'what', '--model', join(dir, 'no-bundle')], /no-bundle\/latent-trace\.json: cannot read the bundle manifest/],
    [['eval', join(dir, 'missing.jsonl'), '--model', CONTRACT_BUNDLE], /missing\.jsonl: cannot read the dataset/],
    [['frobnicate'], /unknown command "frobnicate"/],
    // the rest of the catalogue (issue 15) is test/cli/catalogue.test.ts
    [['run', imagePath, '--question', 'what', '--model', CONTRACT_BUNDLE, '--threads', '100000'], /--threads must be an integer in 1\.\.64, got "100000"/],
    [['stats', join(dir, 'missing-a.txt'), join(dir, 'missing-b.txt')], /missing-a\.txt: cannot read \(ENOENT\)/],
  ];
  for (const [argv, re] of cases) {
    const r = await cli(argv);
    assert.notEqual(r.code, 0, argv.join(' '));
    assert.equal(r.stdout, '', argv.join(' '));
    assert.equal(r.stderr.trim().split('\n').at(-1)!.match(re) !== null, true, `${argv.join(' ')} -> ${r.stderr}`);
    assert.ok(r.stderr.trim().split('\n').at(-1)!.startsWith('latent-trace'), r.stderr);
  }
});

test('eval: accuracy per type, mean steps and tokens, pointing rate, per-line errors', async () => {
  const data = join(dir, 'eval');
  await mkdir(join(data, 'images'), { recursive: true });
  await writeFile(join(data, 'images', 'a.png'), await squareImage(0, 0));
  await writeFile(join(data, 'images', 'b.png'), await squareImage(24, 24));
  await writeFile(join(data, 'images', 'bad.png'), 'nope');
  const lines = [
    { image: 'images/a.png', question: 'what color is the square?', answer: 'red', type: 'color', bbox: [0, 0, 8, 8] },
    { image: 'images/b.png', question: 'is the square red?', answer: 'yes', type: 'exist', bbox: [24, 24, 32, 32] },
    { image: 'images/bad.png', question: 'is the square red?', answer: 'yes', type: 'exist' },
  ];
  await writeFile(join(data, 'set.jsonl'), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  const r = await cli(['eval', 'eval/set.jsonl', '--model', CONTRACT_BUNDLE, '--json', '--steps', '2', '--out', 'eval/report.json']);
  assert.equal(r.code, 0, r.stderr);
  const rep = JSON.parse(r.stdout);
  assert.equal(rep.n, 2);
  assert.equal(rep.meanLatentSteps, 2);
  assert.deepEqual(Object.keys(rep.perType), ['color', 'exist']);
  assert.equal(rep.pointing.n, 2);
  assert.ok(rep.pointing.rate >= 0 && rep.pointing.rate <= 1);
  assert.equal(rep.errors.length, 1);
  assert.equal(rep.errors[0].line, 3);
  assert.match(rep.errors[0].message, /bad\.png: not an image format/);
  assert.deepEqual(JSON.parse(await readFile(join(data, 'report.json'), 'utf8')).n, 2);
  assert.match(r.stderr, /\[3\/3\]/);

  assert.equal(rep.pointing.withoutObjects, 2);
  assert.equal(rep.pointing.rows.at(-1).step, 'any');
  assert.equal(rep.pointing.rows.at(-1).randomObject, null);
  assert.ok(rep.pointing.rows.at(-1).uniform.expected > 0);
  assert.equal(rep.comparison, undefined);

  // the same bundle twice: no discordant item, McNemar p = 1, the difference 0 with a [0, 0] interval
  const withObjects = lines.slice(0, 2).map((l) => ({ ...l, objects: [l.bbox, [8, 8, 16, 16]] }));
  await writeFile(join(data, 'objects.jsonl'), `${withObjects.map((l) => JSON.stringify(l)).join('\n')}\n`);
  const cmp = await cli(['eval', 'eval/objects.jsonl', '--model', CONTRACT_BUNDLE, '--compare', CONTRACT_BUNDLE, '--json', '--steps', '2']);
  assert.equal(cmp.code, 0, cmp.stderr);
  const c = JSON.parse(cmp.stdout);
  assert.equal(c.pointing.withoutObjects, 0);
  assert.equal(c.pointing.rows.at(-1).randomObject.n, 2);
  assert.deepEqual([c.comparison.paired.n, c.comparison.paired.aOnly, c.comparison.paired.bOnly, c.comparison.paired.mcnemarP], [2, 0, 0, 1]);
  assert.deepEqual(c.comparison.paired.differenceCI, [0, 0]);
  assert.deepEqual(Object.keys(c.comparison.perType), ['color', 'exist']);
  assert.equal(c.comparison.against.n, 2);
  const text = await cli(['eval', 'eval/objects.jsonl', '--model', CONTRACT_BUNDLE, '--compare', CONTRACT_BUNDLE, '--steps', '2']);
  assert.match(text.stdout, /A right\/B wrong 0, A wrong\/B right 0, McNemar p 1\.0000/);
  assert.match(text.stdout, /all any step: .* vs uniform .*; random object .* n 2\)/);

  await writeFile(join(data, 'bad-objects.jsonl'), `${JSON.stringify({ ...lines[0], objects: [[0, 0, 8]] })}\n`);
  const badObjects = await cli(['eval', 'eval/bad-objects.jsonl', '--model', CONTRACT_BUNDLE]);
  assert.equal(badObjects.code, 2);
  assert.match(badObjects.stderr, /bad-objects\.jsonl:1: field "objects" must be a non-empty list of boxes/);

  await writeFile(join(data, 'broken.jsonl'), '{"image": "a.png", "question": "q"}\n');
  const bad = await cli(['eval', 'eval/broken.jsonl', '--model', CONTRACT_BUNDLE]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /broken\.jsonl:1: field "answer" is missing/);
});

test('demo writes the trace and PNGs and says how to open them', async () => {
  const data = join(dir, 'samples');
  await mkdir(join(data, 'images'), { recursive: true });
  await writeFile(join(data, 'images', '0000.png'), await squareImage(8, 8));
  await writeFile(join(data, 'samples.jsonl'), `${JSON.stringify({ image: 'images/0000.png', question: 'what color is the square?', answer: 'red' })}\n`);
  const r = await cli(['demo', '--samples', 'samples/samples.jsonl', '--out', 'demo-out'], { LATENT_TRACE_MODEL: CONTRACT_BUNDLE });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /code demo-out\/0000\.ltrace\.json/);
  const files = await readdir(join(dir, 'demo-out'));
  assert.equal(files.filter((f) => f.endsWith('.png')).length, 4 + 4 + 1);
});

test('demo --split fine runs the bundled lare-fine model on the fine sample; an unknown split is a usage error', async () => {
  const r = await cli(['demo', '--split', 'fine', '--sample', '1', '--out', 'demo-fine', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const fine = (await readFile(join(ROOT, 'media/samples/fine.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { question: string; answer: string });
  assert.match(r.stderr, new RegExp(`^model .*models/lare-fine$`, 'm'));
  assert.ok(r.stderr.includes(`"${fine[1].question}" (expected "${fine[1].answer}")`), r.stderr);
  assert.equal(JSON.parse(r.stdout).expected, fine[1].answer);
  const bad = await cli(['demo', '--split', 'tiny']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--split must be one of shapes, fine, got "tiny"/);
});

test('the bundled binary runs: node dist-style cli.js with a shebang, exit codes', async () => {
  const outfile = join(ROOT, '.tmp', 'cli-test', 'cli.js');
  await esbuild.build({
    entryPoints: [join(ROOT, 'src/cli/main.ts')], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20',
    external: ['vscode', 'onnxruntime-node', 'sharp'], banner: { js: '#!/usr/bin/env node' }, logLevel: 'silent',
  });
  assert.ok((await readFile(outfile, 'utf8')).startsWith('#!/usr/bin/env node\n'));
  const env = { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' };
  const ok = spawnSync(process.execPath, [outfile, 'run', imagePath, '--question', 'what color is the square?', '--model', CONTRACT_BUNDLE, '--json'], { encoding: 'utf8', env });
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).stoppedAt, 4);
  const bad = spawnSync(process.execPath, [outfile, 'run', imagePath, '--model', CONTRACT_BUNDLE], { encoding: 'utf8', env });
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr, 'latent-trace run: --question is required\n');
  assert.equal(bad.stdout, '');
});

test('intervene reports the answer and probability change', async () => {
  const r = await cli(['intervene', imagePath, '-q', 'what color is the square?', '--model', CONTRACT_BUNDLE, '--step', '2', '--zero', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.deepEqual(j.effect.intervention, { kind: 'zero', step: 2 });
  assert.equal(typeof j.effect.answerChanged, 'boolean');
  assert.ok(j.effect.baseAnswerProb > 0);
  const other = join(dir, 'other.png');
  await writeFile(other, await squareImage(20, 4));
  const swap = await cli(['intervene', imagePath, '-q', 'what color is the square?', '--model', CONTRACT_BUNDLE, '--step', '1', '--from-image', other]);
  assert.equal(swap.code, 0, swap.stderr);
  assert.match(swap.stdout, /with step 1 replaced by other\.png step 1: /);
  const bad = await cli(['intervene', imagePath, '-q', 'x', '--model', CONTRACT_BUNDLE, '--step', '1', '--zero', '--from-step', '2']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /give exactly one of --zero, --from-step, --from-image/);
  const past = await cli(['intervene', imagePath, '-q', 'what color is the square?', '--model', CONTRACT_BUNDLE, '--step', '9', '--zero']);
  assert.equal(past.code, 2);
  assert.match(past.stderr, /the run has 4 latent steps; step 9 does not exist/);
});

test('run --bbox/--expected put ground truth in the trace; without them a sidecar is read; a bad box is a usage error', async () => {
  const q = 'what color is the square?';
  const r = await cli(['run', imagePath, '-q', q, '--model', CONTRACT_BUNDLE, '--bbox', '0,0,8,8', '--expected', 'red', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.groundTruth.source, 'cli');
  assert.deepEqual(j.groundTruth.bbox, [0, 0, 8, 8]);
  assert.equal(j.groundTruth.correct, j.answer === 'red');
  assert.ok(j.steps.every((s: { windowHitsBox?: boolean }) => typeof s.windowHitsBox === 'boolean'));
  const side = join(dir, 'side.png');
  await writeFile(side, await squareImage());
  await writeFile(`${side}.json`, JSON.stringify({ answer: 'blue' }));
  const fromSidecar = await cli(['run', side, '-q', q, '--model', CONTRACT_BUNDLE, '--json']);
  assert.equal(fromSidecar.code, 0, fromSidecar.stderr);
  assert.deepEqual(JSON.parse(fromSidecar.stdout).groundTruth, { source: 'sidecar', expected: 'blue', correct: JSON.parse(fromSidecar.stdout).answer === 'blue' });
  const bad = await cli(['run', imagePath, '-q', q, '--model', CONTRACT_BUNDLE, '--bbox', '5,5,1,1']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--bbox: bbox must be \[x0, y0, x1, y1\]/);
});

test('intervene --json prints the shared result; --from-trace and a direction between saved traces run', async () => {
  const q = 'what color is the square?';
  const zero = await cli(['intervene', imagePath, '-q', q, '--model', CONTRACT_BUNDLE, '--step', '2', '--zero', '--json']);
  assert.equal(zero.code, 0, zero.stderr);
  const j = JSON.parse(zero.stdout);
  assert.deepEqual(j.spec, { kind: 'zero', step: 2 });
  assert.equal(typeof j.answer.text, 'string');
  assert.deepEqual(Object.keys(j.baseline), ['text', 'tokenIds']);
  assert.ok(Number.isFinite(j.logProbChange));
  const trace = decodeTrace(JSON.stringify(j.trace));
  assert.ok(trace.steps[1].latentToken.every((v) => v === 0));
  const other = join(dir, 'other-trace.png');
  await writeFile(other, await squareImage(20, 4));
  const saved = await cli(['run', other, '-q', q, '--model', CONTRACT_BUNDLE, '--out', join(dir, 'saved')]);
  assert.equal(saved.code, 0, saved.stderr);
  const file = join(dir, 'saved', 'other-trace.ltrace.json');
  const fromTrace = await cli(['intervene', imagePath, '-q', q, '--model', CONTRACT_BUNDLE, '--step', '1', '--from-trace', file, '--json']);
  assert.equal(fromTrace.code, 0, fromTrace.stderr);
  assert.deepEqual(JSON.parse(fromTrace.stdout).spec, { kind: 'replace-with-token', step: 1, sourceLabel: `${file} step 1` });
  const dirRun = await cli(['intervene', imagePath, '-q', q, '--model', CONTRACT_BUNDLE, '--step', '1', '--direction-plus', file, '--direction-minus', file, '--alpha', '3']);
  assert.equal(dirRun.code, 0, dirRun.stderr);
  // a direction from a trace to itself is zero: the answer's log-probability does not move
  assert.match(dirRun.stdout, /log-probability change of its first token: \+0\.0000/);
  const half = await cli(['intervene', imagePath, '-q', q, '--model', CONTRACT_BUNDLE, '--step', '1', '--direction-plus', file]);
  assert.equal(half.code, 2);
  assert.match(half.stderr, /--direction-plus and --direction-minus go together/);
});
