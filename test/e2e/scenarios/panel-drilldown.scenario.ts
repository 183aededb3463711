import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineScenario } from '../scenario';
import { encodeTrace } from '../../../src/shared/trace-codec';
import type { ReportItem, StatsReport } from '../../../src/shared/reports';
import { outlierItems } from '../../../src/present/report-items';
import { sampleStats } from '../../fixtures/reports/sample-reports';
import { syntheticTrace } from '../../fixtures/traces/synthetic-trace';
import { acceptSaveDialog, attr, checkConsole, expect, openInPanel, toggleTheme, watchConsole } from './panel-helpers';

/**
 * Drill-down: an attention-statistics report with its per-item table. The table sorts and filters; the
 * box plot draws the items beyond Tukey's fences as points, and clicking the outlier opens that item's
 * trace (saved beside the report as traces/<item id>.ltrace.json).
 */
function writeJson(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

export default defineScenario({
  name: 'panel-drilldown',
  timeoutMs: 240_000,
  async run(ctx) {
    const watch = watchConsole(ctx);
    const dir = join(ctx.workspace, 'drilldown');
    mkdirSync(join(dir, 'traces'), { recursive: true });
    const base = sampleStats();
    const image = join(ctx.workspace, 'sample.png');
    const items: ReportItem[] = [
      ...base.samples.a.map((v, i): ReportItem => ({ id: `base-${i}`, image, question: 'what color is the square?', answer: i % 5 ? 'orange' : 'red', expected: 'orange', correct: i % 5 !== 0, statistic: v, model: base.labels.a })),
      ...base.samples.b.map((v, i): ReportItem => ({ id: `lare-${i}`, image, question: 'what color is the square?', answer: 'orange', expected: 'orange', correct: true, statistic: v, model: base.labels.b })),
      // one LaRe item far above the rest: the outlier to click
      { id: 'lare-outlier', image, question: 'is there a dog? describe the scene', answer: 'yes', expected: 'no', correct: false, statistic: base.b.max + 6, model: base.labels.b },
    ];
    const report: StatsReport = { ...base, items };
    const want = outlierItems(items, base.labels.b).map((it) => it.id);
    expect(want.includes('lare-outlier'), `the fixture's outlier is not beyond the fences: ${want}`);
    const reportFile = join(dir, 'attention.report.json');
    writeJson(reportFile, JSON.stringify(report));
    const trace = syntheticTrace({ seed: 5, steps: 3, modelName: 'drilldown-outlier', question: 'is there a dog? describe the scene' });
    trace.input.imageName = 'lare-outlier.png';
    writeJson(join(dir, 'traces', 'lare-outlier.ltrace.json'), encodeTrace(trace));

    const panel = ctx.panel();
    await openInPanel(ctx, reportFile);
    await panel.locator('[data-testid=items-table]').waitFor({ timeout: 30_000 });
    await toggleTheme(ctx, 'dark');
    const count = await panel.locator('[data-testid=items-count]').innerText();
    expect(count.startsWith(`${items.length} of ${items.length}`), `items count reads "${count}"`);
    // sort by the statistic, largest first: the outlier tops the table
    const statHeader = panel.locator('[data-testid=items-table] th[data-column=statistic]');
    await statHeader.click();
    await statHeader.click();
    const first = await panel.locator('[data-testid=items-table] tbody tr').first().getAttribute('data-item');
    expect(first === 'lare-outlier', `largest statistic first should be the outlier, got ${first}`);
    await panel.locator('[data-testid=items-filter]').fill('dog');
    const filtered = await panel.locator('[data-testid=items-table] tbody tr').count();
    expect(filtered === 1, `filtering by "dog" leaves ${filtered} rows`);
    await ctx.screenshot('items-table');

    // the report exports as a figure with its title and tables on white, as SVG (vector) and PNG (in the dark theme)
    for (const format of ['svg', 'png'] as const) {
      const file = join(dir, `stats-baseline-vs-LaRe.${format}`);
      await panel.locator(`.exports button[data-export="${format}"]`).click();
      await acceptSaveDialog(ctx, `stats-baseline-vs-LaRe.${format}`);
      for (let i = 0; i < 50 && !existsSync(file); i++) await ctx.page.waitForTimeout(200);
      expect(existsSync(file), `the ${format} export was not written`);
      const bytes = readFileSync(file);
      if (format === 'svg') {
        const svg = bytes.toString('utf8');
        expect(/fill="#ffffff"/.test(svg) && /as LaRe Table 5</.test(svg) && /data-role="box"/.test(svg) && /<rect data-series="LaRe"/.test(svg) && !/<image/.test(svg),
          'the report SVG lacks its white background, Table 5, the box plot or the histogram bars, or embeds a raster');
      } else {
        expect(bytes.subarray(1, 4).toString('latin1') === 'PNG' && bytes.length > 20_000, `the report PNG is ${bytes.length} bytes`);
      }
    }

    const canvas = panel.locator('canvas[data-testid=stats-distribution]');
    await canvas.scrollIntoViewIfNeeded();
    const points = (await canvas.getAttribute('data-outlier-points')) ?? '';
    const at = points.split('|').find((p) => p.startsWith('lare-outlier@'));
    expect(at, `the box plot draws no outlier point for the item (${points})`);
    const [x, y] = at!.split('@')[1].split(',').map(Number);
    expect(Number.isFinite(x) && Number.isFinite(y), `outlier point at ${at}`);
    await ctx.screenshot('outlier-before-click');
    await canvas.click({ position: { x, y } });
    await panel.locator('.trace-view[data-first-paint-ms]').waitFor({ timeout: 30_000 });
    const answer = await panel.locator('[data-testid=answer]').innerText();
    expect(/is there a dog\? describe the scene/.test(answer), `the opened trace is not the outlier's: ${answer.slice(0, 200)}`);
    const status = await attr(ctx, '[data-testid=status]', 'class').catch(() => '');
    ctx.log(`status after the click: ${status}`);
    await ctx.screenshot('outlier-trace');
    checkConsole(ctx, watch);
  },
});
