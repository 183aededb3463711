/**
 * The results file of a dataset run: a header line, then one JSON line per item, appended with a
 * single write and an fsync as each item is committed, so a killed run leaves only whole lines (at
 * worst one torn last line, which reopening cuts off). Lines are committed in item order, so a
 * resumed run writes exactly the bytes an uninterrupted run would have.
 */
import { constants as bufferConstants } from 'node:buffer';
import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, readFileSync, renameSync, statSync, writeSync, mkdirSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

const MAX_STRING_LENGTH = bufferConstants.MAX_STRING_LENGTH;

export interface ResultsHeader {
  format: 'latent-trace/results';
  version: 1;
  /** what each line holds, e.g. "attention" */
  task: string;
  /** the dataset file */
  dataset: string;
  /** "i/n" */
  shard: string;
  /** items in the whole dataset (all shards) */
  datasetItems: number;
  /** everything that changes a line's content (model hash, settings), compared on resume */
  config: Record<string, unknown>;
}

/** one item's outcome; R is what the run's processor returns (the header's `task` names it) */
export interface ResultLine<R = unknown> {
  index: number;
  source: string;
  ok: boolean;
  result?: R;
  error?: string;
}

export class ResultsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

export interface OpenedResults<R = unknown> {
  header: ResultsHeader;
  /** lines already in the file, by item index */
  done: Map<number, ResultLine<R>>;
  append(line: ResultLine<R>): void;
  close(): void;
}

/** R is the result type of the header's task: a file whose header differs is refused, so its lines hold R */
export function openResults<R = unknown>(path: string, header: ResultsHeader): OpenedResults<R> {
  mkdirSync(dirname(path), { recursive: true });
  if (!existsSync(path)) createWithHeader(path, header);
  const { header: found, lines, validBytes, totalBytes } = readResults(path, { allowTornTail: true });
  const mismatch = headerMismatch(found, header);
  if (mismatch) {
    throw new ResultsError(`${path} holds results of a different run (${mismatch}); delete it or choose another --out`);
  }
  const fd = openSync(path, 'r+');
  if (validBytes < totalBytes) {
    // a torn last line from a killed run: cut it, the item is simply run again
    ftruncateSync(fd, validBytes);
    fsyncSync(fd);
  }
  closeSync(fd);
  const appendFd = openSync(path, 'a');
  const done = new Map(lines.map((l) => [l.index, l as ResultLine<R>]));
  return {
    header: found,
    done,
    append(line: ResultLine<R>): void {
      writeAll(appendFd, `${JSON.stringify(line)}\n`);
      fsyncSync(appendFd);
      done.set(line.index, line);
    },
    close(): void {
      closeSync(appendFd);
    },
  };
}

export interface ReadResults {
  header: ResultsHeader;
  lines: ResultLine[];
  /** bytes up to the end of the last whole line */
  validBytes: number;
  totalBytes: number;
}

export function readResults(path: string, options: { allowTornTail?: boolean } = {}): ReadResults {
  const size = statSync(path).size;
  if (size > MAX_STRING_LENGTH) {
    throw new ResultsError(`${path}: ${(size / 2 ** 20).toFixed(0)} MiB is more than the ${(MAX_STRING_LENGTH / 2 ** 20).toFixed(0)} MiB a results file may be`);
  }
  const bytes = readFileSync(path);
  const text = bytes.toString('utf8');
  checkFormat(path, text);
  const lastNewline = text.lastIndexOf('\n');
  const complete = lastNewline < 0 ? '' : text.slice(0, lastNewline + 1);
  if (complete.length < text.length && !options.allowTornTail) throw new ResultsError(`${path}: the last line is incomplete (the run did not finish)`);
  const rows = complete.split('\n').slice(0, -1);
  if (rows.length === 0) throw new ResultsError(`${path}: no header line`);
  let header: ResultsHeader;
  try {
    header = JSON.parse(rows[0]) as ResultsHeader;
  } catch {
    throw new ResultsError(`${path}:1: the header is not valid JSON`);
  }
  if (header.format !== 'latent-trace/results' || header.version !== 1) throw new ResultsError(`${path}:1: not a latent-trace results file`);
  const lines: ResultLine[] = [];
  rows.slice(1).forEach((row, k) => {
    let line: ResultLine;
    try {
      line = JSON.parse(row) as ResultLine;
    } catch {
      throw new ResultsError(`${path}:${k + 2}: not valid JSON`);
    }
    if (!Number.isInteger(line.index) || typeof line.ok !== 'boolean') throw new ResultsError(`${path}:${k + 2}: not a result line`);
    lines.push(line);
  });
  return { header, lines, validBytes: Buffer.byteLength(complete, 'utf8'), totalBytes: bytes.length };
}

/** A file whose first line is JSON of another kind (a trace, a report) is named as such, not as a torn results file. */
function checkFormat(path: string, text: string): void {
  const newline = text.indexOf('\n');
  let first: unknown;
  try {
    first = JSON.parse(newline < 0 ? text : text.slice(0, newline));
  } catch {
    return;
  }
  const format = (first as { format?: unknown } | null)?.format;
  if (format !== 'latent-trace/results') {
    const what = typeof format === 'string' ? ` (its format is ${JSON.stringify(format)})` : '';
    throw new ResultsError(`${path}: not a latent-trace results file${what}`);
  }
}

function headerMismatch(found: ResultsHeader, wanted: ResultsHeader): string | null {
  for (const key of ['task', 'dataset', 'shard', 'datasetItems'] as const) {
    if (found[key] !== wanted[key]) return `${key} ${JSON.stringify(found[key])} vs ${JSON.stringify(wanted[key])}`;
  }
  if (stableStringify(found.config) !== stableStringify(wanted.config)) return 'settings differ';
  return null;
}

export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value as object).sort().map((k) => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function createWithHeader(path: string, header: ResultsHeader): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w');
  writeAll(fd, `${JSON.stringify(header)}\n`);
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, path);
}

function writeAll(fd: number, text: string): void {
  const buffer = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < buffer.length) offset += writeSync(fd, buffer, offset, buffer.length - offset);
}
