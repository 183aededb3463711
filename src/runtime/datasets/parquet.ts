/**
 * Parquet datasets as exported by Hugging Face `datasets`: columns question, answer, rationale?, bbox?,
 * type?, and an image column holding either {bytes, path} (the datasets Image feature) or raw bytes.
 * Rows are read a chunk at a time; items keep a reference to their image (loadParquetImage reads it
 * when the item is processed), so memory stays bounded by one chunk however large the export is.
 */
import { createHash } from 'node:crypto';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { checkRecordFields, DatasetError, type BadRecordPolicy, type Dataset, type DatasetItem, type ParquetImageRef, type SkippedRecord } from './item';

const CHUNK_ROWS = 256;
const IMAGE_COLUMN = 'image';

type AsyncBuffer = Awaited<ReturnType<typeof asyncBufferFromFile>>;

async function openParquet(file: string): Promise<AsyncBuffer> {
  try {
    return await asyncBufferFromFile(file);
  } catch (err) {
    throw new DatasetError(file, `cannot read the Parquet file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

export async function readParquetDataset(file: string, onBadRecord: BadRecordPolicy = 'fail'): Promise<Dataset> {
  const buffer = await openParquet(file);
  let rowCount: number;
  try {
    rowCount = Number((await parquetMetadataAsync(buffer)).num_rows);
  } catch (err) {
    throw new DatasetError(file, `cannot read the Parquet file (${(err as Error).message})`);
  }
  const items: DatasetItem[] = [];
  const skipped: SkippedRecord[] = [];
  for (let start = 0; start < rowCount; start += CHUNK_ROWS) {
    let rows: Record<string, unknown>[];
    try {
      // utf8: false keeps unannotated BYTE_ARRAY (raw image bytes) as bytes; UTF8 string columns stay strings
      rows = await parquetReadObjects({ file: buffer, rowStart: start, rowEnd: Math.min(start + CHUNK_ROWS, rowCount), utf8: false });
    } catch (err) {
      throw new DatasetError(`${file}#rows ${start}..`, `cannot decode (${(err as Error).message})`);
    }
    rows.forEach((row, k) => {
      const r = start + k;
      const where = `${file}#row ${r}`;
      try {
        const { bytes, path } = imageOf(row[IMAGE_COLUMN], where);
        // the identity groups rows of one image (several questions per image): its path, else its bytes
        const name = path ?? `sha1-${createHash('sha1').update(bytes).digest('hex').slice(0, 16)}`;
        const image: ParquetImageRef = { parquet: file, row: r, column: IMAGE_COLUMN };
        items.push({ index: items.length, source: where, image, imageName: name, ...checkRecordFields(row, where) });
      } catch (err) {
        if (onBadRecord === 'fail' || !(err instanceof DatasetError)) throw err;
        skipped.push({ where, message: err.message.slice(where.length + 2) });
      }
    });
  }
  if (items.length === 0) throw new DatasetError(file, skipped.length ? `no valid rows (${skipped.length} bad rows)` : 'the dataset has no rows');
  return { file, items, skipped };
}

/** the encoded bytes of a referenced image */
export async function loadParquetImage(ref: ParquetImageRef): Promise<Uint8Array> {
  const where = `${ref.parquet}#row ${ref.row}`;
  const rows = await parquetReadObjects({ file: await openParquet(ref.parquet), columns: [ref.column], rowStart: ref.row, rowEnd: ref.row + 1, utf8: false });
  if (rows.length !== 1) throw new DatasetError(where, 'the row is gone (was the file changed?)');
  return imageOf(rows[0][ref.column], where).bytes;
}

function imageOf(value: unknown, where: string): { bytes: Uint8Array; path: string | null } {
  const struct = value !== null && typeof value === 'object' && !ArrayBuffer.isView(value) && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  const raw = struct ? struct.bytes : value;
  const bytes = raw instanceof Uint8Array ? raw : Array.isArray(raw) && raw.every((b) => Number.isInteger(b) && b >= 0 && b < 256) ? Uint8Array.from(raw) : null;
  if (!bytes || bytes.length === 0) throw new DatasetError(where, `column "${IMAGE_COLUMN}" must hold encoded image bytes or {bytes, path}`);
  return { bytes, path: struct && typeof struct.path === 'string' && struct.path ? struct.path : null };
}
