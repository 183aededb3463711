import { closeSync, openSync, readSync } from 'node:fs';
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

/**
 * A dataset file the studies wrote themselves (per-item results, merged shards) rather than one of
 * the user's: anything under the results folder, and any JSONL file whose first line is a results
 * header (a study run from the CLI into another folder).
 */
export function isStudyOutput(file: string, resultsDir: string): boolean {
  const rel = path.relative(resultsDir, file);
  if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return true;
  if (!/\.jsonl$/i.test(file)) return false;
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const head = Buffer.alloc(96);
    const n = readSync(fd, head, 0, head.length, 0);
    return /^\{"format":"latent-trace\/results"/.test(head.subarray(0, n).toString('utf8'));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
