/**
 * Small DOM helpers for the panel app.
 */
import type { Table } from '../src/present/csv';
import type { CsvCell } from '../src/present/csv';

type Attrs = Record<string, string | number | boolean | undefined>;

/** Creates an element with attributes (false/undefined skipped) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
  el.append(...children);
  return el;
}

/** A <select> of values with labels; calls onChange with the chosen value. */
export function select<T extends string>(label: string, options: readonly T[], value: T, onChange: (v: T) => void, labels?: Record<T, string>): HTMLLabelElement {
  const el = h('select');
  for (const o of options) el.append(h('option', { value: o, selected: o === value }, labels?.[o] ?? o));
  el.addEventListener('change', () => onChange(el.value as T));
  return h('label', { class: 'control' }, `${label} `, el);
}

/** A button that runs onClick. */
export function button(text: string, onClick: () => void, attrs: Attrs = {}): HTMLButtonElement {
  const el = h('button', { type: 'button', ...attrs }, text);
  el.addEventListener('click', onClick);
  return el;
}

/** Renders a table; `format` turns each cell into text (numbers formatted, raw values kept for CSV). */
export function renderTable(table: Table, caption: string, format: (v: CsvCell, column: number) => string): HTMLTableElement {
  const el = h('table', { class: 'data' }, h('caption', {}, caption));
  el.append(h('thead', {}, h('tr', {}, ...table.header.map((c) => h('th', { scope: 'col' }, c)))));
  const body = h('tbody');
  for (const row of table.rows) {
    body.append(h('tr', {}, ...row.map((v, i) => (i === 0 ? h('th', { scope: 'row' }, format(v, i)) : h('td', {}, format(v, i))))));
  }
  el.append(body);
  return el;
}

/** A CSS custom property of the current theme (VS Code sets them on <html>/<body>). */
export function themeColor(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}
