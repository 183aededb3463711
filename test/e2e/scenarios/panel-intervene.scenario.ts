import { defineScenario } from '../scenario';
import { attr, checkConsole, expect, toggleTheme, watchConsole } from './panel-helpers';

/**
 * The bundled model on the first sample item: the trace carries the item's box and expected answer (drawn
 * dashed on the heatmap, with ✓ or ✗ and per-step window-hit marks). Then step 2 is zeroed from the panel:
 * the host runs the runtime's intervention, and the panel shows both answers and the change in the first
 * answer token's log-probability, with the intervened run's steps.
 */
export default defineScenario({
  name: 'panel-intervene',
  timeoutMs: 300_000,
  async run(ctx) {
    const watch = watchConsole(ctx);
    await ctx.runCommand('Latent Trace: Run the Bundled Sample');
    const panel = ctx.panel();
    await panel.locator('.trace-view[data-first-paint-ms]').waitFor({ timeout: 180_000 });
    await toggleTheme(ctx, 'dark');

    const expected = (await panel.locator('[data-testid=expected]').innerText()).trim();
    const answer = (await panel.locator('.answer-text').first().innerText()).trim();
    expect(/^Expected \(dataset\): orange/.test(expected), `expected-answer line reads "${expected}"`);
    const right = answer.toLowerCase().replace(/[.\s]+$/, '') === 'orange';
    expect(right ? /✓ correct/.test(expected) : /✗ wrong/.test(expected), `answer "${answer}" but the verdict reads "${expected}"`);
    const marks = await panel.locator('.thumb[data-hit]').count();
    expect(marks === Number(await attr(ctx, '.trace-view', 'data-steps')), `${marks} steps carry a window-hits-box mark`);
    const caption = await panel.locator('[data-testid=grid-caption]').innerText();
    expect(/ground-truth box \(dataset\)/.test(caption), `the caption does not mention the box: ${caption}`);
    await ctx.screenshot('sample-bbox');

    await panel.locator('.thumb[data-step="1"]').click();
    await panel.locator('.trace-view[data-step="1"]').waitFor({ timeout: 10_000 });
    const on = await panel.locator('[data-testid=intervene-step]').innerText();
    expect(/step 2 of/.test(on), `the intervention acts on "${on}"`);
    await panel.locator('[data-testid=intervene-kind]').selectOption('zero');
    await panel.locator('[data-testid=intervene-run]').click();
    await panel.locator('[data-testid=intervention][data-state=done]').waitFor({ timeout: 180_000 });
    const before = await panel.locator('[data-testid=answer-before]').innerText();
    const after = await panel.locator('[data-testid=answer-after]').innerText();
    expect(before.trim() === answer, `the "before" answer "${before}" is not the trace's "${answer}"`);
    expect(after.trim().length > 0, 'no answer after the intervention');
    const change = Number(await attr(ctx, '[data-testid=intervention-outcome]', 'data-log-prob-change'));
    expect(!Number.isNaN(change) && change !== 0, `zeroing step 2 left the first answer token's log-probability unchanged (${change})`);
    const text = await panel.locator('[data-testid=logprob-change]').innerText();
    expect(/log p of the first answer token [+−]/.test(text), `log-p line reads "${text}"`);
    const steps = await panel.locator('[data-testid=intervened-steps] canvas').count();
    expect(steps > 0, 'the intervened run shows no steps');
    ctx.log(`zeroing step 2: "${before}" -> "${after}", log p change ${change}`);
    await panel.locator('[data-testid=intervention]').scrollIntoViewIfNeeded();
    await ctx.screenshot('zero-step2');

    // the sample trace has no per-head rows: the host re-runs it with the runtime's headAttention (and lens)
    await panel.locator('button[data-testid=record-heads]').click();
    await panel.locator('.tabs [data-tab=attention]').waitFor({ timeout: 180_000 });
    await panel.locator('.tabs [data-tab=attention]').click();
    await panel.locator('.attention-view[data-ready=true]').waitFor({ timeout: 30_000 });
    const layers = await panel.locator('[data-testid=attn-layer] option').count();
    await panel.locator('[data-testid=attn-layer]').selectOption(String(Math.min(1, layers - 1)));
    const heads = await panel.locator('[data-testid=head-grid] .head-cell').count();
    expect(heads > 1, `the real model's head grid shows ${heads} heads`);
    await ctx.screenshot('real-head-grid');
    await panel.locator('[data-testid=attn-target]').selectOption('text');
    const words = await panel.locator('[data-testid=attn-text] .attn-token').allInnerTexts();
    expect(words.join(' ').includes('square'), `question words not shown: ${words}`);
    await ctx.screenshot('real-text-attention');
    await panel.locator('.tabs [data-tab=lens]').click();
    await panel.locator('.lens-view[data-ready=true]').waitFor({ timeout: 30_000 });
    const lensSteps = await panel.locator('[data-testid=lens-steps] .lens-step').count();
    expect(lensSteps > 0 && /^Plain logit lens/.test(await panel.locator('[data-testid=lens-kind]').innerText()), `the real lens shows ${lensSteps} steps`);
    await ctx.screenshot('real-latent-lens');
    checkConsole(ctx, watch);
  },
});
