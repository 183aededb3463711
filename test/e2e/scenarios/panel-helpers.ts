/**
 * Helpers shared by the panel-* scenarios: fixtures into the workspace, opening files, reading
 * canvases and data attributes inside the webview, and the webview's console errors.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import type { ScenarioContext } from '../scenario';

/** Copies the synthetic traces and sample reports into the workspace folder `panel-fixtures/`. */
export function copyFixtures(ctx: ScenarioContext): string {
  const dir = join(ctx.workspace, 'panel-fixtures');
  mkdirSync(dir, { recursive: true });
  for (const [sub, name] of [
    ['traces', 'synthetic-disc.ltrace.json'], ['traces', 'synthetic-disc-t4.ltrace.json'],
    ['reports', 'sample-stats.report.json'], ['reports', 'sample-probing.report.json'], ['reports', 'sample-steps.report.json'], ['reports', 'sample-stats4.report.json'],
  ]) copyFileSync(join(ctx.repo, 'test/fixtures', sub, name), join(dir, name));
  return dir;
}

/** "Latent Trace: Open Trace" with code-server's simple open dialog: types the path and accepts it. */
export async function openInPanel(ctx: ScenarioContext, file: string): Promise<void> {
  await ctx.runCommand('Latent Trace: Open Trace…');
  await answerOpenDialog(ctx, file);
}

/** Types a path into code-server's simple open dialog once it has filled in its folder, and accepts it. */
export async function answerOpenDialog(ctx: ScenarioContext, file: string): Promise<void> {
  const input = ctx.page.locator('.quick-input-widget input').first();
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  // the dialog is told apart from a next one that reuses the same widget by its aria-label (its title)
  const label = await input.getAttribute('aria-label');
  // the dialog fills in its folder a moment after it opens: typing earlier is overwritten
  for (let i = 0; i < 50 && !(await input.inputValue()).endsWith('/'); i++) await ctx.page.waitForTimeout(100);
  await input.fill(file);
  // Enter can land while the dialog is still listing the folder; then OK accepts the typed path
  await ctx.page.waitForTimeout(300);
  await input.press('Enter');
  const gone = async () => !(await input.isVisible()) || (await input.getAttribute('aria-label')) !== label;
  for (let attempt = 0; attempt < 5; attempt++) {
    for (let i = 0; i < 30; i++) {
      if (await gone()) return;
      await ctx.page.waitForTimeout(100);
    }
    if ((await input.inputValue()) !== file) await input.fill(file);
    await ctx.page.locator('.quick-input-widget .monaco-button', { hasText: 'OK' }).first().click();
  }
  throw new Error(`the open dialog did not accept ${file}`);
}

/** Opens a file from the Explorer: *.ltrace.json and *.report.json open in the custom editor by default. */
export async function openFromExplorer(ctx: ScenarioContext, folder: string, file: string): Promise<void> {
  const rows = ctx.page.locator('.explorer-folders-view .monaco-list-row');
  const folderRow = rows.filter({ has: ctx.page.locator('.label-name', { hasText: folder }) }).first();
  await folderRow.waitFor({ timeout: 30_000 });
  if ((await folderRow.getAttribute('aria-expanded')) !== 'true') await folderRow.click();
  const fileRow = rows.filter({ has: ctx.page.locator('.label-name', { hasText: file }) }).first();
  const activeTab = ctx.page.locator('.tab.active', { hasText: file });
  // rows move while the tree fills in (results folders appear): check the tab that opened, retry if it is another file
  for (let attempt = 0; attempt < 4; attempt++) {
    await fileRow.waitFor({ timeout: 30_000 });
    await fileRow.dblclick();
    if (await activeTab.first().waitFor({ timeout: 5000 }).then(() => true, () => false)) return;
  }
  throw new Error(`double-clicking ${file} in the Explorer did not open it`);
}

export async function attr(ctx: ScenarioContext, selector: string, name: string, timeoutMs = 30_000): Promise<string> {
  const el = ctx.panel().locator(selector).first();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await el.getAttribute(name, { timeout: timeoutMs }).catch(() => null);
    if (v !== null && v !== '') return v;
    if (Date.now() > deadline) throw new Error(`${selector} has no ${name} after ${timeoutMs / 1000} s`);
    await ctx.page.waitForTimeout(100);
  }
}

/** A hash of a canvas's pixels, read inside the webview. */
export async function canvasHash(ctx: ScenarioContext, selector: string): Promise<string> {
  const url = await ctx.panel().locator(selector).first().evaluate((c) => (c as HTMLCanvasElement).toDataURL('image/png'));
  return createHash('sha256').update(url).digest('hex').slice(0, 16);
}

