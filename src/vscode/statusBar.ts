import * as vscode from 'vscode';
import * as path from 'node:path';

/** Shows the active model and whether its sessions are loaded; clicking it opens the model picker. */
export class ModelStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('latentTrace.model', vscode.StatusBarAlignment.Right, 100);

  constructor() {
    this.item.name = 'Latent Trace Model';
    this.item.command = 'latentTrace.selectModel';
  }

  show(model: { name: string; dir: string; method?: string } | undefined, loaded: boolean, trusted: boolean): void {
    if (!model) {
      this.item.text = '$(circuit-board) Latent Trace: no model';
      this.item.tooltip = 'No model bundle found. Click to select one.';
    } else {
      this.item.text = `$(circuit-board) ${model.name} ${loaded ? '$(pass-filled)' : '$(circle-large-outline)'}`;
      const md = new vscode.MarkdownString();
      md.appendMarkdown(`**Latent Trace model:** ${model.name}${model.method ? ` (${model.method})` : ''}\n\n`);
      md.appendMarkdown(`${loaded ? 'Loaded' : 'Not loaded yet: it loads on the first run'}\n\n`);
      md.appendText(path.normalize(model.dir));
      if (!trusted) md.appendMarkdown('\n\nRestricted Mode: only bundled models run.');
      md.appendMarkdown('\n\nClick to select another model.');
      this.item.tooltip = md;
    }
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
