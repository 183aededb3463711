// A report exported from the panel and written by the CLI are the same CSV file, byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Report } from '../../src/shared/reports';
import { probingTables, statsTables, stepsTables, type Tables } from '../../src/present/reportTables';
import { writeReportFiles } from '../../src/studies/report-files';
import { reportCsv } from '../../webview/tables';

const FIXTURES = join(__dirname, '..', 'fixtures', 'reports');
const load = (name: string): Report => JSON.parse(readFileSync(join(FIXTURES, `sample-${name}.report.json`), 'utf8')) as Report;

const cliTables = (r: Report): Tables => (r.kind === 'stats' ? statsTables(r) : r.kind === 'probing' ? probingTables(r) : stepsTables(r));

const HEADERS: Record<Report['kind'], RegExp> = {
  stats: /^statistic,[^\r\n]+,test_statistic,p_value,p_holm\r\n/,
  probing: /^target,classifier,source,module,accuracy,accuracy_low,accuracy_high,control,control_low,control_high,selectivity,neg_different_question_same_image,neg_different_image_same_question,neg_random,chosen,inits,inits_min,inits_max,inits_sd,control_shuffles,control_min,control_max,control_sd\r\n/,
  steps: /^rule,threshold,mean_steps,accuracy,mean_answer_tokens\r\n/,
};

for (const name of ['stats', 'probing', 'steps']) {
  test(`the ${name} report: the panel's CSV export is the file the CLI writes`, async () => {
    const r = load(name);
    const dir = mkdtempSync(join(tmpdir(), 'lt-csv-'));
    try {
      const tables = cliTables(r);
      await writeReportFiles(dir, name, r, tables);
      const written = readFileSync(join(dir, `${name}.csv`));
      const exported = Buffer.from(reportCsv(r), 'utf8');
      assert.ok(written.length > 0);
      assert.equal(exported.length, written.length, 'byte length');
      assert.ok(exported.equals(written), `panel:\n${exported.toString().slice(0, 300)}\nCLI:\n${written.toString().slice(0, 300)}`);
      assert.match(written.toString('utf8'), HEADERS[r.kind]);
      assert.ok(written.toString('utf8').endsWith('\r\n'), 'the file ends with a line break');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('the panel export keeps the CSV injection neutralisation', () => {
  const r = load('stats');
  if (r.kind !== 'stats') throw new Error('sample-stats is not a stats report');
  const csv = reportCsv({ ...r, labels: { a: '=HYPERLINK("http://x","x")', b: '@SUM(A1)' } });
  assert.equal(csv.split('\r\n')[0], 'statistic,"\'=HYPERLINK(""http://x"",""x"")","\'@SUM(A1)",test_statistic,p_value,p_holm');
});

test('the probing CSV and Markdown name the modules: with/without Extractor for an ablation, the models for peers', () => {
  const r = load('probing');
  if (r.kind !== 'probing') throw new Error('sample-probing is not a probing report');
  const module = (csv: string) => [...new Set(csv.trim().split('\r\n').slice(1).map((line) => line.split(',')[3]))];
  const ablation = probingTables(r);
  assert.deepEqual(module(ablation.csv), [`${r.models.model} (with Extractor)`, `${r.models.ablation} (w/o Extractor)`]);
  assert.match(ablation.markdown, /with and without its Extractor/);
  const peers = { ...r, models: { model: 'lare-a', ablation: 'lare-b', pairing: 'peer' as const } };
  const tables = probingTables(peers);
  assert.deepEqual(module(tables.csv), ['lare-a', 'lare-b']);
  assert.equal(reportCsv(peers), tables.csv);
  const firstColumn = (table: string) => table.split('\n').filter((l) => /^\| lare-/.test(l)).map((l) => l.split(' | ')[0].slice(2));
  const [accuracy, negatives] = tables.markdown.split('\n\n').filter((block) => block.startsWith('| Module'));
  assert.deepEqual(firstColumn(accuracy), ['lare-a', 'lare-a', 'lare-b', 'lare-b']);
  assert.deepEqual(firstColumn(negatives), ['lare-a', 'lare-a', 'lare-a', 'lare-a', 'lare-b', 'lare-b', 'lare-b', 'lare-b']);
  assert.match(tables.markdown, /, 30% test split grouped by image/);
  assert.match(tables.markdown, /^\*\*Latent–vision and latent–text matching, lare-a vs lare-b \\\(two LaRe models\\\)/);
  assert.doesNotMatch(tables.markdown, /Extractor/);
});

test('the attention report (Table 5) names its columns by model for any pair', () => {
  const r = load('stats');
  if (r.kind !== 'stats') throw new Error('sample-stats is not a stats report');
  const named = { ...r, labels: { a: 'lare-shapes', b: 'lvr-shapes' } };
  assert.equal(statsTables(named).csv.split('\r\n')[0], 'statistic,lare-shapes,lvr-shapes,test_statistic,p_value,p_holm');
  assert.match(statsTables(named).markdown, /^\| Statistic \| lare-shapes \| lvr-shapes \|/m);
});
