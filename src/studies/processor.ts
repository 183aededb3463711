/**
 * What a dataset run does to one item. A processor is made by a factory, once per worker (each
 * worker opens its own engine); it must return JSON-serialisable, deterministic results (no timings)
 * so that resumed and uninterrupted runs write identical files.
 */
import type { DatasetItem } from '../runtime/datasets/item';
import type { TaskName, TaskOptionsOf, TaskResultOf } from './types';

export interface ItemProcessor<R = unknown> {
  process(item: DatasetItem, signal?: AbortSignal): Promise<R>;
  dispose(): Promise<void>;
}

export type ProcessorFactory<O = unknown, R = unknown> = (options: O) => Promise<ItemProcessor<R>>;

/** one of the studies' processors, by name, with that processor's own options */
export interface NamedProcessorSpec<K extends TaskName = TaskName> {
  name: K;
  options: TaskOptionsOf[K];
}

/**
 * A named processor, or a module exporting `createProcessor` (plugins; the runner's own tests use
 * one that spins): its options cross to the worker as JSON and its results are its own business.
 */
export type ProcessorSpec = NamedProcessorSpec | { module: string; options: unknown };

/** what a spec's processor returns: a named one's typed result, a module's unknown */
export type ResultOfSpec<S extends ProcessorSpec> = S extends { name: infer N extends TaskName } ? TaskResultOf[N] : unknown;
