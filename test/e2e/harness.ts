/**
 * End-to-end suite: the extension from this repository in code-server 4.100.3, driven by Debian's
 * chromium through playwright-core. Runs every scenarios/*.scenario.{ts,mjs}; prints "N passed, N failed"
 * and writes .tmp/e2e-counts.json. Usage: node --import tsx test/e2e/harness.ts [name filter ...]
 */
import { chromium, type Browser } from 'playwright-core';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Scenario, ScenarioContext } from './scenario';
import { startServer, type Server } from './server';
import * as wb from './workbench';
import { prepareWorkspace } from './workspace';

const repo = resolve(import.meta.dirname, '../..');
const root = process.env.E2E_ROOT ?? join(repo, '.e2e');
const shots = join(repo, 'test-results/e2e');
const port = Number(process.env.E2E_PORT ?? 8766);
/** name filters: a scenario runs when its file or name contains any of them (none: every scenario) */
const filters = process.argv.slice(2);
/** E2E_VSIX=<file>: test the packaged extension (installed into code-server) instead of the repository */
const vsix = process.env.E2E_VSIX ? resolve(process.env.E2E_VSIX) : undefined;
const countsFile = resolve(process.env.E2E_COUNTS ?? join(repo, '.tmp/e2e-counts.json'));
const t0 = Date.now();
const stamp = () => `[${((Date.now() - t0) / 1000).toFixed(1)}s]`;

interface Loaded { file: string; scenario: Scenario }

async function loadScenarios(): Promise<Loaded[]> {
  const dir = join(import.meta.dirname, 'scenarios');
  const files = readdirSync(dir).filter((f) => /\.scenario\.(ts|mjs)$/.test(f)).sort();
  const loaded: Loaded[] = [];
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as { default?: Scenario };
    const scenario = mod.default;
    if (!scenario?.run || !scenario.name) throw new Error(`${f}: must default-export a Scenario { name, run }`);
    if (!filters.length || filters.some((x) => f.includes(x) || scenario.name.includes(x))) loaded.push({ file: f, scenario });
  }
  return loaded;
}

function findFiles(dir: string, name: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...findFiles(p, name));
    else if (entry === name) out.push(p);
  }
  return out;
}

function listResults(workspace: string): string[] {
  const base = join(workspace, '.latent-trace');
  const walk = (d: string): string[] => readdirSync(d).flatMap((e) => (statSync(join(d, e)).isDirectory() ? walk(join(d, e)) : [join(d, e)]));
  return existsSync(base) ? walk(base).map((p) => relative(base, p)).sort() : [];
}

/** Byte offsets of the extension host logs, so a scenario reads only what it caused. */
function exthostLogSizes(server: Server): Map<string, number> {
  return new Map(findFiles(join(server.userDataDir, 'logs'), 'remoteexthost.log').map((f) => [f, statSync(f).size]));
}

/** Unhandled rejections the extension host logged since `before` that come from this extension. */
function unhandledRejections(server: Server, before: Map<string, number>): string[] {
  const found: string[] = [];
  for (const file of findFiles(join(server.userDataDir, 'logs'), 'remoteexthost.log')) {
    const text = readFileSync(file, 'utf8').slice(before.get(file) ?? 0);
    for (const entry of text.split(/\n(?=\d{4}-\d\d-\d\d )/)) {
      if (/rejected promise not handled|unhandled/i.test(entry) && (entry.includes(repo) || entry.includes('latent-trace'))) found.push(entry.trim());
    }
  }
  return found;
}

/**
 * The Explorer's file watcher starts seconds after the workbench shows the folder; files a scenario
 * writes before that never appear. Wait until a probe file shows up in the Explorer.
 */
async function waitForFileWatcher(page: import('playwright-core').Page, workspace: string): Promise<void> {
  // a new name each attempt: a delete and re-create in one watcher batch is reported as a change, not an add
  const deadline = Date.now() + 90_000; // minutes-long stalls happen on a loaded 2-core machine
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    const name = `.e2e-watch-probe-${Date.now()}-${attempt}`;
    const probe = join(workspace, name);
    writeFileSync(probe, '');
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first();
    const seen = await row.waitFor({ timeout: 1000 }).then(() => true, () => false);
    rmSync(probe, { force: true });
    if (seen) {
      await row.waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined); // keep screenshots clean
      return;
    }
  }
  throw new Error('the Explorer never showed a file written into the workspace (file watcher not running)');
}

