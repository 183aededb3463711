/**
 * A read-only custom editor for `*.ltrace.json` traces and `*.report.json` reports: the panel app
 * inside an editor tab, reading the file through VS Code's file system and re-reading it on change.
 */
import * as vscode from 'vscode';
import { WebviewSession, type SessionHooks } from './webview-session';
import { readResult } from './result-files';

export const TRACE_EDITOR_VIEW_TYPE = 'latentTrace.traceEditor';

export class TraceEditorProvider implements vscode.CustomReadonlyEditorProvider {
  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    private readonly hooks: SessionHooks,
  ) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  async resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): Promise<void> {
    const session = new WebviewSession(panel, this.extensionUri, this.log, 'editor', this.hooks);
    const load = async () => {
      try {
        session.show(await readResult(document.uri));
      } catch (err) {
        this.log.error(`[editor] ${(err as Error).message}`);
        session.post({ type: 'protocolError', message: (err as Error).message });
      }
    };
    const watcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.joinPath(document.uri, '..'), document.uri.path.split('/').pop() ?? ''));
    panel.onDidDispose(() => {
      session.dispose();
      watcher.dispose();
    });
    watcher.onDidChange(() => void load());
    watcher.onDidCreate(() => void load());
    await load();
  }
}
