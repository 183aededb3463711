/**
 * The bench's PyTorch reference runs from what is committed: the model is rebuilt from the bundle's own
 * ONNX weights (training/bundle_model.py), checked against the bundle with onnxruntime on fresh inputs
 * (atol 1e-4, export.py's TOLERANCE), then timed. Needs the project venv (bash training/setup_env.sh).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const PYTHON = join(ROOT, 'training', '.venv', 'bin', 'python');

test('bench_reference.py times the bundled model rebuilt from its committed weights', { skip: !existsSync(PYTHON) && 'no training/.venv (bash training/setup_env.sh)' }, () => {
  const r = spawnSync(PYTHON, [join(ROOT, 'training/bench_reference.py'), '--bundle', join(ROOT, 'models/lare-shapes'),
    '--image', join(ROOT, 'media/samples/images/0000.png'), '--question', 'what color is the square?', '--steps', '2', '--answer-tokens', '2', '--repeats', '1'],
  { encoding: 'utf8', timeout: 300_000, env: { ...process.env, OMP_NUM_THREADS: '1', ORT_DISABLE_TELEMETRY: '1' } });
  assert.equal(r.status, 0, r.stderr.slice(-800));
  const lines = r.stdout.trim().split('\n');
  const check = JSON.parse(lines.find((l) => l.startsWith('{"ok"')) ?? '{}');
  assert.equal(check.ok, true, `the rebuilt model does not reproduce the bundle: ${JSON.stringify(check.failures)}`);
  for (const [output, maxAbs] of Object.entries(check.maxAbs as Record<string, number>)) assert.ok(maxAbs <= 1e-4, `${output}: ${maxAbs}`);
  const timing = JSON.parse(lines.at(-1)!);
  assert.ok(Number.isFinite(timing.median_ms) && timing.median_ms > 0, lines.at(-1));
});