async function withTimeout<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms / 1000} s`)), ms); });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function runOne(browser: Browser, server: Server, workspace: string, { scenario }: Loaded): Promise<boolean> {
  const tag = `${vsix ? 'vsix-' : ''}${scenario.name}`.replace(/[^\w-]+/g, '-');
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  const log = (...a: unknown[]) => console.log(stamp(), `[${scenario.name}]`, ...a);
  // Workbench noise, not ours: code-server does not ship VS Code's vsda module (two 404s per load),
  // and the web workbench complains about shutdown joins on every reload.
  let vsdaMisses = 0;
  page.on('response', (r) => {
    if (r.status() < 400) return;
    if (r.url().includes('/node_modules/vsda/')) vsdaMisses++;
    else log(`HTTP ${r.status()} ${r.url()}`); // the console error only says "Failed to load resource"
  });
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const text = m.text();
    if (vsdaMisses > 0 && text.startsWith('Failed to load resource')) vsdaMisses--;
    else if (!/\[lifecycle\] Long running operations during shutdown are unsupported in the web/.test(text)) consoleErrors.push(text);
  });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  const host = new URL(server.baseUrl).host;
  const payload = encodeURIComponent(JSON.stringify([['extensionDevelopmentPath', `vscode-remote://${host}${repo}`]]));
  const url = `${server.baseUrl}/?folder=${encodeURIComponent(workspace)}${vsix ? '' : `&payload=${payload}`}`;
  const ctx: ScenarioContext = {
    page,
    panel: () => wb.webviewFrame(page, true),
    runCommand: (label) => wb.runCommand(page, label),
    rightClick: (file, label) => wb.rightClick(page, file, label),
    answerQuickInput: (text) => wb.answerQuickInput(page, text),
    pickQuickItem: (label) => wb.pickQuickItem(page, label),
    dismissQuickInput: () => wb.dismissQuickInput(page),
    waitForNotification: (text, ms) => wb.waitForNotification(page, text, ms),
    clickNotificationButton: (text, button) => wb.clickNotificationButton(page, text, button),
    clearNotifications: () => wb.clearNotifications(page),
    screenshot: async (name) => {
      const file = join(shots, `${tag}-${name}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    reloadWindow: async () => {
      await wb.runCommand(page, 'Developer: Reload Window');
      await page.waitForLoadState('load');
      await wb.waitForWorkbench(page);
      await waitForFileWatcher(page, workspace);
    },
    workspace,
    repo,
    extensionLog: async () => {
      const logs = findFiles(join(server.userDataDir, 'logs'), 'Latent Trace.log').sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
      return logs.length ? readFileSync(logs[0], 'utf8') : '';
    },
    results: async () => listResults(workspace),
    log,
    consoleErrors,
  };
  let ok = false;
  const logSizes = exthostLogSizes(server);
  try {
    await withTimeout(scenario.timeoutMs ?? 180_000, scenario.name, (async () => {
      await page.goto(url);
      await wb.waitForWorkbench(page);
      await waitForFileWatcher(page, workspace);
      await scenario.run(ctx);
    })());
    const rejections = unhandledRejections(server, logSizes);
    if (rejections.length) throw new Error(`unhandled rejections in the extension host:\n${rejections.join('\n')}`);
    ok = true;
    await ctx.screenshot('end').catch(() => undefined);
  } catch (err) {
    console.error(stamp(), `[${scenario.name}] FAILED:`, err instanceof Error ? err.stack ?? err.message : err);
    await ctx.screenshot('failed').catch(() => undefined);
  }
  const extLog = await ctx.extensionLog();
  if (extLog) writeFileSync(join(shots, `${tag}-extension.log`), extLog);
  await context.close();
  console.log(stamp(), `${ok ? 'PASS' : 'FAIL'} ${scenario.name}`);
  return ok;
}

/**
 * One harness per E2E_ROOT at a time: a second one would wipe the first one's workspace and fight for
 * its port. Waits for a live holder, takes over a stale lock.
 */
async function lockRoot(): Promise<() => void> {
  const lock = join(root, 'harness.lock');
  mkdirSync(root, { recursive: true });
  for (let waited = 0; ; waited += 5) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return () => rmSync(lock, { force: true });
    } catch {
      const holder = Number(readFileSync(lock, 'utf8'));
      let alive = false;
      try {
        process.kill(holder, 0);
        alive = holder !== process.pid;
      } catch {
        alive = false;
      }
      if (!alive) rmSync(lock, { force: true });
      else if (waited >= 900) throw new Error(`${lock}: another e2e run (pid ${holder}) holds ${root}; set E2E_ROOT and E2E_PORT to run beside it`);
      else {
        if (waited % 60 === 0) console.log(stamp(), `waiting for the e2e run of pid ${holder} to finish (${lock})`);
        await new Promise((r) => setTimeout(r, 5000));
      }
    }
  }
}

async function main(): Promise<number> {
  const unlock = await lockRoot();
  try {
    return await runAll();
  } finally {
    unlock();
  }
}

async function runAll(): Promise<number> {
  mkdirSync(shots, { recursive: true });
  mkdirSync(join(repo, '.tmp'), { recursive: true });
  const all = await loadScenarios();
  const counts = { passed: 0, failed: 0, skipped: 0 };
  const browser = await chromium.launch({
    executablePath: process.env.E2E_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    env: { ...process.env, HOME: join(root, 'home') },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    for (const trusted of [true, false]) {
      const group = all.filter((l) => (l.scenario.trusted ?? true) === trusted);
      if (!group.length) continue;
      const workspace = join(root, trusted ? 'workspace' : 'workspace-untrusted');
      prepareWorkspace(repo, workspace);
      const server = await startServer({ root, port, workspace, trusted, vsix });
      console.log(stamp(), `code-server up (${trusted ? 'trusted' : 'Restricted Mode'}) at ${server.baseUrl}${vsix ? ` with ${vsix}` : ''}`);
      try {
        for (const l of group) {
          if (await runOne(browser, server, workspace, l)) counts.passed++;
          else counts.failed++;
        }
      } finally {
        await server.stop();
      }
    }
  } finally {
    await browser.close();
    rmSync(join(root, 'home/.config/chromium'), { recursive: true, force: true });
  }
  writeFileSync(countsFile, JSON.stringify(counts));
  console.log(`${counts.passed} passed, ${counts.failed} failed`);
  return counts.failed === 0 && counts.passed > 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (err) => {
  console.error(err);
  writeFileSync(countsFile, JSON.stringify({ passed: 0, failed: 1, skipped: 0 }));
  console.log('0 passed, 1 failed');
  process.exit(1);
});
