/**
 * The panel app: receives validated messages, keeps what is shown and the view settings, renders
 * the tabs, the export buttons, the run progress with its cancel button and the status line.
 */
import type { PanelContent, ToWebviewMessage } from '../src/shared/protocol';
import { HostBridge } from './bridge';
import { applyChartTheme } from './charts';
import { button, h } from './dom';
import { restoreUi, tabsFor, type Tab, type TraceExtras, type UiState } from './ui-state';
import { sendExport } from './exporting';
import type { View, ViewContext } from './views/view';
import { createTraceView } from './views/trace-view';
import { createAttentionView } from './views/attention-view';
import { createLensView } from './views/lens-view';
import { createConvergenceView } from './views/convergence-view';
import { createStatsView } from './views/stats-view';
import { createProbingView } from './views/probing-view';
import { createCompareView } from './views/compare-view';
import { shownStatus } from './shown-file';
import { slurmBox } from './slurm-rows';

const TAB_LABELS: Record<Tab, string> = { trace: 'Trace', attention: 'Attention', lens: 'Latent lens', convergence: 'Convergence', statistics: 'Statistics', probing: 'Probing', comparison: 'Comparison' };

function contentKind(c: PanelContent): Parameters<typeof tabsFor>[0] {
  return c.kind === 'report' ? c.report.kind : c.kind;
}

function tabsOf(c: PanelContent): Tab[] {
  if (c.kind !== 'trace') return tabsFor(contentKind(c));
  const t = c.trace;
  const extras: TraceExtras = { headAttention: t.headAttention !== undefined, lens: t.steps.some((s) => s.lens?.length), steps: t.steps.length > 0 };
  return tabsFor('trace', extras);
}

/** Identifies content across reloads, so the saved step and tab apply only to the same result. */
function contentKey(c: PanelContent): string {
  switch (c.kind) {
    case 'empty': return 'empty';
    case 'trace': return c.file ?? `trace:${c.trace.input.imageName}:${c.trace.createdAt}`;
    case 'report': return c.file ?? `report:${c.report.kind}:${c.report.createdAt}`;
    case 'compare': return `${c.fileA ?? c.a.createdAt}|${c.fileB ?? c.b.createdAt}`;
  }
}

function filesOf(c: PanelContent): string[] {
  if (c.kind === 'trace' || c.kind === 'report') return c.file ? [c.file] : [];
  if (c.kind === 'compare') return c.fileA && c.fileB ? [c.fileA, c.fileB] : [];
  return [];
}

export class App {
  private readonly bridge = new HostBridge();
  private ui: UiState;
  private key: string;
  private content: PanelContent = { kind: 'empty' };
  private view: View | undefined;
  /** when the last `show` arrived, until the render it caused uses it */
  private receivedAt: number | undefined;
  private runId: number | undefined;

  private readonly tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Views' });
  private readonly exportBar = h('div', { class: 'exports', role: 'toolbar', 'aria-label': 'Export' });
  private readonly statusLine = h('p', { class: 'status', role: 'status', 'data-testid': 'status' });
  private readonly progressLabel = h('span', { class: 'progress-label' });
  private readonly progressBar = h('progress', { max: 1, 'aria-label': 'Run progress' });
  private readonly progress = h('div', { class: 'progress', hidden: true, 'data-testid': 'progress' }, this.progressLabel, this.progressBar,
    button('Cancel', () => this.cancelRun(), { 'data-testid': 'cancel-run' }));
  /** the shard rows of a study on Slurm: shown while it runs, and with its outcome after */
  private readonly slurm = slurmBox();
  private readonly body = h('div', { class: 'view' });
  private readonly backButton = button('◀', () => this.bridge.post({ type: 'navigate', direction: 'back' }),
    { 'data-testid': 'history-back', title: 'Back: what the panel showed before', 'aria-label': 'Back', disabled: true });
  private readonly forwardButton = button('▶', () => this.bridge.post({ type: 'navigate', direction: 'forward' }),
    { 'data-testid': 'history-forward', title: 'Forward', 'aria-label': 'Forward', disabled: true });

