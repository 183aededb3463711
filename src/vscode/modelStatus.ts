import * as vscode from 'vscode';
import * as path from 'node:path';
import type { EngineHost } from './engineHost';
import { errorMessage } from './errors';
import type { ModelCatalog } from './models';
import { readSettings } from './settings';
import type { ModelStatusBar } from './statusBar';

/** Re-reads the active model (setting or default bundled) into the status bar; never throws. */
export async function refreshModelStatus(catalog: ModelCatalog, engines: EngineHost, status: ModelStatusBar, log: vscode.LogOutputChannel): Promise<void> {
  try {
    const location = await catalog.resolve(readSettings().modelPath);
    let name = path.basename(location.dir);
    let method: string | undefined;
    try {
      const model = await catalog.load(location);
      name = model.manifest.name;
      method = model.manifest.method;
    } catch (err) {
      log.warn(`[models] ${errorMessage(err)}`);
    }
    status.show({ name, dir: location.dir, method }, engines.loadedDir() === location.dir, vscode.workspace.isTrusted);
  } catch (err) {
    log.warn(`[models] ${errorMessage(err)}`);
    status.show(undefined, false, vscode.workspace.isTrusted);
  }
}
