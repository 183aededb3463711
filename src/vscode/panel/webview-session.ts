/**
 * One webview running the panel app (the singleton panel or a custom editor): validates every message
 * it receives, replays the content and any running progress on `ready`, saves exports and logs timings.
 */
import * as vscode from 'vscode';
import {
  assertFromWebviewMessage, ProtocolError, type FromWebviewMessage, type PanelContent, type PanelIntervention, type ToWebviewMessage, type AttentionSourceRequest, type SlurmRows,
} from '../../shared/protocol';
import type { InterventionResult, Trace } from '../../shared/trace';
import type { Report } from '../../shared/reports';
import { panelHtml, webviewOptions } from './html';
import { saveExport } from './export-file';
import { readResult, readTrace } from './result-files';
import { PanelHistory } from './history';
import { ReadyWatchdog } from './ready-watchdog';

/** the files a content came from, as the panel's history records them */
function filesOf(content: PanelContent): string[] {
  if (content.kind === 'trace' || content.kind === 'report') return content.file ? [content.file] : [];
  if (content.kind === 'compare') return content.fileA && content.fileB ? [content.fileA, content.fileB] : [];
  return [];
}

/** A long run mirrored into the panel; the panel's cancel button aborts `controller`. */
export interface ActiveRun {
  runId: number;
  label: string;
  message: string;
  fraction?: number;
  /** a Slurm study's shard rows */
  slurm?: SlurmRows;
  controller: AbortController;
}

/** What the panel asks of the rest of the extension (runs need the model host the commands own). */
export interface PanelActions {
  /** runs an intervention on the shown trace */
  intervene(trace: Trace, file: string | undefined, request: PanelIntervention): Promise<InterventionResult>;
  /** re-runs a trace recording per-head attention for more sources and shows it; returns what the status line says */
  recordAttention(trace: Trace, file: string | undefined, sources: AttentionSourceRequest[]): Promise<string>;
  /** opens the trace of a report item, re-running it if needed; returns what the status line says */
  openItem(report: Report, file: string | undefined, itemId: string): Promise<string>;
}

export interface SessionHooks {
  /** the run with this id, if it is still going (for `cancelRun` and replay on `ready`) */
  activeRun(): ActiveRun | undefined;
  /** bound once the commands exist; undefined before */
  actions(): PanelActions | undefined;
}

/** Says where an export went, with Reveal: in the Explorer for a workspace file, else in the OS file manager. */
async function revealToast(saved: vscode.Uri): Promise<void> {
  const name = saved.path.split('/').pop() ?? saved.fsPath;
  const choice = await vscode.window.showInformationMessage(`Latent Trace: exported ${name} to ${saved.fsPath}`, 'Reveal');
  if (choice !== 'Reveal') return;
  const inWorkspace = vscode.workspace.getWorkspaceFolder(saved) !== undefined;
  await vscode.commands.executeCommand(inWorkspace ? 'revealInExplorer' : 'revealFileInOS', saved);
}

export class WebviewSession implements vscode.Disposable {
  private content: PanelContent = { kind: 'empty' };
  private ready = false;
  private readonly history = new PanelHistory();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly webview: vscode.Webview;
  private readonly watchdog: ReadyWatchdog;

  constructor(
    panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    private readonly tag: string,
    private readonly hooks: SessionHooks,
    private readonly onDidShow: (content: PanelContent) => void = () => undefined,
  ) {
    this.webview = panel.webview;
    this.webview.options = webviewOptions(extensionUri);
    this.disposables.push(this.webview.onDidReceiveMessage((m: unknown) => void this.receive(m)));
    this.watchdog = new ReadyWatchdog({
      reload: () => this.loadApp(),
      visible: () => panel.visible,
      warn: (m) => this.log.warn(`[${tag}] ${m}`),
      error: (m) => this.log.error(`[${tag}] ${m}`),
    });
    this.loadApp();
    this.watchdog.loading();
  }

  /** a new nonce each time, so VS Code takes the HTML as new and reloads the frame */
  private loadApp(): void {
    this.webview.html = panelHtml(this.webview, this.extensionUri);
  }

  get current(): PanelContent {
    return this.content;
  }

  /** Shows new content now if the app is listening, else on its `ready`. */
  show(content: PanelContent): void {
    this.history.push(filesOf(content));
    this.display(content);
  }

  private display(content: PanelContent): void {
    this.content = content;
    this.onDidShow(content);
    if (this.ready) {
      this.post({ type: 'show', content });
      this.post({ type: 'history', ...this.history.state });
    }
  }

  /** re-reads the files of a history entry */
  private async navigate(direction: 'back' | 'forward'): Promise<void> {
    const files = direction === 'back' ? this.history.back() : this.history.forward();
    if (!files) return;
    const uris = files.map((f) => vscode.Uri.parse(f));
    if (uris.length === 2) {
      const [a, b] = await Promise.all(uris.map((u) => readTrace(u)));
      this.display({ kind: 'compare', a, b, fileA: files[0], fileB: files[1] });
    } else {
      this.display(await readResult(uris[0]));
    }
    this.log.info(`[${this.tag}] ${direction} to ${uris.map((u) => u.fsPath).join(' and ')}`);
  }

