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
  probing: /^target,classifier,source,accuracy,accuracy_low,accuracy_high,control,control_low,control_high,selectivity,neg_different_question_same_image,neg_different_image_same_question,neg_random,chosen,inits,inits_min,inits_max,inits_sd,control_shuffles,control_min,control_max,control_sd\r\n/,
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
