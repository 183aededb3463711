import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describeEntry, indexFile, readLibrary, recordEntry, type TraceEntry } from '../../../src/vscode/library';

function folder() {
  return mkdtempSync(path.join(tmpdir(), 'lt-library-'));
}

test('traces and reports are listed newest first, one per file, only while the file exists', () => {
  const dir = folder();
  const file = (name: string) => {
    const f = path.join(dir, name);
    writeFileSync(f, '{}');
    return f;
  };
  const a: TraceEntry = { kind: 'trace', file: file('a.ltrace.json'), model: 'lare-shapes', image: '/d/0003.png', question: 'what colour is the square?', answer: 'red', createdAt: '2026-12-03T10:00:00.000Z' };
  const b: TraceEntry = { ...a, file: file('b.ltrace.json'), model: 'lvr-shapes', answer: 'blue', createdAt: '2026-12-03T11:00:00.000Z' };
  recordEntry(dir, a);
  recordEntry(dir, b);
  recordEntry(dir, { ...a, answer: 'green', createdAt: '2026-12-03T12:00:00.000Z' });
  recordEntry(dir, { ...a, file: path.join(dir, 'gone.ltrace.json') });
  recordEntry(dir, { kind: 'report', file: file('probing.report.json'), study: 'probing experiment', models: ['lare-shapes', 'lare-shapes-noextractor'], dataset: '/d/samples.jsonl', createdAt: '2026-12-03T09:00:00.000Z' });
  appendFileSync(indexFile(dir), '{"kind":"trace","file":"torn\n');
  const traces = readLibrary(dir, 'trace');
  assert.deepEqual(traces.map((e) => [path.basename(e.file), e.kind === 'trace' && e.answer]), [['a.ltrace.json', 'green'], ['b.ltrace.json', 'blue']]);
  const reports = readLibrary(dir, 'report');
  assert.equal(reports.length, 1);
  assert.deepEqual(describeEntry(reports[0]).label, 'probing experiment: lare-shapes vs lare-shapes-noextractor');
  assert.equal(describeEntry(b).label, 'lvr-shapes: what colour is the square?');
  assert.equal(describeEntry(b).description, '→ blue · 0003.png · 2026-12-03 11:00 UTC');
  rmSync(dir, { recursive: true, force: true });
});

test('no index yet: empty lists', () => {
  const dir = folder();
  assert.deepEqual(readLibrary(dir, 'trace'), []);
  rmSync(dir, { recursive: true, force: true });
});
