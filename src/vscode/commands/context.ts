import type * as vscode from 'vscode';
import type { EngineHost } from '../engineHost';
import type { Library } from '../libraryView';
import type { ModelCatalog } from '../models';
import type { PanelHost } from '../panel';

/** Everything a command handler uses; built once in extension.ts. */
export interface CommandContext {
  extension: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  catalog: ModelCatalog;
  engines: EngineHost;
  panel: PanelHost;
  /** the Traces and Reports trees */
  library: Library;
  /** re-reads the active model into the status bar */
  refreshStatus(): Promise<void>;
}
