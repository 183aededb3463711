/**
 * The panel's first paint in Chromium: the built webview (dist/webview) on a page of its own, with the
 * host's side of the protocol played by the page, a trace posted as the host posts it (typed arrays),
 * and the time from the message's receipt to the first frame with the heatmap, as the webview measures it.
 * A fresh page per delivery: opening a trace in a new panel is the common case.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { encodeTrace } from '../src/shared/trace-codec';
import type { Trace } from '../src/shared/trace';
import { realSizeTrace, syntheticTrace } from '../test/fixtures/traces/synthetic-trace';
import { median, type BenchContext, type BenchFigure, type BenchSuite } from './types';

const ORIGIN = 'http://panel.bench';
const BUDGET_MS = 300;

const PAGE = `<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="stylesheet" href="${ORIGIN}/main.css"></head>
<body class="vscode-dark"><main id="app"></main><script src="${ORIGIN}/main.js"></script></body></html>`;

/** what acquireVsCodeApi gives the webview; messages it posts are kept for the page to read */
const VSCODE_API = `window.acquireVsCodeApi = () => ({ postMessage: (m) => (window.__posted ??= []).push(m), getState: () => undefined, setState: () => undefined });`;

/**
 * Inside the page: the trace file's text to the in-memory trace the host posts (tensors as Float32Array).
 * Plain JavaScript text, because the page runs it as is (tsx would add helpers the page does not have).
 */
const POST_TRACE = `window.__postTrace = (text) => {
  const revive = (v) => {
    if (Array.isArray(v)) return v.map(revive);
    if (typeof v !== 'object' || v === null) return v;
    if (v.dtype === 'float32' && typeof v.data === 'string') {
      const bin = atob(v.data);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      return new Float32Array(bytes.buffer);
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x)]));
  };
  window.postMessage({ type: 'show', content: { kind: 'trace', trace: revive(JSON.parse(text)) } }, '*');
};`;

async function firstPaints(browser: Browser, trace: Trace, deliveries: number): Promise<number[]> {
  const dist = join(__dirname, '..', 'dist', 'webview');
  const text = encodeTrace(trace);
  const out: number[] = [];
  for (let i = 0; i < deliveries; i++) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await page.addInitScript(`${VSCODE_API}\n${POST_TRACE}`);
      await page.route(`${ORIGIN}/**`, (route) => {
        const name = new URL(route.request().url()).pathname.slice(1);
        if (name === 'index.html') return route.fulfill({ contentType: 'text/html', body: PAGE });
        return route.fulfill({ contentType: name.endsWith('.css') ? 'text/css' : 'text/javascript', body: readFileSync(join(dist, name)) });
      });
      await page.goto(`${ORIGIN}/index.html`);
      await page.waitForFunction(() => ((window as unknown as { __posted?: { type: string }[] }).__posted ?? []).some((m) => m.type === 'ready'));
      await page.evaluate((t) => (window as unknown as { __postTrace(t: string): void }).__postTrace(t), text);
      const view = page.locator('.trace-view[data-first-paint-ms]');
      await view.waitFor({ timeout: 30_000 });
      const protocolErrors = await page.evaluate(() => document.body.dataset.protocolError ?? '');
      if (protocolErrors) throw new Error(`the webview refused the trace: ${protocolErrors}`);
      out.push(Number(await view.getAttribute('data-first-paint-ms')));
    } finally {
      await page.close();
    }
  }
  return out;
}

export const panelFirstPaint: BenchSuite = {
  name: 'panel first paint',
  async run(ctx: BenchContext): Promise<BenchFigure[]> {
    const executablePath = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
    if (!existsSync(executablePath)) {
      return [{ name: 'panel first paint', value: NaN, unit: 'ms', target: 'measured', ok: false, detail: `no Chromium at ${executablePath} (set E2E_CHROMIUM)` }];
    }
    const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
    try {
      const deliveries = Math.max(3, ctx.repeats);
      // alternate the two sizes, so a busy moment on a shared machine weighs on both
      const small: number[] = [];
      const real: number[] = [];
      const perHead: number[] = [];
      const toy = syntheticTrace();
      const big = realSizeTrace({ steps: 32 });
      // Qwen2.5-VL-3B's 16 heads per layer, rows kept for 4 sources (last prompt token, answer tokens)
      const heads = realSizeTrace({ steps: 32, heads: 16, headSources: 4 });
      const ha = heads.headAttention!;
      for (let round = 0; round < deliveries; round++) {
        small.push(...(await firstPaints(browser, toy, 1)));
        real.push(...(await firstPaints(browser, big, 1)));
        perHead.push(...(await firstPaints(browser, heads, 1)));
      }
      ctx.log(`panel first paint: 16x16 ${small.map((v) => v.toFixed(1)).join(' ')} ms; 26x46 ${real.map((v) => v.toFixed(1)).join(' ')} ms; 26x46 with per-head rows ${perHead.map((v) => v.toFixed(1)).join(' ')} ms`);
      const ratio = median(real) / median(small);
      const best = Math.min(...real) / Math.min(...small);
      return [
        { name: 'panel first paint, 16x16 grid, T=6, 4 layers, 1024x1024 image (Chromium, median)', value: median(small), unit: 'ms', detail: `${deliveries} fresh pages; best ${Math.min(...small).toFixed(1)} ms` },
        {
          name: 'panel first paint, 26x46 grid (1,196 visual tokens), T=32, 28 layers, 1288x728 image (Chromium, median)',
          value: median(real), unit: 'ms', target: `< ${BUDGET_MS} ms`, ok: median(real) < BUDGET_MS,
          detail: `${deliveries} fresh pages; best ${Math.min(...real).toFixed(1)} ms`,
        },
        {
          name: `panel first paint, 26x46 grid, T=32, with per-head attention (${ha.sources.length} sources x ${ha.layers} layers x ${ha.heads} heads x ${ha.positions} positions, ${(ha.rows.length * 4 / 1024 / 1024).toFixed(1)} MiB) (Chromium, median)`,
          value: median(perHead), unit: 'ms', target: `< ${BUDGET_MS} ms`, ok: median(perHead) < BUDGET_MS,
          detail: `${deliveries} fresh pages; best ${Math.min(...perHead).toFixed(1)} ms`,
        },
        { name: 'real-size first paint over the 16x16 one, medians', value: ratio, unit: 'x', target: '<= 2x', ok: ratio <= 2 },
        { name: 'real-size first paint over the 16x16 one, best deliveries (uncontended cost)', value: best, unit: 'x', target: '<= 2x', ok: best <= 2 },
      ];
    } finally {
      await browser.close();
    }
  },
};
