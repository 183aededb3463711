import * as path from 'node:path';

/**
 * The results folder: `latentTrace.resultsFolder` resolved against the first workspace folder, or
 * under the extension's storage when no folder is open.
 */
export function resultsFolder(setting: string, workspaceRoots: readonly string[], storageDir: string): string {
  if (path.isAbsolute(setting)) return setting;
  return path.resolve(workspaceRoots[0] ?? storageDir, setting);
}

/** A file name safe on every OS, built from a label such as an image name or a report kind. */
export function resultFileName(label: string, suffix: string, now = new Date()): string {
  const stem = label.replace(/\.[^.]+$/, '').replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'result';
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stem}-${stamp}${suffix}`;
}
