/** JSONL datasets: one {image, question, answer, rationale?, bbox?, type?} object per line. */
import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { checkRecordFields, DatasetError, type BadRecordPolicy, type Dataset, type DatasetItem, type SkippedRecord } from './item';

export async function readJsonlDataset(file: string, onBadRecord: BadRecordPolicy = 'fail'): Promise<Dataset> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new DatasetError(file, `cannot read the dataset (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const base = dirname(file);
  const items: DatasetItem[] = [];
  const skipped: SkippedRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const where = `${file}:${i + 1}`;
    try {
      items.push(parseLine(raw, where, base, items.length));
    } catch (err) {
      if (onBadRecord === 'fail' || !(err instanceof DatasetError)) throw err;
      skipped.push({ where, message: err.message.slice(where.length + 2) });
    }
  }
  if (items.length === 0) throw new DatasetError(file, skipped.length ? `no valid items (${skipped.length} bad lines)` : 'the dataset has no items');
  return { file, items, skipped };
}

function parseLine(raw: string, where: string, base: string, index: number): DatasetItem {
  let record: unknown;
  try {
    record = JSON.parse(raw);
  } catch (err) {
    throw new DatasetError(where, `not valid JSON (${(err as Error).message})`);
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) throw new DatasetError(where, 'each line must be a JSON object');
  const r = record as Record<string, unknown>;
  if (typeof r.image !== 'string' || r.image.trim() === '') throw new DatasetError(where, 'field "image" must be a non-empty path string');
  const image = isAbsolute(r.image) ? r.image : resolve(base, r.image);
  return { index, source: where, image, imageName: basename(r.image), ...checkRecordFields(r, where) };
}
