/**
 * Parquet datasets as exported by Hugging Face `datasets`: columns question, answer, rationale?, bbox?,
 * type?, and an image column holding either {bytes, path} (the datasets Image feature) or raw bytes.
 */
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { checkRecordFields, DatasetError, type BadRecordPolicy, type Dataset, type DatasetItem, type SkippedRecord } from './item';

export async function readParquetDataset(file: string, onBadRecord: BadRecordPolicy = 'fail'): Promise<Dataset> {
  let rows: Record<string, unknown>[];
  try {
    rows = await parquetReadObjects({ file: await asyncBufferFromFile(file) });
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new DatasetError(file, `cannot read the Parquet file (${reason})`);
  }
  const items: DatasetItem[] = [];
  const skipped: SkippedRecord[] = [];
  rows.forEach((row, r) => {
    const where = `${file}#row ${r}`;
    try {
      const { bytes, name } = imageOf(row.image, where, r);
      items.push({ index: items.length, source: where, image: bytes, imageName: name, ...checkRecordFields(row, where) });
    } catch (err) {
      if (onBadRecord === 'fail' || !(err instanceof DatasetError)) throw err;
      skipped.push({ where, message: err.message.slice(where.length + 2) });
    }
  });
  if (items.length === 0) throw new DatasetError(file, skipped.length ? `no valid rows (${skipped.length} bad rows)` : 'the dataset has no rows');
  return { file, items, skipped };
}

function imageOf(value: unknown, where: string, row: number): { bytes: Uint8Array; name: string } {
  const struct = value !== null && typeof value === 'object' && !ArrayBuffer.isView(value) && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  const raw = struct ? struct.bytes : value;
  const bytes = raw instanceof Uint8Array ? raw : Array.isArray(raw) && raw.every((b) => Number.isInteger(b) && b >= 0 && b < 256) ? Uint8Array.from(raw) : null;
  if (!bytes || bytes.length === 0) throw new DatasetError(where, 'column "image" must hold encoded image bytes or {bytes, path}');
  const path = struct && typeof struct.path === 'string' && struct.path ? struct.path : `row-${row}`;
  return { bytes, name: path.split('/').pop() as string };
}
