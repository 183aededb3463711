/**
 * What the extension has written, so that a person can find it again: one line per trace or report
 * in <results folder>/index.jsonl, with what the Traces and Reports trees show (model, question,
 * answer; study, models, dataset; time). No vscode import: unit-tested in plain Node.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface TraceEntry {
  kind: 'trace';
  file: string;
  model: string;
  image: string;
  question: string;
  answer: string;
  createdAt: string;
}

export interface ReportEntry {
  kind: 'report';
  file: string;
  /** e.g. "probing experiment" */
  study: string;
  models: string[];
  dataset: string;
  createdAt: string;
}

export type LibraryEntry = TraceEntry | ReportEntry;

export const indexFile = (resultsDir: string) => path.join(resultsDir, 'index.jsonl');

/**
 * Adds an entry. One append of one line: concurrent runs each add whole lines, and a reader drops a
 * torn or foreign line rather than failing.
 */
export function recordEntry(resultsDir: string, entry: LibraryEntry): void {
  mkdirSync(resultsDir, { recursive: true });
  appendFileSync(indexFile(resultsDir), `${JSON.stringify(entry)}\n`);
}

function isEntry(v: unknown): v is LibraryEntry {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  const strings = (...keys: string[]) => keys.every((k) => typeof e[k] === 'string');
  if (e.kind === 'trace') return strings('file', 'model', 'image', 'question', 'answer', 'createdAt');
  if (e.kind === 'report') return strings('file', 'study', 'dataset', 'createdAt') && Array.isArray(e.models) && e.models.every((m) => typeof m === 'string');
  return false;
}

/** the entries whose files still exist, one per file (the latest), newest first */
export function readLibrary(resultsDir: string, kind: LibraryEntry['kind']): LibraryEntry[] {
  const file = indexFile(resultsDir);
  if (!existsSync(file)) return [];
  const byFile = new Map<string, LibraryEntry>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue;
    }
    if (isEntry(parsed) && parsed.kind === kind) byFile.set(parsed.file, parsed);
  }
  return [...byFile.values()].filter((e) => existsSync(e.file)).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

const when = (iso: string) => iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');

/** the tree's words for an entry */
export function describeEntry(e: LibraryEntry): { label: string; description: string; tooltip: string } {
  if (e.kind === 'trace') {
    return {
      label: `${e.model}: ${e.question}`,
      description: `→ ${e.answer} · ${path.basename(e.image)} · ${when(e.createdAt)}`,
      tooltip: `${e.model} on ${e.image}\nQ: ${e.question}\nA: ${e.answer}\n${when(e.createdAt)}\n${e.file}`,
    };
  }
  return {
    label: `${e.study}: ${e.models.join(' vs ')}`,
    description: `${path.basename(e.dataset)} · ${when(e.createdAt)}`,
    tooltip: `${e.study}\nmodels: ${e.models.join(', ')}\ndataset: ${e.dataset}\n${when(e.createdAt)}\n${e.file}`,
  };
}
