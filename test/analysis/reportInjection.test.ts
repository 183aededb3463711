/** Report tables built from hostile names: no live formula in the CSV, no raw HTML or Markdown in the .md. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareSamples } from '../../src/analysis/stats';
import { markdownText, statsTables } from '../../src/present/reportTables';

const HOSTILE = '=HYPERLINK("http://x","x")';
const HTML = '<img src=x onerror=alert(1)>|[a](javascript:x)';

test('a model named like a formula is text in the CSV and the Markdown has no raw HTML', () => {
  const report = compareSamples(Float64Array.from([1, 2, 3, 4]), Float64Array.from([-0.5, 0.5, 1.5, 2]), { labels: { a: HOSTILE, b: HTML }, measure: 'x' });
  const { csv, markdown } = statsTables(report);
  const header = csv.split('\r\n')[0];
  assert.equal(header, 'statistic,"\'=HYPERLINK(""http://x"",""x"")",<img src=x onerror=alert(1)>|[a](javascript:x),test_statistic,p_value,p_holm');
  for (const line of csv.trim().split('\r\n')) {
    for (const cell of line.split(',')) assert.ok(!/^["]?[=+@]/.test(cell) || cell.startsWith(`"'`), `live formula cell ${cell}`);
  }
  // the negative sample value is data: written as a number, not neutralised
  assert.match(csv, /^mean,2\.5,0\.875,,,\r$/m);
  assert.ok(!markdown.includes('<img'), markdown);
  assert.ok(markdown.includes('&lt;img src=x onerror=alert\\(1\\)&gt;'), markdown);
  assert.ok(!/\]\(javascript/.test(markdown), markdown);
  // a | in a name cannot add a column: every row of the first table has the header's 3 cells
  const table = markdown.split('\n\n')[1].split('\n');
  for (const row of table) assert.equal(row.split(/(?<!\\)\|/).length - 2, 3, row);
});

test('markdownText escapes HTML, Markdown syntax and line breaks', () => {
  assert.equal(markdownText('a_b *c* <b>&</b>\n# h'), 'a\\_b \\*c\\* &lt;b&gt;&amp;&lt;/b&gt; \\# h');
  assert.equal(markdownText('lare-shapes v1.0'), 'lare-shapes v1.0');
});
