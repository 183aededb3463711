/**
 * A study's progress events as the notification's and panel's words, and where a study keeps its
 * files. No vscode import: unit-tested in plain Node.
 */
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import type { StudyKind, StudyProgress } from '../studies';

/** "probing experiment, lare: item 15 of 300 (120 already done)" / "probing experiment: fitting probes, 4 of 8 (…)" */
export function progressMessage(e: StudyProgress): string {
  if (e.phase === 'items') {
    const resumed = e.resumed > 0 ? ` (${e.resumed} already done)` : '';
    return `${e.label}, ${e.model ?? 'model'}: item ${e.item} of ${e.of}${resumed}`;
  }
  if (e.phase === 'fitting probes') return `${e.label}: fitting probes${e.of > 0 ? `, ${e.item} of ${e.of}` : ''}${e.detail ? ` (${e.detail})` : ''}`;
  return `${e.label}: writing the report`;
}

const stemOf = (name: string) => name.replace(/\.(jsonl|parquet)$/i, '').replace(/[^\w.-]+/g, '-');

/**
 * A folder per study, models, dataset and configuration, named so that a person can tell them apart
 * (`probe-lare+lare-no-extractor-samples-<hash>`); rerunning the same study resumes it after a cancel or crash.
 */
export function studyFolder(results: string, study: StudyKind, models: readonly string[], dataset: string, config: unknown): string {
  const hash = createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 10);
  return path.join(results, 'reports', `${study}-${models.map(stemOf).join('+')}-${stemOf(path.basename(dataset))}-${hash}`);
}
