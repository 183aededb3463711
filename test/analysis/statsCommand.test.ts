/** `latent-trace stats` and the report tables, through the command object with a captured io. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSampleFile, statsCommand } from '../../src/cli/commands/stats';
import { main } from '../../src/cli/main';
import type { CliIO } from '../../src/cli/io';
import { probingTables, stepsTables } from '../../src/present/reportTables';
import type { ProbeCell, ProbingReport, StepsReport } from '../../src/shared/reports';

function captureIO(cwd: string): CliIO & { out: string; err: string } {
  const io = { out: '', err: '', cwd, env: {}, stdout: (t: string) => (io.out += t), stderr: (t: string) => (io.err += t) };
  return io;
}

test('stats --json prints the issue shape and --out writes json, csv and markdown', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lt-stats-'));
  writeFileSync(join(dir, 'a.txt'), '# attention, LaRe\n10.1\n11.4\n\n9.8\n12.0\n10.9\n');
  writeFileSync(join(dir, 'b.txt'), '4.4\n4.9\n4.1\n5.2\n4.6\n4.3\n');
  const io = captureIO(dir);
  const code = await main(['stats', 'a.txt', 'b.txt', '--json', '--out', 'rep', '--labels', 'LaRe,LLaVA'], io);
  assert.equal(code, 0, io.err);
  const j = JSON.parse(io.out);
  for (const side of ['a', 'b']) {
    assert.deepEqual(Object.keys(j[side].percentiles), ['25', '50', '75', '95']);
    assert.equal(typeof j[side].std, 'number');
  }
  assert.deepEqual(Object.keys(j.student).sort(), ['df', 'p', 't']);
  assert.deepEqual(Object.keys(j.welch).sort(), ['df', 'p', 't']);
  assert.equal(j.mannWhitney.method, 'exact');
  assert.equal(j.mannWhitney.U, 30);
  assert.equal(j.samples, undefined);
  assert.equal(j.labels.a, 'LaRe');
  const report = JSON.parse(readFileSync(join(dir, 'rep', 'stats.report.json'), 'utf8'));
  assert.equal(report.samples.a.length, 5);
  assert.match(readFileSync(join(dir, 'rep', 'stats.md'), 'utf8'), /\| median \| 10\.9000 \| 4\.5000 \|/);
  assert.match(readFileSync(join(dir, 'rep', 'stats.csv'), 'utf8'), /^statistic,LaRe,LLaVA,test_statistic,p_value,p_holm\r\n/);
  rmSync(dir, { recursive: true });
});

test('stats: bad files are one-line input errors with the line number', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lt-stats-'));
  writeFileSync(join(dir, 'bad.txt'), '1\n2\nthree\n');
  writeFileSync(join(dir, 'empty.txt'), '# nothing\n\n');
  writeFileSync(join(dir, 'ok.txt'), '1\n-3e2\n');
  writeFileSync(join(dir, 'overflow.txt'), '1\n2\n1e999\n');
  writeFileSync(join(dir, 'inf.txt'), '1\n-inf\n');
  await assert.rejects(readSampleFile(join(dir, 'bad.txt')), /bad\.txt:3: not a number: "three"/);
  await assert.rejects(readSampleFile(join(dir, 'empty.txt')), /empty\.txt: no numbers/);
  assert.deepEqual(Array.from(await readSampleFile(join(dir, 'ok.txt'))), [1, -300]);
  await assert.rejects(readSampleFile(join(dir, 'overflow.txt')), /overflow\.txt:3: not a finite number: "1e999"/);
  await assert.rejects(readSampleFile(join(dir, 'inf.txt')), /inf\.txt:2: not a finite number: "-inf"/);
  const overflow = captureIO(dir);
  assert.equal(await main(['stats', 'ok.txt', 'overflow.txt', '--out', 'reports'], overflow), 2);
  assert.equal(existsSync(join(dir, 'reports')), false);
  const io = captureIO(dir);
  assert.equal(await main(['stats', 'bad.txt', 'ok.txt'], io), 2);
  assert.match(io.err, /^latent-trace stats: .*bad\.txt:3: not a number/);
  assert.equal(await main(['stats', 'ok.txt'], captureIO(dir)), 2);
  assert.ok(statsCommand.usage.includes('--labels'));
  rmSync(dir, { recursive: true });
});

test('probing and steps tables follow the paper layout', () => {
  const cell = (source: 'model' | 'ablation', classifier: 'svm' | 'mlp', target: 'vision' | 'text', acc: number): ProbeCell => ({
    target, classifier, source,
    accuracy: { value: acc, low: acc - 0.05, high: acc + 0.05 },
    control: { value: 0.5, low: 0.45, high: 0.55 },
    selectivity: acc - 0.5,
    perNegativeType: { 'different-question-same-image': 0.9, 'different-image-same-question': 0.8, random: 1 },
    chosen: classifier === 'svm' ? { C: 0.1 } : { epochs: 12 } as Record<string, number>,
  });
  const report: ProbingReport = {
    kind: 'probing', version: 1, models: { model: 'lare', ablation: 'lare-no-extractor' },
    settings: { testFraction: 0.3 },
    pairs: { total: 1000, positive: 500, negative: { 'different-question-same-image': 167, 'different-image-same-question': 167, random: 166 } },
    cells: [cell('model', 'svm', 'vision', 0.947), cell('model', 'svm', 'text', 0.951), cell('ablation', 'svm', 'vision', 0.583), cell('ablation', 'svm', 'text', 0.612)],
    createdAt: 'fixed',
  };
  const t = probingTables(report);
  assert.match(t.markdown, /\| lare-no-extractor \(w\/o Extractor\) \| SVM \| 58\.3 \[53\.3, 63\.3\] \| 61\.2 \[56\.2, 66\.2\] \|/);
  assert.match(t.markdown, /\| lare \(with Extractor\) \| SVM \| 94\.7 /);
  assert.equal(t.csv.trim().split('\n').length, 5);
  assert.match(t.csv, /C=0\.1/);
  const steps: StepsReport = {
    kind: 'steps', version: 1, model: 'lare', items: 2,
    rows: [{ rule: 'T=4', meanSteps: 4, accuracy: 0.427, meanAnswerTokens: 3.5 }, { rule: 'cosine', threshold: 0.05, meanSteps: 5.9, accuracy: 0.426, meanAnswerTokens: 3.4 }],
    convergence: { step: [2], cosine: [{ value: 0.1, low: 0.05, high: 0.15 }], l1: [{ value: 3, low: 2, high: 4 }], l2: [{ value: 1, low: 0.5, high: 1.5 }] },
    thresholds: { cosine: 0.05, l1: 5, l2: 1 }, createdAt: 'fixed',
  };
  const s = stepsTables(steps);
  assert.match(s.markdown, /\| adaptive \(cosine < 0\.05\) \| 5\.90 \| 42\.6 \| 3\.40 \|/);
  assert.match(s.csv, /^rule,threshold,mean_steps,accuracy,mean_answer_tokens\r\nT=4,,4,0\.427,3\.5\r\n/);
});
