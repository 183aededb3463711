/**
 * Turns a study's model passes and probe fits into StudyProgress events: the passes share the first
 * 90 % of the bar, fitting probes the rest.
 */
import type { TaskProgress } from './task';
import { STUDY_LABELS, type StudyKind, type StudyProgress } from './types';

const ITEMS_SHARE = 0.9;

export interface ProgressReporter {
  /** the task progress of model pass `pass` (0-based) */
  items(pass: number): (p: TaskProgress) => void;
  fitting(cell: number, cells: number, detail: string): void;
  report(): void;
}

export function progressReporter(study: StudyKind, passes: number, emit: ((e: StudyProgress) => void) | undefined): ProgressReporter {
  const label = STUDY_LABELS[study];
  const base = { study, label, passes };
  const itemsShare = study === 'probe' ? ITEMS_SHARE : 1;
  return {
    items: (pass) => (p) => {
      const detail = p.line && !p.line.ok ? `${p.line.source} failed: ${p.line.error}` : undefined;
      const fraction = (itemsShare * (pass + (p.total ? p.done / p.total : 1))) / passes;
      emit?.({ ...base, phase: 'items', model: p.model, pass, item: p.done, of: p.total, resumed: p.resumed, fraction, ...(detail ? { detail } : {}) });
    },
    fitting: (cell, cells, detail) => {
      emit?.({ ...base, phase: 'fitting probes', pass: passes - 1, item: cell, of: cells, resumed: 0, detail, fraction: ITEMS_SHARE + (cells ? ((1 - ITEMS_SHARE) * cell) / cells : 0) });
    },
    report: () => emit?.({ ...base, phase: 'report', pass: passes - 1, item: 0, of: 0, resumed: 0, fraction: 1 }),
  };
}
