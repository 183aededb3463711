/**
 * A dataset report's per-item table: sortable by any column, filtered by text and right/wrong, each row
 * opening that item's trace (the host opens a saved one or re-runs the item).
 */
import type { ReportItem } from '../../src/shared/reports';
import { ITEM_COLUMNS, queryItems, type ItemColumn, type ItemQuery } from '../../src/present/report-items';
import { formatNumber } from '../format';
import { h, select } from '../dom';
import type { ViewContext } from './view';

const HEADERS: Record<ItemColumn, string> = { id: 'Item', model: 'Model', question: 'Question', answer: 'Answer', expected: 'Expected', correct: 'Correct', statistic: 'Statistic' };
const MAX_ROWS = 500;

/** Asks the host for an item's trace and says how it went. */
export function openItem(ctx: ViewContext, id: string): void {
  ctx.status(`opening item ${id}…`);
  void ctx.bridge.openItem(id).then((r) => ctx.status(r.message, !r.ok && r.message !== 'cancelled'));
}

export function itemsTable(items: readonly ReportItem[], ctx: ViewContext, statistic: string): HTMLElement {
  const columns = ITEM_COLUMNS.filter((c) => items.some((it) => it[c] !== undefined));
  const query: ItemQuery = { sort: 'id', descending: false, filter: '', correct: 'all' };
  const filter = h('input', { type: 'search', placeholder: 'filter items…', 'aria-label': 'Filter items', 'data-testid': 'items-filter' });
  filter.addEventListener('input', () => {
    query.filter = filter.value;
    draw();
  });
  const correct = select('Show', ['all', 'right', 'wrong'] as const, 'all', (v) => {
    query.correct = v;
    draw();
  }, { all: 'all items', right: 'only right', wrong: 'only wrong' });
  const count = h('span', { class: 'muted', 'data-testid': 'items-count' });
  const table = h('table', { class: 'data items', 'data-testid': 'items-table' });
  const element = h('section', { class: 'items-section' },
    h('h3', {}, 'Items'),
    h('div', { class: 'controls' }, filter, correct, count),
    h('p', { class: 'muted' }, 'Click a row to open its trace (a saved one, or the item run again). Click a header to sort.'),
    table);

  function draw(): void {
    const rows = queryItems(items, query);
    count.textContent = `${rows.length} of ${items.length} items${rows.length > MAX_ROWS ? `, first ${MAX_ROWS} shown` : ''}`;
    const head = h('tr', {}, ...columns.map((c) => {
      const sorted = query.sort === c;
      const th = h('th', { scope: 'col', 'aria-sort': sorted ? (query.descending ? 'descending' : 'ascending') : 'none', 'data-column': c, tabindex: 0 },
        c === 'statistic' ? statistic : HEADERS[c], sorted ? (query.descending ? ' ▼' : ' ▲') : '');
      const sort = () => {
        query.descending = sorted ? !query.descending : false;
        query.sort = c;
        draw();
      };
      th.addEventListener('click', sort);
      th.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter' || ev.key === ' ') {
          sort();
          ev.preventDefault();
        }
      });
      return th;
    }));
    const body = h('tbody', {}, ...rows.slice(0, MAX_ROWS).map((it) => {
      const tr = h('tr', { class: 'item-row', tabindex: 0, 'data-item': it.id, title: `open the trace of ${it.id} (${it.image})` }, ...columns.map((c) => {
        const v = it[c];
        const text = v === undefined ? '—' : typeof v === 'boolean' ? (v ? '✓' : '✗') : typeof v === 'number' ? formatNumber(v) : v;
        return h('td', { class: c === 'correct' && v !== undefined ? (v ? 'verdict correct' : 'verdict wrong') : undefined }, text);
      }));
      tr.addEventListener('click', () => openItem(ctx, it.id));
      tr.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter') openItem(ctx, it.id);
      });
      return tr;
    }));
    table.replaceChildren(h('thead', {}, head), body);
  }
  draw();
  return element;
}
