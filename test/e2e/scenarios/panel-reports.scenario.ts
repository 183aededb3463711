import { defineScenario } from '../scenario';
import { attr, canvasStats, copyFixtures, expect, openFromExplorer, toggleTheme, watchConsole, checkConsole } from './panel-helpers';

/**
 * The three report kinds open from their files in the custom editor: statistics (Table 5 with
 * formatted p-values, box plot and histogram; over four models with the Holm-corrected pairs), probing
 * (Table 6 with CI bars, the MLP's initialisations and the control's shuffles) and adaptive stopping
 * (Table 4 with mean ± CI curves and stop markers), in dark and light themes.
 */
export default defineScenario({
  name: 'panel-reports',
  timeoutMs: 240_000,
  async run(ctx) {
    const watch = watchConsole(ctx);
    copyFixtures(ctx);
    const panel = ctx.panel();

    await openFromExplorer(ctx, 'panel-fixtures', 'sample-stats.report.json');
    const table5 = panel.locator('table[data-testid=table5]');
    await table5.waitFor({ timeout: 30_000 });
    await toggleTheme(ctx, 'dark');
    const t5 = await table5.innerText();
    expect(/< 1e-300/.test(t5) && /3\.20e-151/.test(t5) && /2\.40e-51/.test(t5), `Table 5 p-values not formatted:\n${t5}`);
    expect(/95th percentile/.test(t5) && /Median/.test(t5), 'Table 5 rows missing');
    for (const id of ['stats-distribution', 'stats-histogram']) {
      expect((await canvasStats(ctx, `canvas[data-testid=${id}]`)).std > 0, `${id} chart is blank`);
    }
    await ctx.screenshot('stats-dark');
    await panel.locator('button', { hasText: 'Show violins' }).click();
    await panel.locator('button', { hasText: 'Show box plots' }).waitFor();
    await ctx.screenshot('stats-violin-dark');

    // Table 5 over four models: a column per model, the six pairs with their Holm p
    await openFromExplorer(ctx, 'panel-fixtures', 'sample-stats4.report.json');
    const pairs = panel.locator('table[data-testid=table5-pairs]');
    await pairs.waitFor({ timeout: 30_000 });
    const tp = await pairs.innerText();
    expect(/Holm's correction over 6 pairs/.test(tp) && /baseline vs LVR/.test(tp) && (tp.match(/ vs /g) ?? []).length >= 6, `pairwise table wrong:\n${tp}`);
    const t5k = await panel.locator('table[data-testid=table5]').innerText();
    expect(/LaRe w\/o Extractor/.test(t5k) && /LVR/.test(t5k), `Table 5 lacks the further models:\n${t5k}`);
    expect((await canvasStats(ctx, 'canvas[data-testid=stats-distribution]')).std > 0, 'the four-model box plot is blank');
    await ctx.screenshot('stats4-dark');

    await openFromExplorer(ctx, 'panel-fixtures', 'sample-probing.report.json');
    const table6 = panel.locator('table[data-testid=table6]');
    await table6.waitFor({ timeout: 30_000 });
    const t6 = await table6.innerText();
    expect(/w\/o Extractor/.test(t6) && /with Extractor/.test(t6) && /SVM/.test(t6) && /MLP/.test(t6), `Table 6 rows missing:\n${t6}`);
    expect(/5 inits/.test(t6) && /5 shuffles/.test(t6), `Table 6 lacks the MLP's initialisations or the control's shuffles:\n${t6}`);
    expect((await canvasStats(ctx, 'canvas[data-testid=probing-chart]')).std > 0, 'probing chart is blank');
    await ctx.screenshot('probing-dark');

    await openFromExplorer(ctx, 'panel-fixtures', 'sample-steps.report.json');
    const markers = await attr(ctx, '.convergence-view', 'data-stop-markers');
    expect(/cosine:cosine stop @ step \d/.test(markers) && /l2:l2 stop/.test(markers), `stop markers missing: ${markers}`);
    const rules = await panel.locator('table.data').first().innerText();
    expect(/T=4/.test(rules) && /cosine/.test(rules), `Table 4 rows missing:\n${rules}`);
    await ctx.screenshot('steps-dark');

    await toggleTheme(ctx, 'light');
    await attr(ctx, '.convergence-view', 'data-stop-markers');
    await ctx.screenshot('steps-light');
    await openFromExplorer(ctx, 'panel-fixtures', 'sample-stats.report.json');
    await panel.locator('table[data-testid=table5]').waitFor({ timeout: 30_000 });
    await ctx.screenshot('stats-light');
    await openFromExplorer(ctx, 'panel-fixtures', 'sample-probing.report.json');
    await panel.locator('table[data-testid=table6]').waitFor({ timeout: 30_000 });
    await ctx.screenshot('probing-light');

    checkConsole(ctx, watch);
  },
});
