/**
 * The "Latent Trace" view container's Traces and Reports trees over the results folder's index
 * (library.ts): a click opens the entry in the panel; Reveal, Delete and Compare act on one entry.
 */
import * as vscode from 'vscode';
import { rm } from 'node:fs/promises';
import * as path from 'node:path';
import { describeEntry, readLibrary, type LibraryEntry } from './library';
import { TRACE_EDITOR_VIEW_TYPE } from './panel/trace-editor';

export class LibraryItem extends vscode.TreeItem {
  constructor(readonly entry: LibraryEntry) {
    const words = describeEntry(entry);
    super(words.label, vscode.TreeItemCollapsibleState.None);
    this.description = words.description;
    this.tooltip = words.tooltip;
    this.resourceUri = vscode.Uri.file(entry.file);
    this.contextValue = `latentTrace.${entry.kind}`;
    this.iconPath = new vscode.ThemeIcon(entry.kind === 'trace' ? 'eye' : 'graph');
    // a trace opens in the panel (with its history), a report in a tab of its own
    this.command = entry.kind === 'trace'
      ? { command: 'latentTrace.openTrace', title: 'Open', arguments: [vscode.Uri.file(entry.file)] }
      : { command: 'vscode.openWith', title: 'Open', arguments: [vscode.Uri.file(entry.file), TRACE_EDITOR_VIEW_TYPE, { preview: false }] };
  }
}

class LibraryTree implements vscode.TreeDataProvider<LibraryItem> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly kind: LibraryEntry['kind'], private readonly resultsDir: () => string) {}

  refresh(): void {
    this.changed.fire();
  }

  getTreeItem(item: LibraryItem): LibraryItem {
    return item;
  }

  getChildren(): LibraryItem[] {
    return readLibrary(this.resultsDir(), this.kind).map((e) => new LibraryItem(e));
  }
}

export interface Library {
  refresh(): void;
  entries(kind: LibraryEntry['kind']): LibraryEntry[];
}

/** registers both trees and their item actions (Compare on traces: `compareTraces` shows two side by side) */
export function registerLibrary(context: vscode.ExtensionContext, resultsDir: () => string, compareTraces: (a: vscode.Uri, b: vscode.Uri) => Promise<void>): Library {
  const traces = new LibraryTree('trace', resultsDir);
  const reports = new LibraryTree('report', resultsDir);
  const refresh = () => {
    traces.refresh();
    reports.refresh();
  };
  const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(resultsDir()), 'index.jsonl'));
  context.subscriptions.push(
    watcher,
    watcher.onDidChange(refresh),
    watcher.onDidCreate(refresh),
    vscode.window.registerTreeDataProvider('latentTrace.traces', traces),
    vscode.window.registerTreeDataProvider('latentTrace.reports', reports),
    vscode.commands.registerCommand('latentTrace.library.refresh', refresh),
    vscode.commands.registerCommand('latentTrace.library.reveal', (item: LibraryItem) => vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(item.entry.file))),
    vscode.commands.registerCommand('latentTrace.library.delete', async (item: LibraryItem) => {
      // a report's folder holds its per-item results too: deleting the report deletes the study
      const target = item.entry.kind === 'trace' ? item.entry.file : path.dirname(item.entry.file);
      const what = item.entry.kind === 'trace' ? `the trace ${path.basename(target)}` : `the study folder ${path.basename(target)} (report and per-item results)`;
      const ok = await vscode.window.showWarningMessage(`Delete ${what}?`, { modal: true }, 'Delete');
      if (ok !== 'Delete') return;
      await rm(target, { recursive: true, force: true });
      refresh();
    }),
    vscode.commands.registerCommand('latentTrace.library.compare', async (item: LibraryItem) => {
      const others = readLibrary(resultsDir(), 'trace').filter((e) => e.file !== item.entry.file);
      if (others.length === 0) return void vscode.window.showInformationMessage('Latent Trace: there is no other trace to compare with');
      const pick = await vscode.window.showQuickPick(others.map((e) => ({ ...describeEntry(e), entry: e })), { title: `Compare ${describeEntry(item.entry).label} with…`, matchOnDescription: true });
      if (pick) await compareTraces(vscode.Uri.file(item.entry.file), vscode.Uri.file(pick.entry.file));
    }),
  );
  return { refresh, entries: (kind) => readLibrary(resultsDir(), kind) };
}
