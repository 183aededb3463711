import { defineScenario } from '../scenario';

/**
 * Palette → Run Attention Statistics → dataset → baseline model → the Table 5 report in the panel;
 * palette → Run Probing Experiment → dataset → no ablation → the Table 6 report. Both reports are saved.
 */
export default defineScenario({
  name: 'dataset-reports',
  timeoutMs: 420_000,
  async run(ctx) {
    await ctx.runCommand('Latent Trace: Run Attention Statistics');
    await ctx.pickQuickItem('small.jsonl');
    await ctx.pickQuickItem('direct-tiny');
    const table5 = ctx.panel().locator('[data-testid="table5"]');
    await table5.waitFor({ timeout: 180_000 });
    ctx.log('attention statistics:', (await table5.innerText()).replace(/\s+/g, ' ').slice(0, 200));
    await ctx.screenshot('attention-statistics');

    await ctx.runCommand('Latent Trace: Run Probing Experiment');
    await ctx.pickQuickItem('small.jsonl');
    await ctx.pickQuickItem('No ablation');
    const table6 = ctx.panel().locator('[data-testid="table6"]');
    await table6.waitFor({ timeout: 240_000 });
    ctx.log('probing:', (await table6.innerText()).replace(/\s+/g, ' ').slice(0, 200));
    await ctx.screenshot('probing');

    const reports = (await ctx.results()).filter((f) => f.endsWith('.report.json'));
    ctx.log('reports written:', reports.join(', '));
    for (const kind of ['attention.report.json', 'probing.report.json']) {
      if (!reports.some((f) => f.endsWith(kind))) throw new Error(`no ${kind} under .latent-trace/reports/`);
    }
  },
});
