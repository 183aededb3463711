/** Messages between the dataset runner and its worker threads. */
import type { DatasetItem } from './item';

/** `close` with `abort` cancels the item in flight (between ONNX calls) before the worker disposes and exits. */
export type ToWorker = { type: 'item'; item: DatasetItem } | { type: 'close'; abort: boolean };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'fatal'; message: string }
  | { type: 'result'; index: number; ok: boolean; result?: unknown; error?: string };