  constructor(private readonly root: HTMLElement) {
    const saved = this.bridge.saved();
    this.ui = restoreUi(saved.ui);
    this.key = typeof saved.key === 'string' ? saved.key : '';
    const history = h('div', { class: 'history', role: 'toolbar', 'aria-label': 'History' }, this.backButton, this.forwardButton);
    root.append(h('header', { class: 'bar' }, history, this.tabs, this.exportBar), this.progress, this.slurm.element, this.statusLine, this.body);
    applyChartTheme();
    // VS Code swaps the theme on <body>; charts read colours when drawn, so redraw, but only when the
    // theme really changed (other class changes must not reset the view)
    const themeOf = () => `${document.body.className.split(/\s+/).filter((c) => c.startsWith('vscode-')).sort().join(' ')}|${document.body.dataset.vscodeThemeId ?? ''}`;
    let theme = themeOf();
    new MutationObserver(() => {
      if (themeOf() === theme) return;
      theme = themeOf();
      applyChartTheme();
      this.render();
    }).observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-id'] });
  }

  get host(): HostBridge {
    return this.bridge;
  }

  receive(message: ToWebviewMessage, receivedAt: number): void {
    switch (message.type) {
      case 'show':
        this.receivedAt = receivedAt;
        this.show(message.content);
        return;
      case 'runStarted':
        this.runId = message.runId;
        this.progress.hidden = false;
        this.progressLabel.textContent = message.label;
        this.progressBar.removeAttribute('value');
        this.slurm.clear();
        return;
      case 'progress':
        if (message.runId !== this.runId) return;
        this.progressLabel.textContent = message.message;
        if (message.fraction === undefined) this.progressBar.removeAttribute('value');
        else this.progressBar.value = message.fraction;
        if (message.slurm) this.slurm.show(message.slurm);
        return;
      case 'runEnded':
        if (message.runId !== this.runId) return;
        this.runId = undefined;
        this.progress.hidden = true;
        if (message.outcome !== undefined) this.slurm.end(message.outcome);
        return;
      case 'reply':
        if (!this.bridge.settle(message)) this.bridge.log('warn', `reply to unknown request ${message.requestId}`);
        return;
      case 'intervention':
        if (!this.bridge.acceptIntervention(message)) this.bridge.log('warn', `intervention result for unknown request ${message.requestId}`);
        return;
      case 'history':
        this.backButton.disabled = !message.canBack;
        this.forwardButton.disabled = !message.canForward;
        return;
      case 'protocolError':
        this.setStatus(message.message, true);
        document.body.dataset.protocolError = message.message;
        return;
    }
  }

  private show(content: PanelContent): void {
    const key = contentKey(content);
    if (key !== this.key) this.ui = { ...this.ui, step: 0 };
    this.key = key;
    this.content = content;
    // whatever an earlier export or open said, the line now names what is shown
    this.setStatus(shownStatus(filesOf(content)));
    const tabs = tabsOf(content);
    if (!tabs.includes(this.ui.tab) && tabs.length) this.ui = { ...this.ui, tab: tabs[0] };
    this.persist();
    this.render();
  }

  private persist(): void {
    this.bridge.save({ files: filesOf(this.content), ui: this.ui, key: this.key });
  }

  private setUi(patch: Partial<UiState>): void {
    this.ui = { ...this.ui, ...patch };
    this.persist();
  }

  private setStatus(text: string, error = false): void {
    this.statusLine.textContent = text;
    this.statusLine.classList.toggle('error', error);
  }

  private cancelRun(): void {
    if (this.runId === undefined) return;
    this.bridge.post({ type: 'cancelRun', runId: this.runId });
    this.progressLabel.textContent = 'cancelling…';
  }

