/** `--shard i/n`: item k belongs to shard k mod n, so shards are balanced and disjoint. */
import type { DatasetItem } from './item';

export interface Shard {
  index: number;
  count: number;
}

export const WHOLE: Shard = { index: 0, count: 1 };

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || !(count >= 1) || !(index >= 0 && index < count)) {
    throw new RangeError(`--shard must be i/n with 0 <= i < n (e.g. 0/4), got ${JSON.stringify(text)}`);
  }
  return { index, count };
}

export function shardItems<T extends Pick<DatasetItem, 'index'>>(items: T[], shard: Shard): T[] {
  return items.filter((it) => it.index % shard.count === shard.index);
}

export function shardLabel(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}
