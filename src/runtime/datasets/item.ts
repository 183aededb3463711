/**
 * A dataset item as the analyses see it: {image, question, answer, rationale, bbox, type}, with the
 * image resolved to a path (JSONL, relative to the file) or to its encoded bytes (Parquet exports).
 */
/** an image inside a Parquet file, read when the item is processed so big datasets are never all in memory */
export interface ParquetImageRef {
  parquet: string;
  row: number;
  column: string;
}

export interface DatasetItem {
  /** position in the dataset file (0-based over valid items); results are keyed and ordered by it */
  index: number;
  /** where the item came from, for messages: "file.jsonl:12" or "file.parquet#row 11" */
  source: string;
  image: string | Uint8Array | ParquetImageRef;
  /** the image's identity: file name (JSONL), path inside the export, or a content hash (Parquet) */
  imageName: string;
  question: string;
  answer: string;
  rationale?: string;
  /** [x0, y0, x1, y1] pixels of the original image, x1/y1 exclusive */
  bbox?: [number, number, number, number];
  type?: string;
  /** every object of the item's scene as [x0, y0, x1, y1] pixels (the asked-about one included), for the random-object pointing null */
  objects?: [number, number, number, number][];
}

/** A dataset file or record that cannot be used; `where` names the file and line or row. */
export class DatasetError extends Error {
  constructor(
    readonly where: string,
    message: string,
  ) {
    super(`${where}: ${message}`);
    this.name = 'InputError';
  }
}

export type BadRecordPolicy = 'skip' | 'fail';

export interface SkippedRecord {
  where: string;
  message: string;
}

export interface Dataset {
  file: string;
  items: DatasetItem[];
  skipped: SkippedRecord[];
}

/** checks the fields every record shares; the image is resolved by the caller */
export function checkRecordFields(record: Record<string, unknown>, where: string): Omit<DatasetItem, 'index' | 'source' | 'image' | 'imageName'> {
  const text = (key: string, required: boolean): string | undefined => {
    const v = record[key];
    if (v === undefined || v === null) {
      if (required) throw new DatasetError(where, `field "${key}" is missing`);
      return undefined;
    }
    if (typeof v !== 'string' || (required && v.trim() === '')) throw new DatasetError(where, `field "${key}" must be a non-empty string`);
    return v;
  };
  const out: Omit<DatasetItem, 'index' | 'source' | 'image' | 'imageName'> = {
    question: text('question', true) as string,
    answer: text('answer', true) as string,
  };
  const rationale = text('rationale', false);
  if (rationale !== undefined) out.rationale = rationale;
  const type = text('type', false);
  if (type !== undefined) out.type = type;
  const bbox = record.bbox;
  if (bbox !== undefined && bbox !== null) {
    const values = Array.isArray(bbox) || ArrayBuffer.isView(bbox) ? Array.from(bbox as ArrayLike<number | bigint>, Number) : null;
    if (!values || values.length !== 4 || values.some((x) => !Number.isFinite(x)) || !(values[2] > values[0] && values[3] > values[1])) {
      throw new DatasetError(where, 'field "bbox" must be [x0, y0, x1, y1] with x1 > x0 and y1 > y0');
    }
    out.bbox = values as [number, number, number, number];
  }
  const objects = record.objects;
  if (objects !== undefined && objects !== null) {
    const list = Array.isArray(objects) || ArrayBuffer.isView(objects) ? Array.from(objects as ArrayLike<unknown>) : null;
    const boxes = list?.map((box) => {
      const values = Array.isArray(box) || ArrayBuffer.isView(box) ? Array.from(box as ArrayLike<number | bigint>, Number) : null;
      return values && values.length === 4 && values.every((x) => Number.isFinite(x)) && values[2] > values[0] && values[3] > values[1] ? values : null;
    });
    if (!boxes || boxes.length === 0 || boxes.some((b) => b === null)) {
      throw new DatasetError(where, 'field "objects" must be a non-empty list of boxes [x0, y0, x1, y1] with x1 > x0 and y1 > y0');
    }
    out.objects = boxes as [number, number, number, number][];
  }
  return out;
}

/** what a trace of this item knows to be true: its answer and, if given, its box */
export function itemGroundTruth(item: DatasetItem): { bbox?: [number, number, number, number]; expected: string; source: 'dataset' } {
  return item.bbox ? { bbox: [...item.bbox], expected: item.answer, source: 'dataset' } : { expected: item.answer, source: 'dataset' };
}