  post(message: ToWebviewMessage): void {
    void this.webview.postMessage(message).then(undefined, (err: unknown) =>
      this.log.warn(`[${this.tag}] could not post ${message.type}: ${(err as Error).message}`));
  }

  private async receive(raw: unknown): Promise<void> {
    let message: FromWebviewMessage;
    try {
      message = assertFromWebviewMessage(raw);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      this.log.warn(`[${this.tag}] rejected a malformed message from the webview: ${err.message}`);
      this.post({ type: 'protocolError', message: `rejected a malformed message (${err.message})` });
      return;
    }
    try {
      await this.handle(message);
    } catch (err) {
      this.log.error(`[${this.tag}] ${message.type} failed: ${(err as Error).message}`);
      if ('requestId' in message) this.post({ type: 'reply', requestId: message.requestId, ok: false, message: (err as Error).message });
    }
  }

  private async handle(message: FromWebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready': {
        this.ready = true;
        this.watchdog.started();
        this.post({ type: 'show', content: this.content });
        this.post({ type: 'history', ...this.history.state });
        const run = this.hooks.activeRun();
        if (run) {
          this.post({ type: 'runStarted', runId: run.runId, label: run.label });
          this.post({ type: 'progress', runId: run.runId, message: run.message, fraction: run.fraction, ...(run.slurm ? { slurm: run.slurm } : {}) });
        }
        return;
      }
      case 'export': {
        const near = 'file' in this.content && this.content.file ? vscode.Uri.parse(this.content.file) : undefined;
        const saved = await saveExport(message.format, message.suggestedName, message.bytes, near);
        if (saved) {
          this.log.info(`[${this.tag}] exported ${message.format} (${message.bytes.length} bytes) to ${saved.fsPath}`);
          void revealToast(saved);
        }
        this.post({ type: 'reply', requestId: message.requestId, ok: saved !== undefined, message: saved ? `saved ${saved.fsPath}` : 'cancelled' });
        return;
      }
      case 'openFile': {
        const compare = message.purpose === 'compare';
        const picked = await vscode.window.showOpenDialog({
          title: compare ? 'Latent Trace: choose a trace to compare with' : 'Latent Trace: open a trace or report',
          canSelectMany: false,
          filters: { 'Latent Trace results': ['json'] },
        });
        if (!picked?.[0]) {
          this.post({ type: 'reply', requestId: message.requestId, ok: false, message: 'cancelled' });
          return;
        }
        const current = this.content;
        if (compare && current.kind === 'trace') {
          this.show({ kind: 'compare', a: current.trace, b: await readTrace(picked[0]), fileA: current.file, fileB: picked[0].toString() });
        } else {
          this.show(await readResult(picked[0]));
        }
        this.post({ type: 'reply', requestId: message.requestId, ok: true, message: `opened ${picked[0].fsPath}` });
        return;
      }
      case 'cancelRun': {
        const run = this.hooks.activeRun();
        if (run?.runId === message.runId) {
          this.log.info(`[${this.tag}] run ${run.runId} (${run.label}) cancelled from the panel`);
          run.controller.abort(new Error('cancelled from the panel'));
        }
        return;
      }
      case 'intervene': {
        const shown = this.content;
        if (shown.kind !== 'trace') throw new Error('an intervention needs a single trace in the panel');
        const actions = this.hooks.actions();
        if (!actions) throw new Error('the extension is still starting; try again in a moment');
        const result = await actions.intervene(shown.trace, shown.file, message.intervention);
        this.post({ type: 'intervention', requestId: message.requestId, result });
        const same = result.answer.text === result.baseline.text;
        this.post({ type: 'reply', requestId: message.requestId, ok: true,
          message: `step ${message.intervention.step} (${message.intervention.kind}): answer "${result.baseline.text}" → "${result.answer.text}"${same ? ' (unchanged)' : ''}, Δ log p ${result.logProbChange.toFixed(3)}` });
        return;
      }
      case 'recordAttention': {
        const shown = this.content;
        if (shown.kind !== 'trace') throw new Error('recording attention needs a single trace in the panel');
        const actions = this.hooks.actions();
        if (!actions) throw new Error('the extension is still starting; try again in a moment');
        this.post({ type: 'reply', requestId: message.requestId, ok: true, message: await actions.recordAttention(shown.trace, shown.file, message.sources) });
        return;
      }
      case 'openItem': {
        const shown = this.content;
        if (shown.kind !== 'report') throw new Error('items belong to a report; show a report first');
        const actions = this.hooks.actions();
        if (!actions) throw new Error('the extension is still starting; try again in a moment');
        this.post({ type: 'reply', requestId: message.requestId, ok: true, message: await actions.openItem(shown.report, shown.file, message.itemId) });
        return;
      }
      case 'navigate':
        await this.navigate(message.direction);
        return;
      case 'perf':
        this.log.info(`[${this.tag}] [perf] ${message.metric} ${message.ms.toFixed(2)} ms ${message.detail}`);
        return;
      case 'log':
        this.log[message.level](`[${this.tag}] [webview] ${message.message}`);
        return;
    }
  }

  dispose(): void {
    this.watchdog.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