/** Mean and standard deviation of a canvas's RGB values: a blank canvas has deviation 0. */
export async function canvasStats(ctx: ScenarioContext, selector: string): Promise<{ mean: number; std: number; width: number }> {
  return ctx.panel().locator(selector).first().evaluate((c) => {
    const canvas = c as HTMLCanvasElement;
    const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let s = 0;
    let s2 = 0;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) {
      for (let k = 0; k < 3; k++) {
        s += d[i + k];
        s2 += d[i + k] * d[i + k];
        n++;
      }
    }
    const mean = s / n;
    return { mean, std: Math.sqrt(Math.max(0, s2 / n - mean * mean)), width: canvas.width };
  });
}

/** The outer frame of the newest Latent Trace webview (VS Code's host page for the app's iframe). */
export function webviewHostFrame(ctx: ScenarioContext): Frame {
  const frames = ctx.page.frames().filter((f) => /extensionId=latent-trace\.latent-trace/.test(f.url()) && /index\.html/.test(f.url()));
  const frame = frames.at(-1);
  if (!frame) throw new Error('no Latent Trace webview host frame');
  return frame;
}

export interface ConsoleWatch {
  /** errors from the webviews (their pages and the assets they load), without code-server's known harmless ones */
  webviewErrors(): string[];
  /** the workbench's own console errors (e.g. an extension error notification), for the log */
  workbenchErrors(): string[];
}

/** code-server's known harmless console errors: the missing vsda module, and web shutdown notes on reload. */
const HARMLESS = [/vsda/i, /Long running operations during shutdown are unsupported in the web/];

/**
 * Collects console errors with the URL they came from (the harness keeps only the text, and a 404's
 * text does not say what was missing); webview pages and assets live under `/webview/` paths.
 */
export function watchConsole(ctx: ScenarioContext): ConsoleWatch {
  const webview: string[] = [];
  const workbench: string[] = [];
  ctx.page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const url = m.location().url;
    const line = `${m.text()} (${url})`;
    if (HARMLESS.some((re) => re.test(line))) return;
    (/\/webview\//.test(url) ? webview : workbench).push(line);
  });
  ctx.page.on('pageerror', (e) => webview.push(`pageerror: ${e.message}`));
  return { webviewErrors: () => [...webview], workbenchErrors: () => [...workbench] };
}

/** Fails on webview console errors and logs the workbench's. */
export function checkConsole(ctx: ScenarioContext, watch: ConsoleWatch): void {
  const other = watch.workbenchErrors();
  if (other.length) ctx.log(`workbench console errors (not the panel's):\n${other.join('\n')}`);
  const errors = watch.webviewErrors();
  expect(errors.length === 0, `webview console errors:\n${errors.join('\n')}`);
}

export function expect(condition: unknown, message: string): void {
  if (!condition) throw new Error(message);
}

/**
 * Switches the colour theme between light and dark, and waits for the webview to pick it up. The theme is
 * a user setting that outlives the scenario: every panel scenario ends in light, code-server's default.
 */
export async function toggleTheme(ctx: ScenarioContext, want: 'light' | 'dark'): Promise<void> {
  const body = ctx.panel().locator('body');
  const isDark = async () => /vscode-(dark|high-contrast)(?!-light)/.test((await body.getAttribute('class')) ?? '');
  if ((await isDark()) === (want === 'dark')) return;
  await ctx.runCommand('Preferences: Toggle between Light/Dark Themes');
  for (let i = 0; i < 50 && (await isDark()) !== (want === 'dark'); i++) await ctx.page.waitForTimeout(200);
  expect((await isDark()) === (want === 'dark'), `theme did not switch to ${want}`);
  await ctx.page.waitForTimeout(300);
}

/** Waits until code-server's simple save dialog shows the suggested file name, then accepts it. */
export async function acceptSaveDialog(ctx: ScenarioContext, suggested: string): Promise<void> {
  const input = ctx.page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  for (let i = 0; i < 50 && !(await input.inputValue()).endsWith(suggested); i++) await ctx.page.waitForTimeout(100);
  const value = await input.inputValue();
  expect(value.endsWith(suggested), `the save dialog suggests "${value}", not ${suggested}`);
  await input.press('Enter');
}

/**
 * The common start of the trace scenarios: console watch on, fixtures copied, the 6-step synthetic
 * trace opened in the panel and painted, then the dark theme. Returns what the scenario goes on with.
 */
export async function openSyntheticTrace(ctx: ScenarioContext): Promise<{ watch: ConsoleWatch; dir: string; firstPaintMs: number }> {
  const watch = watchConsole(ctx);
  const dir = copyFixtures(ctx);
  await openInPanel(ctx, join(dir, 'synthetic-disc.ltrace.json'));
  const firstPaintMs = Number(await attr(ctx, '.trace-view', 'data-first-paint-ms'));
  await toggleTheme(ctx, 'dark');
  return { watch, dir, firstPaintMs };
}
