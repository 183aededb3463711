import { defineScenario } from '../scenario';

/**
 * Finding things again: LVR offered as LaRe's Table 6 ablation is refused with the reason before
 * anything runs; a probing run's progress names its study; its report and an attention report open
 * in two tabs; after a third study, the dataset picker lists the user's datasets and none of the studies' own
 * results files; a traced image appears in the Traces tree by model and question, and a click on it
 * opens that trace; the panel's Back and Forward walk the traces shown, the status line naming each.
 */
export default defineScenario({
  name: 'finding-things',
  timeoutMs: 420_000,
  async run(ctx) {
    const rows = ctx.page.locator('.quick-input-list .monaco-list-row');

    await ctx.runCommand('Latent Trace: Run Probing Experiment');
    await ctx.pickQuickItem('small.jsonl');
    await ctx.pickQuickItem('lvr-shapes');
    const refusal = await ctx.waitForNotification(/probing experiment not run: lvr-shapes is an lvr model, not lare-shapes without its Extractor/, 30_000);
    ctx.log('refused:', refusal);
    await ctx.screenshot('lvr-refused');
    if ((await ctx.extensionLog()).includes('[probe] probing experiment: lare-shapes + lvr-shapes')) throw new Error('the refused pair started a run');
    await ctx.clearNotifications();

    await ctx.runCommand('Latent Trace: Run Probing Experiment');
    await ctx.pickQuickItem('small.jsonl');
    await rows.filter({ hasText: 'lare-shapes-noextractor' }).filter({ hasText: 'without its Extractor' }).first().waitFor({ timeout: 30_000 });
    await ctx.pickQuickItem('lare-shapes-noextractor');
    const progress = await ctx.waitForNotification(/probing experiment.*(item \d+ of \d+|fitting probes)/i, 120_000);
    ctx.log('progress:', progress);
    await ctx.panel().locator('[data-testid="table6"]').waitFor({ timeout: 240_000 });
    if (!(await ctx.results()).some((f) => /\/results\/probe-.*\.jsonl$/.test(f))) throw new Error('the study wrote no results files to leave out');

    await ctx.runCommand('Latent Trace: Run Attention Statistics');
    await ctx.pickQuickItem('small.jsonl');
    await ctx.pickQuickItem('direct-shapes');
    await ctx.panel().locator('[data-testid="table5"]').waitFor({ timeout: 240_000 });
    for (const name of ['probing.report.json', 'attention.report.json']) await ctx.page.locator('.tab', { hasText: name }).first().waitFor({ timeout: 30_000 });
    ctx.log('report tabs:', (await ctx.page.locator('.tab').allInnerTexts()).map((t) => t.trim()).join(' | '));
    await ctx.screenshot('two-report-tabs');

    await ctx.runCommand('Latent Trace: Run Adaptive-Stopping Study');
    await ctx.pickQuickItem('small.jsonl');
    await ctx.page.locator('.tab', { hasText: 'steps.report.json' }).first().waitFor({ timeout: 240_000 });

    await ctx.runCommand('Latent Trace: Run Probing Experiment');
    await rows.first().waitFor({ timeout: 30_000 });
    const offered = await rows.allInnerTexts();
    ctx.log('datasets offered:', offered.map((t) => t.replace(/\s+/g, ' ')).join(' | '));
    await ctx.screenshot('dataset-picker');
    if (!offered.some((t) => t.includes('small.jsonl'))) throw new Error('the user dataset small.jsonl is not offered');
    const own = offered.filter((t) => t.includes('.latent-trace') || /probe-lare/.test(t));
    if (own.length) throw new Error(`the picker lists the study's own files: ${own.join(', ')}`);
    await ctx.dismissQuickInput();

    await ctx.rightClick('sample.png', 'Run LaRe on Image');
    await ctx.answerQuickInput('what color is the square?');
    await ctx.panel().locator('[data-testid="answer"]').waitFor({ timeout: 120_000 });
    await ctx.rightClick('sample.png', 'Run LaRe on Image');
    await ctx.answerQuickInput('how many squares are there?');
    await ctx.panel().locator('[data-testid="status"]', { hasText: 'how-many-squares-are-there' }).waitFor({ timeout: 120_000 });
    await ctx.runCommand('Latent Trace: Focus on Traces View');
    const entry = ctx.page.locator('.monaco-list-row', { hasText: 'lare-shapes: what color is the square?' }).first();
    await entry.waitFor({ timeout: 30_000 });
    ctx.log('traces tree:', (await entry.innerText()).replace(/\s+/g, ' '));
    await ctx.screenshot('traces-tree');
    const before = (await ctx.extensionLog()).split('[files] opened').length;
    await entry.click();
    const deadline = Date.now() + 30_000;
    while ((await ctx.extensionLog()).split('[files] opened').length === before) {
      if (Date.now() > deadline) throw new Error('clicking the Traces entry opened nothing');
      await ctx.page.waitForTimeout(250);
    }
    if (!/\[files\] opened .*traces\/lare-shapes_sample_what-color-is-the-square_\d{8}T\d{6}Z\.ltrace\.json/.test(await ctx.extensionLog())) {
      throw new Error('the entry opened another file than its trace');
    }
    await ctx.panel().locator('[data-testid="answer"]').waitFor({ timeout: 30_000 });

    // the panel's history: back to the second trace shown before the click, then forward again
    await ctx.panel().locator('[data-testid="history-back"]:not([disabled])').click({ timeout: 30_000 });
    await ctx.panel().locator('[data-testid="status"]', { hasText: 'how-many-squares-are-there' }).waitFor({ timeout: 30_000 });
    await ctx.screenshot('history-back');
    await ctx.panel().locator('[data-testid="history-forward"]:not([disabled])').click({ timeout: 30_000 });
    await ctx.panel().locator('[data-testid="status"]', { hasText: 'what-color-is-the-square' }).waitFor({ timeout: 30_000 });
    if ((await ctx.panel().locator('[data-testid="history-forward"]').getAttribute('disabled')) === null) throw new Error('Forward is still enabled at the newest entry');
  },
});
