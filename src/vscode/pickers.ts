import * as vscode from 'vscode';
import * as path from 'node:path';
import { readdir } from 'node:fs/promises';
import { isBroken, type BrokenModel, type ModelCatalog, type ModelEntry } from './models';
import { classifyModel, type ModelLocation } from './modelLocation';
import { isStudyOutput } from './results';
import { roleLabel } from '../studies/pairing';
import { modelDescription, modelSize } from './modelSummary';

/** what sharp's bundled build decodes (it has no BMP decoder, so BMP is not offered) */
export const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'webp', 'gif', 'tif', 'tiff'];

export function isImageFile(file: string): boolean {
  return IMAGE_EXTENSIONS.includes(path.extname(file).slice(1).toLowerCase());
}

export async function pickImage(): Promise<vscode.Uri | undefined> {
  const chosen = await vscode.window.showOpenDialog({
    title: 'Latent Trace: choose an image',
    canSelectMany: false,
    filters: { Images: IMAGE_EXTENSIONS },
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return chosen?.[0];
}

export async function pickFiles(title: string, filters: Record<string, string[]>, many: boolean): Promise<vscode.Uri[] | undefined> {
  return vscode.window.showOpenDialog({ title, canSelectMany: many, filters, defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri });
}

interface DatasetItem extends vscode.QuickPickItem {
  file?: string;
}

/** Quick pick over the bundled sample datasets, then the workspace's `*.jsonl` and `*.parquet` files. */
/** the user's datasets: bundled samples and the workspace's JSONL/Parquet files, never what the studies wrote under `resultsDir` */
export async function pickDataset(extensionPath: string, title: string, resultsDir: string): Promise<string | undefined> {
  const samplesDir = path.join(extensionPath, 'media', 'samples');
  const samples = (await readdir(samplesDir).catch(() => [] as string[]))
    .filter((f) => /\.(jsonl|parquet)$/i.test(f)).sort()
    .map((f): DatasetItem => ({ label: `$(beaker) ${f}`, description: 'bundled sample', file: path.join(samplesDir, f) }));
  const found = await vscode.workspace.findFiles('**/*.{jsonl,parquet}', '{**/node_modules/**,**/.e2e/**}', 500);
  const workspace = found
    .map((u) => u.fsPath).filter((file) => !isStudyOutput(file, resultsDir)).sort()
    .map((file): DatasetItem => ({ label: `$(database) ${path.basename(file)}`, description: vscode.workspace.asRelativePath(file), file }));
  const items: DatasetItem[] = [];
  if (samples.length) items.push({ label: 'Bundled', kind: vscode.QuickPickItemKind.Separator }, ...samples);
  if (workspace.length) items.push({ label: 'Workspace', kind: vscode.QuickPickItemKind.Separator }, ...workspace);
  const chosen = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: items.length ? 'Choose a dataset (JSONL or Parquet)' : 'No *.jsonl or *.parquet dataset found in the workspace',
    matchOnDescription: true,
  });
  return chosen?.file;
}

interface ModelItem extends vscode.QuickPickItem {
  location?: ModelLocation;
  browse?: true;
  none?: true;
}

export interface ModelPickOptions {
  /** marked "(active)" */
  activeDir?: string;
  /** offers a first item that chooses no model, e.g. "No ablation" */
  noneLabel?: string;
  /** picked first when nothing else is chosen, e.g. the bundled baseline */
  preferred?: (model: ModelEntry) => boolean;
}

function modelItem(model: ModelEntry | BrokenModel, trusted: boolean): ModelItem {
  if (isBroken(model)) {
    return { label: `$(warning) ${path.basename(model.dir)}`, description: 'invalid bundle', detail: model.error, location: model };
  }
  const restricted = !trusted && model.source !== 'bundled';
  return {
    label: `${restricted ? '$(shield) ' : ''}${model.manifest.name}`,
    description: `${modelDescription(model.manifest)}${roleLabel(model.manifest) ? ` — ${roleLabel(model.manifest)}` : ''}${restricted ? ' — blocked in Restricted Mode' : ''}`,
    detail: `${model.source === 'bundled' ? 'bundled with Latent Trace' : vscode.workspace.asRelativePath(model.dir)} — ${modelSize(model.manifest)}`,
    location: model,
  };
}

/**
 * Quick pick over the bundled models first, then the workspace's bundles, then "Browse…".
 * Returns the chosen folder (not yet validated or trust-checked), 'none' for the none item, or
 * undefined when dismissed.
 */
export async function pickModel(catalog: ModelCatalog, title: string, options: ModelPickOptions = {}): Promise<ModelLocation | 'none' | undefined> {
  const trusted = vscode.workspace.isTrusted;
  const pick = vscode.window.createQuickPick<ModelItem>();
  pick.title = title;
  pick.placeholder = 'Loading model bundles…';
  pick.busy = true;
  pick.matchOnDescription = true;
  pick.matchOnDetail = true;
  const chosen = new Promise<ModelItem | undefined>((resolve) => {
    pick.onDidAccept(() => {
      resolve(pick.selectedItems[0]);
      pick.hide();
    });
    pick.onDidHide(() => resolve(undefined));
  });
  pick.show();
  const [bundled, workspace] = await Promise.all([catalog.bundled(), catalog.workspace()]);
  const mark = (item: ModelItem): ModelItem => (item.location?.dir === options.activeDir ? { ...item, description: `${item.description ?? ''} (active)` } : item);
  const items: ModelItem[] = options.noneLabel ? [{ label: `$(circle-slash) ${options.noneLabel}`, none: true }] : [];
  items.push({ label: 'Bundled', kind: vscode.QuickPickItemKind.Separator }, ...bundled.map((m) => mark(modelItem(m, trusted))));
  if (workspace.length) items.push({ label: 'Workspace', kind: vscode.QuickPickItemKind.Separator }, ...workspace.map((m) => mark(modelItem(m, trusted))));
  items.push({ label: '', kind: vscode.QuickPickItemKind.Separator }, { label: '$(folder-opened) Browse for a bundle folder…', browse: true });
  pick.items = items;
  const preferred = options.preferred;
  const first = preferred && [...bundled, ...workspace].find((m) => !isBroken(m) && preferred(m));
  const active = first && items.find((i) => i.location?.dir === first.dir);
  if (active) pick.activeItems = [active];
  pick.busy = false;
  pick.placeholder = 'Choose the model bundle to run';
  const item = await chosen;
  pick.dispose();
  if (item?.none) return 'none';
  if (!item?.browse) return item?.location;
  const folder = await vscode.window.showOpenDialog({ title: 'Latent Trace: choose a model bundle folder', canSelectFolders: true, canSelectFiles: false });
  if (!folder?.[0]) return undefined;
  const dir = folder[0].fsPath;
  return { dir, source: classifyModel(dir, catalog.bundledRoot, catalog.workspaceRoots()) };
}
