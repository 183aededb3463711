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

const safe = (text: string, max: number) => text.replace(/[^\w.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '').slice(0, max).replace(/[-.]+$/, '');
const stampOf = (now: Date) => now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

/** A file name safe on every OS, built from a label such as an image name or a report kind. */
export function resultFileName(label: string, suffix: string, now = new Date()): string {
  return `${safe(label.replace(/\.[^.]+$/, ''), 60) || 'result'}-${stampOf(now)}${suffix}`;
}

/**
 * A trace's file name says which model answered which question about which image, so that a file
 * dialog tells LaRe from LVR and one question from another: `lare-shapes_0003_what-colour-is-the-square_<UTC>.ltrace.json`.
 */
export function traceFileName(model: string, imageName: string, question: string, now = new Date()): string {
  const parts = [safe(model, 40), safe(imageName.replace(/\.[^.]+$/, ''), 40), safe(question.toLowerCase(), 48)].filter(Boolean);
  return `${parts.join('_') || 'trace'}_${stampOf(now)}.ltrace.json`;
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
