/**
 * The causal-effect study end to end on the bundled LaRe model and the first sample items: its report
 * equals a Python recomputation from the per-item results file (test/fixtures/causal/recompute.py,
 * SciPy for the tests), a rerun resumes, and the report carries the per-item table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '../../src/cli/main';
import type { CliIO } from '../../src/cli/io';
import type { CausalReport } from '../../src/shared/reports';

const root = resolve(__dirname, '../..');
const python = join(root, 'training/.venv/bin/python');
const samples = join(root, 'media/samples/samples.jsonl');

function captureIO(cwd: string): CliIO & { out: string; err: string } {
  const io = { out: '', err: '', cwd, env: {}, stdout: (t: string) => (io.out += t), stderr: (t: string) => (io.err += t) };
  return io;
}

function close(got: number | null, want: number | null, what: string): void {
  if (want === null) return assert.ok(got === null || Number.isNaN(got), `${what}: ${got} vs NaN`);
  assert.ok(got !== null && Math.abs(got - want) <= 1e-9 + 1e-7 * Math.abs(want), `${what}: ${got} vs ${want}`);
}

test('causal: per-step accuracy, McNemar, log-prob change and paired t equal the Python recomputation', { skip: !existsSync(python) && 'training/.venv missing' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lt-causal-'));
  const lines = readFileSync(samples, 'utf8').trim().split('\n').slice(0, 16).map((l) => {
    const r = JSON.parse(l);
    r.image = join(root, 'media/samples', r.image);
    return JSON.stringify(r);
  });
  const data = join(dir, 'small.jsonl');
  writeFileSync(data, `${lines.join('\n')}\n`);
  const io = captureIO(dir);
  assert.equal(await main(['causal', data, '--model', join(root, 'models/lare-shapes'), '--workers', '0', '--out', 'o', '--json'], io), 0, io.err);
  const report = JSON.parse(io.out) as CausalReport;
  assert.equal(report.kind, 'causal');
  assert.equal(report.n, 16);
  assert.deepEqual(report.rows.map((r) => r.step), [1, 2, 3]);
  for (const f of ['causal.report.json', 'causal.csv', 'causal.md']) assert.ok(existsSync(join(dir, 'o', f)), f);

  const results = join(dir, 'o/results/causal-lare-shapes.jsonl');
  const py = spawnSync(python, [join(root, 'test/fixtures/causal/recompute.py'), results], { encoding: 'utf8' });
  assert.equal(py.status, 0, py.stderr);
  const want = JSON.parse(py.stdout) as { n: number; rows: CausalReport['rows'] };
  assert.equal(want.n, report.n);
  assert.equal(want.rows.length, report.rows.length);
  report.rows.forEach((row, k) => {
    const w = want.rows[k];
    assert.equal(row.n, w.n);
    for (const key of ['baselineAccuracy', 'ablatedAccuracy', 'logProbChange'] as const) {
      for (const part of ['value', 'low', 'high'] as const) close(row[key][part], w[key][part], `step ${row.step} ${key}.${part}`);
    }
    assert.equal(row.mcnemar.b, w.mcnemar.b);
    assert.equal(row.mcnemar.c, w.mcnemar.c);
    close(row.mcnemar.p, w.mcnemar.p, `step ${row.step} McNemar p`);
    for (const part of ['t', 'df', 'p'] as const) close(row.pairedT[part], w.pairedT[part], `step ${row.step} t-test ${part}`);
  });
  // zeroing a step of the trained model does move the answer's log-probability
  assert.ok(report.rows.some((r) => r.logProbChange.value !== 0));

  const items = report.items!;
  assert.equal(items.length, 16);
  assert.deepEqual(items[0], { ...items[0], id: '0', image: join(root, 'media/samples/images/0000.png'), question: 'what color is the square?', expected: 'orange', model: 'lare-shapes' });
  assert.equal(typeof items[0].correct, 'boolean');

  const again = captureIO(dir);
  assert.equal(await main(['causal', data, '--model', join(root, 'models/lare-shapes'), '--workers', '0', '--out', 'o', '--json'], again), 0, again.err);
  assert.match(again.err, /16 items were already done/);
  assert.deepEqual({ ...JSON.parse(again.out), createdAt: 0 }, { ...report, createdAt: 0 });
  rmSync(dir, { recursive: true });
});
