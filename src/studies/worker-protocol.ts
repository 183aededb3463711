/** Messages between the dataset runner and its worker processes; R is the processor's result. */
import type { DatasetItem } from '../runtime/datasets/item';
import type { ProcessorSpec } from './processor';

/** `init` comes first; `close` disposes the engine and exits once the queued items are done. */
export type ToWorker = { type: 'init'; spec: ProcessorSpec } | { type: 'item'; item: DatasetItem } | { type: 'close' };

export type FromWorker<R = unknown> =
  | { type: 'ready' }
  | { type: 'fatal'; message: string }
  | { type: 'result'; index: number; ok: true; result: R }
  | { type: 'result'; index: number; ok: false; error: string };
