/**
 * The Latent Trace panel: one webview panel at a time (createOrShow / revive), restored after a
 * window reload by the serializer from the file its webview state names.
 */
import * as vscode from 'vscode';
import type { PanelContent } from '../../shared/protocol';
import type { Report } from '../../shared/reports';
import { WebviewSession, type SessionHooks } from './webview-session';

export const PANEL_VIEW_TYPE = 'latentTrace.panel';

const REPORT_TITLES: Record<Report['kind'], string> = { stats: 'Attention statistics', probing: 'Probing', steps: 'Adaptive stopping' };

export function titleOf(content: PanelContent): string {
  switch (content.kind) {
    case 'empty': return 'Latent Trace';
    case 'trace': return `Latent Trace · ${content.trace.input.imageName}`;
    case 'report': return `Latent Trace · ${REPORT_TITLES[content.report.kind]}`;
    case 'compare': return `Latent Trace · ${content.a.model.name} vs ${content.b.model.name}`;
  }
}

export class LatentTracePanel implements vscode.Disposable {
  private static current: LatentTracePanel | undefined;
  private readonly session: WebviewSession;
  private readonly disposables: vscode.Disposable[] = [];

  /** Reveals the panel (creating it if needed) without taking focus from the editor. */
  static createOrShow(extensionUri: vscode.Uri, log: vscode.LogOutputChannel, hooks: SessionHooks): LatentTracePanel {
    const existing = LatentTracePanel.current;
    if (existing) {
      existing.panel.reveal(undefined, true);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      'Latent Trace',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true },
    );
    return new LatentTracePanel(panel, extensionUri, log, hooks);
  }

  /** Adopts a panel VS Code restored after a reload. */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, log: vscode.LogOutputChannel, hooks: SessionHooks): LatentTracePanel {
    LatentTracePanel.current?.dispose();
    return new LatentTracePanel(panel, extensionUri, log, hooks);
  }

  static get instance(): LatentTracePanel | undefined {
    return LatentTracePanel.current;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    log: vscode.LogOutputChannel,
    hooks: SessionHooks,
  ) {
    LatentTracePanel.current = this;
    this.session = new WebviewSession(panel, extensionUri, log, 'panel', hooks, (content) => (panel.title = titleOf(content)));
    this.disposables.push(this.session, panel.onDidDispose(() => this.dispose()));
  }

  get webviewSession(): WebviewSession {
    return this.session;
  }

  show(content: PanelContent): void {
    this.session.show(content);
  }

  dispose(): void {
    if (LatentTracePanel.current === this) LatentTracePanel.current = undefined;
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
