/**
 * Saves bytes the webview rendered (PNG, SVG, CSV) where the user chooses, atomically:
 * a temporary file beside the target, then a rename over it, so a crash never leaves half a file.
 */
import * as vscode from 'vscode';
import type { ExportFormat } from '../../shared/protocol';

const FILTERS: Record<ExportFormat, Record<string, string[]>> = {
  png: { 'PNG image': ['png'] },
  svg: { 'SVG image': ['svg'] },
  csv: { 'CSV table': ['csv'] },
};

export async function writeFileAtomic(target: vscode.Uri, bytes: Uint8Array): Promise<void> {
  const temp = target.with({ path: `${target.path}.${process.pid}.${Date.now()}.tmp` });
  await vscode.workspace.fs.writeFile(temp, bytes);
  try {
    await vscode.workspace.fs.rename(temp, target, { overwrite: true });
  } catch (err) {
    await vscode.workspace.fs.delete(temp).then(undefined, () => undefined);
    throw err;
  }
}

/** Asks where to save and writes the file; returns the saved location, or undefined if the user cancelled. */
export async function saveExport(format: ExportFormat, suggestedName: string, bytes: Uint8Array, near?: vscode.Uri): Promise<vscode.Uri | undefined> {
  const folder = near ? vscode.Uri.joinPath(near, '..') : vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    title: `Latent Trace: export ${format.toUpperCase()}`,
    defaultUri: folder ? vscode.Uri.joinPath(folder, suggestedName) : undefined,
    filters: FILTERS[format],
  });
  if (!target) return undefined;
  await writeFileAtomic(target, bytes);
  return target;
}
