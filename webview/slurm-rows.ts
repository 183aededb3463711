/**
 * The small view of a study running on Slurm: one row per shard (its array task's state, items done
 * of its total) and one for the merge job that writes the report.
 */
import type { SlurmRows } from '../src/shared/protocol';
import type { Table } from '../src/present/csv';
import { h, renderTable } from './dom';

export function slurmTable(rows: SlurmRows): Table {
  return {
    header: ['job', 'state', 'items'],
    rows: [
      ...rows.shards.map((s) => [`shard ${s.shard}`, s.state, `${s.done} of ${s.of}`]),
      [`merge${rows.merge.job ? ` (job ${rows.merge.job})` : ''}`, rows.merge.state, ''],
    ],
  };
}

/** the rows as a table, each row carrying its state for tests and styles */
export function renderSlurmRows(rows: SlurmRows): HTMLTableElement {
  const el = renderTable(slurmTable(rows), 'Slurm jobs of this study', (v) => String(v ?? ''));
  el.dataset.testid = 'slurm-shards';
  const states = [...rows.shards.map((s) => s.state), rows.merge.state];
  el.querySelectorAll('tbody tr').forEach((tr, i) => {
    (tr as HTMLElement).dataset.state = states[i];
  });
  return el;
}

export function slurmBox(): { element: HTMLElement; show(rows: SlurmRows): void; end(outcome: string): void; clear(): void } {
  const outcome = h('p', { class: 'slurm-outcome', 'data-testid': 'slurm-outcome' });
  const element = h('div', { class: 'slurm', hidden: true });
  let table: HTMLTableElement | undefined;
  return {
    element,
    show(rows) {
      const next = renderSlurmRows(rows);
      if (table) table.replaceWith(next);
      else element.prepend(next);
      table = next;
      outcome.textContent = '';
      if (!outcome.isConnected) element.append(outcome);
      element.hidden = false;
    },
    end(text) {
      if (!table) return;
      outcome.textContent = text;
    },
    clear() {
      table?.remove();
      table = undefined;
      outcome.textContent = '';
      element.hidden = true;
    },
  };
}
