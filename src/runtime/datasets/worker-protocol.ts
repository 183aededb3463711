/** Messages between the dataset runner and its worker threads. */
import type { DatasetItem } from './item';

export type ToWorker = { type: 'item'; item: DatasetItem } | { type: 'close' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'fatal'; message: string }
  | { type: 'result'; index: number; ok: boolean; result?: unknown; error?: string };