  private createView(tab: Tab, ctx: ViewContext): View | undefined {
    const c = this.content;
    if (c.kind === 'trace') {
      if (tab === 'trace') return createTraceView(c.trace, ctx);
      if (tab === 'attention') return createAttentionView(c.trace, ctx);
      if (tab === 'lens') return createLensView(c.trace, ctx);
      return createConvergenceView({ kind: 'trace', traces: [c.trace] }, ctx);
    }
    if (c.kind === 'compare') return tab === 'comparison' ? createCompareView(c.a, c.b, ctx) : createConvergenceView({ kind: 'trace', traces: [c.a, c.b] }, ctx);
    if (c.kind === 'report') {
      if (c.report.kind === 'stats') return createStatsView(c.report, ctx);
      if (c.report.kind === 'probing') return createProbingView(c.report, ctx);
      return createConvergenceView({ kind: 'steps', report: c.report }, ctx);
    }
    return undefined;
  }

  private render(): void {
    this.view?.dispose();
    this.view = undefined;
    const tabs = tabsOf(this.content);
    this.tabs.replaceChildren(...tabs.map((t) => {
      const b = button(TAB_LABELS[t], () => {
        this.setUi({ tab: t });
        this.render();
      }, { role: 'tab', 'aria-selected': String(t === this.ui.tab), 'data-tab': t, tabindex: t === this.ui.tab ? 0 : -1 });
      b.addEventListener('keydown', (ev) => {
        const i = tabs.indexOf(t);
        const next = ev.key === 'ArrowRight' ? tabs[(i + 1) % tabs.length] : ev.key === 'ArrowLeft' ? tabs[(i - 1 + tabs.length) % tabs.length] : undefined;
        if (!next) return;
        this.setUi({ tab: next });
        this.render();
        (this.tabs.querySelector(`[data-tab="${next}"]`) as HTMLElement | null)?.focus();
      });
      return b;
    }));
    document.body.dataset.content = contentKind(this.content);
    document.body.dataset.tab = tabs.length ? this.ui.tab : '';
    if (this.content.kind === 'empty') {
      this.exportBar.replaceChildren();
      this.body.replaceChildren(h('div', { class: 'empty' },
        h('h2', {}, 'Latent Trace'),
        h('p', {}, 'Run “Latent Trace: Run LaRe on Image” on an image, or open a trace (*.ltrace.json) or report (*.report.json).'),
        button('Open a trace or report…', () => void this.bridge.openFile('show').then((r) => this.setStatus(r.message, !r.ok)), { 'data-testid': 'open-file' })));
      return;
    }
    const ctx: ViewContext = {
      bridge: this.bridge,
      ui: this.ui,
      setUi: (patch) => {
        this.setUi(patch);
        ctx.ui = this.ui;
      },
      status: (text, error = false) => this.setStatus(text, error),
      receivedAt: this.receivedAt ?? performance.now(),
    };
    this.receivedAt = undefined;
    const t0 = performance.now();
    try {
      this.view = this.createView(this.ui.tab, ctx);
    } catch (err) {
      this.setStatus(`cannot show this ${contentKind(this.content)}: ${(err as Error).message}`, true);
      this.bridge.log('error', `rendering ${this.ui.tab} failed: ${(err as Error).stack ?? err}`);
      this.body.replaceChildren();
      return;
    }
    if (!this.view) return;
    this.body.replaceChildren(this.view.element);
    this.bridge.perf('view-render', performance.now() - t0, `${this.ui.tab} view of ${contentKind(this.content)}`);
    const exports = this.view.exports;
    const status = (text: string) => this.setStatus(text);
    this.exportBar.replaceChildren(
      ...(exports.png ? [button('PNG', () => void sendExport(this.bridge, status, 'png', `${exports.name}.png`, exports.png!), { 'data-export': 'png', title: 'Export PNG' })] : []),
      ...(exports.svg ? [button('SVG', () => void sendExport(this.bridge, status, 'svg', `${exports.name}.svg`, exports.svg!), { 'data-export': 'svg', title: 'Export SVG' })] : []),
      button('CSV', () => void sendExport(this.bridge, status, 'csv', `${exports.name}.csv`, exports.csv), { 'data-export': 'csv', title: 'Export CSV' }),
    );
  }
}
