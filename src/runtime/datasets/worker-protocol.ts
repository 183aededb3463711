/** Messages between the dataset runner and its worker processes. */
import type { DatasetItem } from './item';
import type { ProcessorSpec } from './processor';

/** `init` comes first; `close` disposes the engine and exits once the queued items are done. */
export type ToWorker = { type: 'init'; spec: ProcessorSpec } | { type: 'item'; item: DatasetItem } | { type: 'close' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'fatal'; message: string }
  | { type: 'result'; index: number; ok: boolean; result?: unknown; error?: string };
