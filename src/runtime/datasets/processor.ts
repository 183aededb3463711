/**
 * What a dataset run does to one item. A processor is made by a factory, once per worker (each
 * worker opens its own engine); it must return JSON-serialisable, deterministic results (no timings)
 * so that resumed and uninterrupted runs write identical files.
 */
import type { DatasetItem } from './item';

export interface ItemProcessor {
  process(item: DatasetItem, signal?: AbortSignal): Promise<unknown>;
  dispose(): Promise<void>;
}

/** a named processor from processors.ts, or a module exporting `createProcessor` (tests, plugins) */
export type ProcessorSpec = { name: string; options: unknown } | { module: string; options: unknown };

export type ProcessorFactory = (options: unknown) => Promise<ItemProcessor>;
