/** Opens a dataset by its extension: .jsonl / .ndjson (JSON lines) or .parquet. */
import { extname } from 'node:path';
import { DatasetError, type BadRecordPolicy, type Dataset } from './item';
import { readJsonlDataset } from './jsonl';
import { readParquetDataset } from './parquet';

export async function readDataset(file: string, onBadRecord: BadRecordPolicy = 'fail'): Promise<Dataset> {
  const ext = extname(file).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') return readJsonlDataset(file, onBadRecord);
  if (ext === '.parquet') return readParquetDataset(file, onBadRecord);
  throw new DatasetError(file, `unknown dataset format "${ext}" (expected .jsonl, .ndjson or .parquet)`);
}
