/**
 * A deterministic stand-in for the trace engine in dataset-runner tests: it spins the CPU for
 * `spinMs` per item (like a model would) and returns a digest of the item.
 */
import { createHash } from 'node:crypto';
import type { DatasetItem } from '../../src/runtime/datasets/item';
import type { ItemProcessor } from '../../src/studies/processor';

export interface FakeOptions {
  spinMs?: number;
  /** items whose question contains this fail */
  failOn?: string;
}

export async function createProcessor(options: unknown): Promise<ItemProcessor> {
  const o = (options ?? {}) as FakeOptions;
  return {
    async process(item: DatasetItem) {
      const until = performance.now() + (o.spinMs ?? 0);
      let x = 0;
      while (performance.now() < until) x = (x * 1103515245 + 12345) % 2147483648;
      if (o.failOn && item.question.includes(o.failOn)) throw new Error(`cannot answer "${item.question}"`);
      const digest = createHash('sha256').update(`${item.index}|${item.question}|${item.answer}`).digest('hex').slice(0, 16);
      return { digest, length: item.question.length, x: x >= 0 ? 1 : 0 };
    },
    async dispose() {},
  };
}
