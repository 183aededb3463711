/** What the engine gets for an item's image: a path, the bytes, or the bytes read from its Parquet row. */
import type { DatasetItem } from './item';
import { loadParquetImage } from './parquet';

export async function itemImage(item: DatasetItem): Promise<string | Uint8Array> {
  if (typeof item.image === 'string' || item.image instanceof Uint8Array) return item.image;
  return loadParquetImage(item.image);
}
